"""`python -m kakehashi schedule|briefing`: the API's planner endpoints as commands.

A request comes from a JSON file (`--request`, the body of the API) and/or flags, which override
the file's fields. Exit codes: 0 success, 2 a mistake in the input (the message names it, with
the file and line for JSON; no promoted model in --models-dir), 1 anything else (a damaged
artifact, no schedule found within the time limit).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kakehashi import registry
from kakehashi.errors import (
    InfeasibleScheduleError,
    KakehashiError,
    ModelNotFoundError,
    PlannerRequestError,
    UnknownVersionError,
)
from kakehashi.planner import exports
from kakehashi.planner.briefing import briefing_csv, briefing_xlsx, build_briefing
from kakehashi.planner.parse import parse_briefing, parse_request
from kakehashi.planner.schedule import build_schedule

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2
USER_MISTAKES = (
    PlannerRequestError,
    InfeasibleScheduleError,
    ModelNotFoundError,
    UnknownVersionError,
)


class InputError(Exception):
    """A file or flag the command cannot use (exit 2)."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of both subcommands."""
    parser = argparse.ArgumentParser(
        prog="python -m kakehashi", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    schedule = commands.add_parser("schedule", help="plan a delegation's meetings")
    briefing = commands.add_parser("briefing", help="the top k partners of every delegation firm")
    for sub in (schedule, briefing):
        sub.add_argument("--models-dir", type=Path, default=Path("models"))
        sub.add_argument("--request", type=Path, help="a JSON request file (the API's body)")
        sub.add_argument("--japanese", action="append", default=[], help="a Japanese id (repeat)")
        sub.add_argument("--japanese-file", type=Path, help="a file of Japanese ids, one a line")
        sub.add_argument("--skip-known", action="store_true", default=None)
        sub.add_argument(
            "--data-dir", type=Path, help="skip the pairs its feedback marks not relevant"
        )
        sub.add_argument(
            "--output", "-o", type=Path, help="where to write (JSON: stdout when absent)"
        )
    schedule.add_argument(
        "--day", action="append", default=[], metavar="DATE,VENUE,SLOTS[,START[,MINUTES]]"
    )
    schedule.add_argument("--israeli-capacity", type=int)
    schedule.add_argument("--japanese-min", type=int)
    schedule.add_argument("--japanese-max", type=int)
    schedule.add_argument("--min-score", type=float)
    schedule.add_argument("--max-travel-minutes", type=int)
    schedule.add_argument("--time-limit", type=float, dest="time_limit_seconds")
    schedule.add_argument("--format", choices=("json", "csv", "xlsx", "ics"), default="json")
    schedule.add_argument("--firm", default="", help="with --format ics: one firm's calendar")
    briefing.add_argument("--top-k", type=int)
    briefing.add_argument("--format", choices=("json", "csv", "xlsx"), default="csv")
    return parser


def read_json(path: Path) -> dict:
    """A JSON request file (InputError naming the file and line)."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None


def read_ids(path: Path) -> list[str]:
    """Ids from a file, one a line (blank lines and lines starting with # are skipped)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as UTF-8 text ({exc})") from None
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def parse_day(text: str) -> dict:
    """A --day flag as a day of the request."""
    parts = [part.strip() for part in text.split(",")]
    if not 3 <= len(parts) <= 5:
        raise InputError(f"--day {text!r}: give DATE,VENUE,SLOTS[,START[,SLOT_MINUTES]]")
    names = ("date", "venue", "slots", "start", "slot_minutes")
    day: dict[str, object] = dict(zip(names, parts, strict=False))
    for name in ("slots", "slot_minutes"):
        if name in day:
            try:
                day[name] = int(str(day[name]))
            except ValueError:
                raise InputError(f"--day {text!r}: {name} must be an integer") from None
    return day


def document(args: argparse.Namespace) -> dict:
    """The request document: the file's, with the flags' fields on top."""
    doc = read_json(args.request) if args.request else {}
    if not isinstance(doc, dict):
        raise InputError(f"{args.request}: must hold a JSON object")
    ids = list(args.japanese) + (read_ids(args.japanese_file) if args.japanese_file else [])
    if ids:
        doc["japanese_ids"] = ids
    if args.skip_known is not None:
        doc["skip_known"] = True
    if args.command == "briefing":
        if args.top_k is not None:
            doc["top_k"] = args.top_k
        return doc
    if args.day:
        doc["days"] = [parse_day(text) for text in args.day]
    capacity = dict(doc.get("capacity") or {})
    for flag, name in (("israeli_capacity", "israeli_default"), ("japanese_min", "japanese_min"),
                       ("japanese_max", "japanese_max")):  # fmt: skip
        if getattr(args, flag) is not None:
            capacity[name] = getattr(args, flag)
    if capacity:
        doc["capacity"] = capacity
    for name in ("min_score", "max_travel_minutes", "time_limit_seconds"):
        if getattr(args, name) is not None:
            doc[name] = getattr(args, name)
    return doc


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (temp file in the same folder, then os.replace)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist")
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def not_relevant(args: argparse.Namespace) -> set[tuple[str, str]]:
    """The pairs the data directory's feedback marks not relevant (none without --data-dir)."""
    if args.data_dir is None:
        return set()
    from kakehashi.feedback import FeedbackStore  # only when asked: it opens a database

    store = FeedbackStore.in_dir(args.data_dir)
    try:
        return set(store.not_relevant_pairs())
    finally:
        store.close()


def run_schedule(args: argparse.Namespace) -> bytes:
    """The schedule in the requested format."""
    if args.firm and args.format != "ics":
        raise InputError("--firm: only with --format ics")
    plan = parse_request(document(args))
    loaded = registry.load_promoted(args.models_dir)
    found = build_schedule(loaded.model, plan, not_relevant(args))
    if args.format == "json":
        body = {"model_version": loaded.version, **found.to_dict()}
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if args.format == "ics" and args.firm:
        if args.firm not in found.firms():
            raise InputError(f"--firm: {args.firm!r} has no meeting in this schedule")
        return exports.firm_ics(found, args.firm)
    writer = {
        "csv": exports.schedule_csv,
        "xlsx": exports.schedule_xlsx,
        "ics": exports.schedule_ics_zip,
    }
    return writer[args.format](found)


def run_briefing(args: argparse.Namespace) -> bytes:
    """The briefing in the requested format."""
    wanted = parse_briefing(document(args))
    loaded = registry.load_promoted(args.models_dir)
    rows = build_briefing(loaded.model, wanted, not_relevant(args))
    if args.format == "json":
        body = {"model_version": loaded.version, "rows": [row.to_dict() for row in rows]}
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return briefing_csv(rows) if args.format == "csv" else briefing_xlsx(rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.output is None and args.format not in ("json", "csv"):
            raise InputError(f"--format {args.format}: give --output FILE")
        data = run_schedule(args) if args.command == "schedule" else run_briefing(args)
        if args.output is None:
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            write_atomic(args.output, data)
            print(f"wrote {args.output}", file=sys.stderr)
    except (InputError, *USER_MISTAKES) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KakehashiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK
