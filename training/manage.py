"""`python -m training list | promote | rollback | diff`: manage the saved model versions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kakehashi import diff, registry
from kakehashi.errors import KakehashiError, UsageError

EXIT_OK = 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register list, rollback, promote and diff on the CLI's subparsers."""
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
    diff_cmd = commands.add_parser(
        "diff", help="which partners entered or left each firm's top k between two versions"
    )
    diff_cmd.add_argument("a", help="the earlier version")
    diff_cmd.add_argument("b", help="the later version")
    diff_cmd.add_argument("--company", help="one firm's top k instead of the summary")
    diff_cmd.add_argument("--k", type=int, default=diff.DEFAULT_K, help="list length (default 10)")
    diff_cmd.add_argument("--json", action="store_true", help="print JSON instead of text")
    diff_cmd.add_argument("--models-dir", type=Path, default=Path("models"))


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


def cmd_diff(args: argparse.Namespace) -> int:
    """Print one firm's change of top k, or the summary over all firms, between two versions."""
    if not 1 <= args.k <= 100:
        raise UsageError("--k must be between 1 and 100")
    a = registry.load_version(args.models_dir, args.a).model
    b = registry.load_version(args.models_dir, args.b).model
    if args.company:
        found = diff.firm_diff(a, b, args.company, args.k)
        print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2) if args.json else "")
        if not args.json:
            print_firm(found, args.a, args.b)
        return EXIT_OK
    summary = diff.summarize(a, b, args.k)
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(summary, args.a, args.b)
    return EXIT_OK


def print_firm(found: diff.FirmDiff, a: str, b: str) -> None:
    """One firm's entered and left partners, for people."""
    print(f"{found.name} ({found.company_id}): top {len(found.after) or len(found.before)}")
    for version, present in ((a, found.in_a), (b, found.in_b)):
        if not present:
            print(f"  not in version {version}")
    print(f"  overlap {found.overlap}, Jaccard {found.jaccard:.2f}")
    print(f"  entered: {', '.join(found.entered) or '(none)'}")
    print(f"  left:    {', '.join(found.left) or '(none)'}")


def print_summary(summary: diff.DiffSummary, a: str, b: str) -> None:
    """The all-firms summary, for people."""
    print(f"{a} -> {b}: top {summary.k} of {summary.firms_compared} firms in both versions")
    print(f"  changed:      {summary.firms_changed} of {summary.firms_compared}")
    print(f"  mean overlap: {summary.mean_overlap:.2f} of {summary.k}")
    print(f"  mean Jaccard: {summary.mean_jaccard:.3f}")
    for label, ids in (("only in " + a, summary.only_in_a), ("only in " + b, summary.only_in_b)):
        if ids:
            print(f"  {label}: {len(ids)} firm(s): {', '.join(ids[:10])}")
    if summary.most_changed:
        print("  most changed:")
    for firm in summary.most_changed:
        print(
            f"    {firm.company_id}: Jaccard {firm.jaccard:.2f}, "
            f"+{len(firm.entered)} ({', '.join(firm.entered[:3])}), "
            f"-{len(firm.left)} ({', '.join(firm.left[:3])})"
        )


COMMANDS = {"list": cmd_list, "promote": cmd_promote, "rollback": cmd_rollback, "diff": cmd_diff}
