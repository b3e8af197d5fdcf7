"""`python -m training`: validate, train, evaluate and manage model versions.

Exit codes: 0 success, 2 invalid input or usage, 1 unexpected failure, 3 a version saved but
not promoted because the quality gate rejected it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from kakehashi.errors import InvalidListError, KakehashiError, UsageError
from kakehashi.gate import DEFAULT_METRICS, GateConfig, parse_metrics, promote_if_passed
from kakehashi.progress import ProgressFile
from training import feedback_labels, manage, report
from training.train import Inputs, load_inputs, require_both_countries, stderr_report, train
from training.variants import apply_variant, parse_variant

MAX_PROBLEMS_SHOWN = 50
EXIT_OK, EXIT_FAILURE, EXIT_INVALID, EXIT_REJECTED = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_inputs(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--companies",
            type=Path,
            required=True,
            help="company list (.csv, .xlsx, .json, .jsonl; see docs/list-format.md)",
        )
        sub.add_argument("--sheet", help="the sheet of an .xlsx company list (default: the first)")
        sub.add_argument(
            "--partnerships", type=Path, help="known partnerships list (.csv, .xlsx, .json, .jsonl)"
        )
        sub.add_argument(
            "--taxonomy", type=Path, help="sector taxonomy JSON (default: the bundled one)"
        )
        sub.add_argument(
            "--glossary", type=Path, help="Japanese/English glossary CSV (default: the bundled one)"
        )
        return sub

    with_inputs("validate", "check a company list (and partnerships) and print every problem")
    with_inputs("ids", "print every company's id, name and country as CSV (to write partnerships)")
    evaluate_cmd = with_inputs(
        "evaluate", "compare the model, its ablations and baselines on partnerships"
    )
    evaluate_cmd.add_argument(
        "--k", type=int, default=10, help="cutoff of hit@k and nDCG@k (default 10)"
    )
    evaluate_cmd.add_argument(
        "--folds", type=int, default=5, help="grouped folds for learned weights"
    )
    evaluate_cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate_cmd.add_argument(
        "--learn-weights", action="store_true", help="evaluate learned weights (grouped folds)"
    )
    evaluate_cmd.add_argument("--no-ablations", action="store_true", help="skip the ablation rows")
    evaluate_cmd.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="also evaluate with firms re-described: NAME=PATH (see data/eval/README.md)",
    )
    train_cmd = with_inputs("train", "validate, fit, evaluate, save a new version and promote it")
    for sub in (train_cmd, evaluate_cmd):
        sub.add_argument(
            "--feedback",
            type=Path,
            metavar="DATA_DIR",
            help="also use the service's feedback (its data dir or feedback.sqlite3) as labels",
        )
    train_cmd.add_argument("--models-dir", type=Path, default=Path("models"))
    train_cmd.add_argument(
        "--no-promote", action="store_true", help="save the version without promoting it"
    )
    train_cmd.add_argument(
        "--learn-weights",
        action="store_true",
        help="learn the component weights from the partnerships (default: the defaults)",
    )
    train_cmd.add_argument(
        "--precomputed",
        type=_non_negative,
        metavar="K",
        help="partners computed per firm at training time for instant answers (default 100; 0:"
        " none, every request ranks live; the computation grows as N_jp x N_il)",
    )
    add_gate_options(train_cmd)
    manage.add_commands(commands)
    return parser


def _non_negative(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def add_gate_options(train_cmd: argparse.ArgumentParser) -> None:
    """The quality gate and progress options of `train`."""
    train_cmd.add_argument(
        "--gate-floor",
        type=float,
        help="promote only when every direction's gated metric is at least this (e.g. 0.2)",
    )
    train_cmd.add_argument(
        "--gate-margin",
        type=float,
        help="promote only when no gated metric is more than this below the promoted version's",
    )
    train_cmd.add_argument(
        "--gate-metrics",
        default=",".join(DEFAULT_METRICS),
        help="comma-separated metrics the gate checks (default: mrr)",
    )
    train_cmd.add_argument(
        "--progress", type=Path, help="keep a JSON progress file up to date (for the service)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and turn its errors into messages and exit codes."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InvalidListError as exc:
        print_problems(exc)
        return EXIT_INVALID
    except KakehashiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


def print_problems(error: InvalidListError) -> None:
    """Print problems as PATH:LINE: column: problem, capped, with how many more there are."""
    for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
        print(problem, file=sys.stderr)
    hidden = len(error.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        print(f"... and {hidden} more problem(s)", file=sys.stderr)
    print(f"invalid input: {len(error.problems)} problem(s); nothing was written", file=sys.stderr)


def _inputs(args: argparse.Namespace) -> Inputs:
    inputs = load_inputs(
        args.companies, args.partnerships, args.taxonomy, args.glossary, sheet=args.sheet
    )
    if getattr(args, "feedback", None) is None:
        return inputs
    inputs, labels = feedback_labels.with_feedback(inputs, args.feedback)
    print(feedback_labels.describe(labels), file=sys.stderr)
    return inputs


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the lists and print a one-line summary."""
    inputs = _inputs(args)
    counts = ", ".join(f"{n} {k}" for k, n in _country_counts(inputs).items())
    print(f"read {inputs.files['companies']} as {inputs.read_as}")
    print(
        f"ok: {len(inputs.companies)} companies ({counts}), {len(inputs.partnerships)} partnerships"
    )
    if inputs.derived_ids:
        print(
            f"note: {len(inputs.derived_ids)} id(s) were derived from names; "
            f"`python -m training ids --companies {args.companies}` lists them"
        )
    try:
        require_both_countries(inputs)
    except InvalidListError as exc:
        print(f"warning: {exc.problems[0].message}; train will refuse this list")
    return EXIT_OK


