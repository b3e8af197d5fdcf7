"""Train, rank and serve synthetic company lists of each size; print one table per measurement.

usage: python -m benchmarks [--sizes 1000,10000] [--bundled-models models] [--smoke] [--no-http]
                            [--trained MODELS_DIR ...]

`--sizes ""` with `--trained` ranks and serves models trained before (a 1M training takes half an
hour; benchmarks.stage_bench trains one stage by stage) without training anything.

Every table compares, in the same run, the model with its peers or its ceiling, so the ratios
hold on a noisy machine. Nothing here is part of the test suite; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import http_bench, rank_bench, train_bench
from benchmarks.tables import machine, table
from kakehashi.japanese import analysed_length
from kakehashi.registry import load_promoted
from service.match_schemas import PROFILE_LIMITS

SMOKE_SIZES = [200]


@dataclass(frozen=True)
class Subject:
    """A trained model to rank with and serve: a label, its size and its models folder."""

    label: str
    n: int
    models_dir: Path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--sizes", default="1000,10000", help="comma-separated N (default 1000,10000)"
    )
    parser.add_argument(
        "--bundled-models", type=Path, help="also rank and serve this promoted model"
    )
    parser.add_argument(
        "--trained",
        type=Path,
        action="append",
        default=[],
        metavar="MODELS_DIR",
        help="also rank and serve this promoted model, trained before (repeatable)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep lists and models here (default: a temp dir)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per ranking method")
    parser.add_argument("--seconds", type=float, default=10, help="load duration per endpoint")
    parser.add_argument("--connections", type=int, default=4, help="concurrent HTTP connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers under load")
    parser.add_argument("--memory-workers", default="1,4", help="worker counts of the memory table")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP and memory tables")
    parser.add_argument(
        "--precomputed", type=int, help="train with --precomputed K (0: no precomputed partners)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny N, few calls, 1 s loads: seconds"
    )
    args = parser.parse_args(argv)
    args.sizes = SMOKE_SIZES if args.smoke else [int(n) for n in args.sizes.split(",") if n]
    if args.smoke:
        args.repeat, args.seconds, args.memory_workers = 5, 1, "1,2"
    args.memory_workers = [int(n) for n in args.memory_workers.split(",")]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run every benchmark and print its table."""
    args = parse_args(argv)
    print(machine())
    print(f"load generator: {http_bench.load_generator()}; seed {args.seed}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        runs = train_bench.train_sizes(args.sizes, workdir, args.seed, args.precomputed)
        if runs:
            print(
                table(
                    "Training (python -m training train, child process)",
                    train_bench.TRAIN_HEADER,
                    train_bench.train_rows(runs),
                ),
                flush=True,
            )
        subjects = [Subject(f"{r.n:,}", r.n, r.models_dir) for r in runs]
        for models_dir in args.trained:
            n = len(load_promoted(models_dir).model.companies_)
            subjects.append(Subject(f"{n:,} (trained before)", n, models_dir))
        if args.bundled_models:
            bundled = len(load_promoted(args.bundled_models).model.companies_)
            subjects.insert(0, Subject(f"bundled {bundled}", bundled, args.bundled_models))
        rank_table(subjects, args.repeat)
        if not args.no_http:
            http_table(subjects, args)
            memory_table(subjects, args.memory_workers)


def rank_table(subjects: list[Subject], repeat: int) -> None:
    """Ranking core latency, model against peers, per subject."""
    rows, shapes = [], []
    for subject in subjects:
        results, info = rank_bench.bench_rank(subject.models_dir, repeat)
        for row in rank_bench.rank_rows(subject.n, results):
            rows.append([subject.label, *row[1:]])
        rows_, cols = info["shape"]
        shapes.append(
            [
                subject.label,
                f"{rows_:,}",
                f"{cols:,}",
                f"{info['nnz']:,}",
                f"{info['candidates']:,}",
                f"{info['load_s']:.2f}",
            ]
        )
    print(
        table(
            "Fitted profiles (the vectors every method ranks)",
            ["N", "rows", "columns", "non-zeros", "IL candidates", "model load s"],
            shapes,
        )
    )
    header = ["N", *rank_bench.RANK_HEADER[1:]]
    print(
        table(f"Ranking one JP firm against every IL firm ({repeat} calls)", header, rows),
        flush=True,
    )


def endpoints(
    models_dir: Path,
) -> list[tuple[str, str, str | list[str], bytes | list[bytes] | None]]:
    """(name, method, path, body) of each endpoint under load, the /healthz ceiling first."""
    model = load_promoted(models_dir).model
    firm = next(c for c in model.companies_ if c.country == "JP")
    profile = {
        "name": "Ad hoc",
        "country": "JP",
        "sectors": list(firm.sectors),
        "description": firm.description,
        "interests": firm.interests,
    }
    query = urllib.parse.quote(firm.name[:4])  # on the synthetic lists, every firm's prefix
    name = urllib.parse.quote(firm.name)
    return [
        ("GET /healthz", "GET", "/healthz", None),
        ("GET /v1/companies/<id>/partners", "GET", f"/v1/companies/{firm.id}/partners", None),
        ("GET .../partners, every id in turn", "GET", http_bench.every_partners_path(model), None),
        ("POST /v1/match", "POST", "/v1/match", json.dumps({"profile": profile}).encode()),
        ("POST /v1/match, every firm's profile in turn", "POST", "/v1/match", every_profile(model)),
        (f"GET /v1/companies?q={query}", "GET", f"/v1/companies?q={query}", None),
        ("GET /v1/companies?q=<one firm's name>", "GET", f"/v1/companies?q={name}", None),
    ]


def every_profile(model) -> list[bytes]:
    """A /v1/match body per firm of the model (its country, sectors, description and interests,
    within the caps), in id order (http_bench.rotation): a load no cache of answers serves."""
    found = []
    for firm in http_bench.rotation(model):
        profile = {"country": firm.country, "sectors": list(firm.sectors[:20])}
        for field in ("description", "interests"):
            text = getattr(firm, field)
            if text and analysed_length(text) <= PROFILE_LIMITS[field]:
                profile[field] = text
        found.append(json.dumps({"profile": profile}).encode())
    return found


def http_table(subjects: list[Subject], args: argparse.Namespace) -> None:
    """Requests/s and latency of each endpoint as a fraction of the /healthz ceiling."""
    rows = []
    for subject in subjects:
        with http_bench.gunicorn(subject.models_dir, args.workers) as server:
            loads = [
                http_bench.hammer(
                    server.port, name, method, path, body, args.seconds, args.connections
                )
                for name, method, path, body in endpoints(subject.models_dir)
            ]
        ceiling = loads[0].rps
        rows += [
            [
                subject.label,
                load.name,
                f"{load.rps:,.1f}",
                f"{load.rps / ceiling:.3f}",
                f"{load.p50_ms:.2f}",
                f"{load.p99_ms:.2f}",
                load.errors,
            ]
            for load in loads
        ]
        print(f"  served n={subject.n}", file=sys.stderr, flush=True)
    title = (
        f"HTTP on loopback ({http_bench.load_generator()}, {args.connections} connections, "
        f"{args.seconds:g} s each, {args.workers} gunicorn workers)"
    )
    header = ["N", "endpoint", "req/s", "of /healthz", "p50 ms", "p99 ms", "errors"]
    print(table(title, header, rows), flush=True)


def memory_table(subjects: list[Subject], worker_counts: list[int]) -> None:
    """RSS and PSS of gunicorn (master and workers) per worker count, and time to ready."""
    rows = []
    for subject in subjects:
        base = None
        for workers in worker_counts:
            with http_bench.gunicorn(subject.models_dir, workers) as server:
                rss, pss = http_bench.memory_gb(server.pid)
            base = base or pss
            rows.append(
                [
                    subject.label,
                    workers,
                    f"{rss:.2f}",
                    f"{pss:.2f}",
                    f"{pss / base:.2f}x",
                    f"{server.ready_s:.1f}",
                ]
            )
    header = ["N", "workers", "RSS GB", "PSS GB", "PSS vs first", "start to all loaded s"]
    print(table("gunicorn memory (master + workers, /proc/<pid>/smaps_rollup)", header, rows))


if __name__ == "__main__":
    main()
