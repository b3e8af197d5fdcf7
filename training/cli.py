"""`python -m training`: validate, train, evaluate and manage model versions.

Exit codes: 0 success, 2 invalid input or usage, 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from kakehashi import registry
from kakehashi.errors import InvalidListError, KakehashiError, UsageError
from training import feedback_labels, report
from training.train import Inputs, load_inputs, require_both_countries, stderr_report, train
from training.variants import apply_variant, parse_variant

MAX_PROBLEMS_SHOWN = 50
EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2


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
    for name, help_text in (
        ("list", "list model versions"),
        ("rollback", "re-promote the version promoted before the current one"),
    ):
        commands.add_parser(name, help=help_text).add_argument(
            "--models-dir", type=Path, default=Path("models")
        )
    promote_cmd = commands.add_parser("promote", help="make a saved version the served one")
    promote_cmd.add_argument("version")
    promote_cmd.add_argument("--models-dir", type=Path, default=Path("models"))
    return parser


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
    stderr_report(
        f"validating {args.companies}" + (f" and {args.partnerships}" if args.partnerships else "")
    )
    inputs = _inputs(args)
    result = train(
        inputs,
        args.models_dir,
        promote=not args.no_promote,
        report=stderr_report,
        learn_weights=args.learn_weights,
    )
    if result.outcomes:
        print_partner_ranks(result, inputs)
    manifest = result.manifest
    print(f"version:   {result.version} ({'promoted' if not args.no_promote else 'not promoted'})")
    print(f"companies: {', '.join(f'{n} {k}' for k, n in manifest['companies'].items())}")
    print(f"weights:   {', '.join(f'{k}={v:.2f}' for k, v in manifest['weights'].items())}")
    for direction, metrics in (manifest["metrics"] or {}).items():
        print(f"metrics {direction}: {', '.join(f'{k}={v}' for k, v in metrics.items())}")
    print(f"artifact:  {Path(args.models_dir) / result.version / manifest['artifact']['file']}")
    return EXIT_OK


def print_partner_ranks(result, inputs: Inputs) -> None:
    """For each known partnership, where the partner lands in the Japanese firm's ranking."""
    names = {c.id: c.name for c in inputs.companies}
    print("known partners in their Japanese firm's ranking (held-out folds):")
    for outcome in result.outcomes:
        for partner, rank in zip(outcome.partner_ids, outcome.ranks, strict=True):
            pair = f"{names[outcome.query_id]} -> {names[partner]}"
            print(f"  {rank:>4} / {outcome.candidates}  {pair}")


def cmd_list(args: argparse.Namespace) -> int:
    """Print every version, marking the promoted one; a damaged one is listed as damaged."""
    try:
        current = registry.current_version(args.models_dir)
    except KakehashiError as exc:
        current = None
        print(f"warning: {exc}; `promote VERSION` repairs it", file=sys.stderr)
    found = registry.versions(args.models_dir)
    if not found:
        print(f"no model versions in {args.models_dir}")
    for version in found:
        mark = "*" if version == current else " "
        try:
            manifest = registry.read_manifest(args.models_dir, version)
        except KakehashiError as exc:
            print(f"{mark} {version}  damaged: {exc}")
            continue
        metrics = manifest.get("metrics") or {}
        counts = ", ".join(f"{n} {k}" for k, n in (manifest.get("companies") or {}).items())
        mrr = ", ".join(f"{d} mrr={m['mrr']}" for d, m in metrics.items()) or "no metrics"
        print(f"{mark} {version}  {manifest.get('created_at', '')}  {counts}  {mrr}")
    return EXIT_OK


def cmd_promote(args: argparse.Namespace) -> int:
    """Promote a version."""
    previous = registry.promote(args.models_dir, args.version)
    print(f"promoted {args.version}" + (f" (was {previous})" if previous else ""))
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    """Roll back to the previously promoted version."""
    print(f"rolled back to {registry.rollback(args.models_dir)}")
    return EXIT_OK


def _country_counts(inputs: Inputs) -> dict[str, int]:
    return dict(sorted(Counter(c.country for c in inputs.companies).items()))


COMMANDS = {
    "validate": cmd_validate,
    "ids": cmd_ids,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "list": cmd_list,
    "promote": cmd_promote,
    "rollback": cmd_rollback,
}