def cmd_ids(args: argparse.Namespace) -> int:
    """Print id, name, country and whether the id was derived from the name, as CSV."""
    inputs = _inputs(args)
    derived = set(inputs.derived_ids)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["id", "name", "country", "id_derived_from_name"])
    for company in sorted(inputs.companies, key=lambda c: (c.country, c.id)):
        writer.writerow([company.id, company.name, company.country, company.id in derived])
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print the comparison table (or JSON) of the model, its ablations and the baselines."""
    inputs = _inputs(args)
    require_both_countries(inputs)
    if not inputs.partnerships:
        raise UsageError("evaluate needs --partnerships: the known pairs are the ground truth")
    if not 1 <= args.k <= 1000:
        raise UsageError("--k must be between 1 and 1000")
    options = {"k": args.k, "n_folds": args.folds, "ablations": not args.no_ablations}
    options["learn"] = args.learn_weights
    rows = report.compare(inputs, **options)
    for name, path in (parse_variant(option) for option in args.variant):
        rows += report.compare(apply_variant(inputs, path), dataset=name, **options)
    print(report.as_json(rows) if args.json else report.format_table(rows, args.k))
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    """Train, then print where each known partner landed and a summary."""
    progress = ProgressFile(args.progress) if args.progress else None
    report = _reporter(progress)
    report(
        f"validating {args.companies}" + (f" and {args.partnerships}" if args.partnerships else "")
    )
    inputs = _inputs(args)
    gate = GateConfig(args.gate_floor, args.gate_margin, parse_metrics(args.gate_metrics))
    promote = not args.no_promote and not gate.enabled
    result = train(
        inputs, args.models_dir, promote=promote, report=report,
        learn_weights=args.learn_weights, precomputed=args.precomputed,
    )  # fmt: skip
    verdict = None
    if gate.enabled and not args.no_promote:
        verdict = promote_if_passed(gate, args.models_dir, result.version)
        promote = verdict.passed
    if progress:
        progress.saved(result.version, promote)
    if result.outcomes:
        print_partner_ranks(result, inputs)
    manifest = result.manifest
    print(f"version:   {result.version} ({'promoted' if promote else 'not promoted'})")
    print(f"companies: {', '.join(f'{n} {k}' for k, n in manifest['companies'].items())}")
    print(f"weights:   {', '.join(f'{k}={v:.2f}' for k, v in manifest['weights'].items())}")
    for direction, metrics in (manifest["metrics"] or {}).items():
        print(f"metrics {direction}: {', '.join(f'{k}={v}' for k, v in metrics.items())}")
    print(f"artifact:  {Path(args.models_dir) / result.version / manifest['artifact']['file']}")
    if verdict is not None:
        print(f"gate:      {verdict.describe()}")
    return EXIT_OK if verdict is None or verdict.passed else EXIT_REJECTED


def _reporter(progress: ProgressFile | None) -> Callable[[str], None]:
    """Progress lines to standard error, and into the progress file when there is one."""

    def report(message: str) -> None:
        stderr_report(message)
        if progress:
            progress(message)

    return report


def print_partner_ranks(result, inputs: Inputs) -> None:
    """For each known partnership, where the partner lands in the Japanese firm's ranking."""
    names = {c.id: c.name for c in inputs.companies}
    print("known partners in their Japanese firm's ranking (held-out folds):")
    for outcome in result.outcomes:
        for partner, rank in zip(outcome.partner_ids, outcome.ranks, strict=True):
            pair = f"{names[outcome.query_id]} -> {names[partner]}"
            print(f"  {rank:>4} / {outcome.candidates}  {pair}")


def _country_counts(inputs: Inputs) -> dict[str, int]:
    return dict(sorted(Counter(c.country for c in inputs.companies).items()))


COMMANDS = {
    "validate": cmd_validate,
    "ids": cmd_ids,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    **manage.COMMANDS,
}
