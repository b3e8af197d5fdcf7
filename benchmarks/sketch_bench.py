"""The sketched first stage of a long list's live ranking: its recall@10 and its time.

usage: python -m benchmarks.sketch_bench --models-dir DIR [--queries 100] [--dimensions 32,64]
       [--shares 0.1,0.2] [--reranked 500,1000]

For Japanese firms of the model against the Israeli candidates, in three kinds of live ranking
(the firm as the model knows it, its record sent as an ad-hoc profile, and the firm with its
first sector as a filter), this ranks the top 10 twice, in turn: exactly (the float32 shortlist
and exact scores, kakehashi/shortlist.py: the exhaustive top 10) and with the sketch
(kakehashi/sketch.py), for each combination of the sketch's directions, the share of posting
entries its first stage walks and the candidates it re-ranks. It prints the recall@10 of the
sketched ranking against the exact one and both times. The model's Israeli index is sketched here
whatever its size, so that the benchmark also runs on lists below sketch.SKETCH_FROM.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from benchmarks.tables import machine, percentile, table
from kakehashi import sketch
from kakehashi.queries import NO_FILTERS, Filters
from kakehashi.registry import load_promoted

TOP_K = 10
KINDS = ("known", "ad hoc", "filtered")


def live_twins(model, dimensions: Sequence[int]):
    """The model ranking live exactly, and one twin per sketch size ranking through it."""
    exact = copy.copy(model)
    exact.partner_rows_ = exact.partner_scores_ = exact.explained_ = None
    index = model.candidates_["IL"]
    exact.candidates_ = dict(model.candidates_)
    exact.candidates_["IL"] = dataclasses.replace(
        index, dense32=index.dense.astype(np.float32), sketch=None
    )
    twins = {}
    for size in dimensions:
        twin = copy.copy(exact)
        twin.candidates_ = dict(exact.candidates_)
        fitted = sketch.fit_sketch(index.dense, index.groups, size)
        twin.candidates_["IL"] = dataclasses.replace(index, dense32=None, sketch=fitted)
        twins[size] = twin
    return exact, twins


@contextmanager
def parameters(share: float, reranked: int):
    """The first stage's share of posting entries and re-ranked candidates, for a while."""
    saved = sketch.POSTINGS_SHARE, sketch.RERANKED, sketch.RERANKED_PER_RESULT
    sketch.POSTINGS_SHARE, sketch.RERANKED, sketch.RERANKED_PER_RESULT = share, reranked, 1
    try:
        yield
    finally:
        sketch.POSTINGS_SHARE, sketch.RERANKED, sketch.RERANKED_PER_RESULT = saved


def query_of(model, company, kind: str):
    """A fresh query (no memo) and filters of one kind for a firm of the model."""
    if kind == "ad hoc":
        return model.query_for_profile(company), NO_FILTERS
    filters = Filters(sectors=company.sectors[:1]) if kind == "filtered" else NO_FILTERS
    return model.query_for(company.id), filters


def timed_rank(model, company, kind: str) -> tuple[set[str], float]:
    """The ids of a live top 10 and the seconds `rank` took (the query built beforehand)."""
    query, filters = query_of(model, company, kind)
    started = time.perf_counter()
    found = model.rank(query, TOP_K, filters)
    return {m.company.id for m in found}, time.perf_counter() - started


def recall(expected: set[str], found: set[str]) -> float:
    """The share of the exact top 10 found (1.0 when both are empty: no firm passed a filter)."""
    return len(expected & found) / len(expected) if expected else float(not found)


def measure(exact, twin, companies: list) -> dict[str, list]:
    """Per kind: each query's recall@10, and the seconds of the sketched and exact rankings."""
    found = {kind: {"recall": [], "sketched": [], "exact": []} for kind in KINDS}
    for company in companies:
        for kind in KINDS:
            expected, exact_seconds = timed_rank(exact, company, kind)
            ranked, seconds = timed_rank(twin, company, kind)
            row = found[kind]
            row["recall"].append(recall(expected, ranked))
            row["sketched"].append(seconds)
            row["exact"].append(exact_seconds)
    return found


def rows(model, count: int, dimensions, shares, reranked) -> list[list[object]]:
    """The table's rows: one per sketch size, posting share and re-ranked candidates."""
    japanese = np.random.default_rng(0).permutation(model.country_rows_["JP"])[:count]
    companies = [model.companies_[int(row)] for row in japanese]
    exact, twins = live_twins(model, dimensions)
    found = []
    for size, share, reranked_count in (
        (d, s, r) for d in dimensions for s in shares for r in reranked
    ):
        with parameters(share, reranked_count):
            measured = measure(exact, twins[size], companies)
        recalls = [measured[kind]["recall"] for kind in KINDS]
        every = [r for kind in recalls for r in kind]
        sketched = [s for kind in KINDS for s in measured[kind]["sketched"]]
        exact_times = [s for kind in KINDS for s in measured[kind]["exact"]]
        found.append([
            size, f"{share:.0%}", reranked_count, len(every),
            " / ".join(f"{np.mean(r):.3f}" for r in recalls), min(every),
            float(np.mean([r >= 0.99 for r in every])),
            percentile(sketched, 50) * 1e3, percentile(sketched, 99) * 1e3,
            percentile(exact_times, 50) * 1e3, percentile(exact_times, 99) * 1e3,
            f"{percentile(exact_times, 50) / percentile(sketched, 50):.2f}x",
        ])  # fmt: skip
    return found


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--dimensions", default=str(sketch.DIMENSIONS))
    parser.add_argument("--shares", default=str(sketch.POSTINGS_SHARE))
    parser.add_argument("--reranked", default=str(sketch.RERANKED))
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    model = load_promoted(args.models_dir).model
    dimensions = [int(d) for d in _floats(args.dimensions)]
    reranked = [int(r) for r in _floats(args.reranked)]
    found = rows(model, args.queries, dimensions, _floats(args.shares), reranked)
    candidates = model.country_rows_["IL"].size
    print(table(
        f"Sketched live ranking against the exact one: JP firms against {candidates:,} IL firms",
        ["directions", "postings walked", "re-ranked", "rankings",
         "recall@10 mean (known / ad hoc / filtered)", "min", "rankings >= 0.99",
         "sketched p50 ms", "p99", "exact p50 ms", "p99", "exact / sketched p50"],
        found,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
