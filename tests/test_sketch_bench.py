"""benchmarks/sketch_bench.py compares the sketched live ranking with the exact one: its recall
is counted against the exact top 10, and re-ranking every candidate recalls all of it."""

from __future__ import annotations

import contextlib
import io

from benchmarks import sketch_bench
from kakehashi import registry, sketch


def test_the_twins_rank_one_exactly_and_the_others_through_a_sketch(model) -> None:
    exact, twins = sketch_bench.live_twins(model, [2, 3])
    assert exact.candidates_["IL"].sketch is None and exact.candidates_["IL"].dense32 is not None
    assert [t.candidates_["IL"].sketch.basis.shape[0] for t in twins.values()] == [2, 3]
    assert exact.partner_rows_ is None  # every ranking is live
    assert model.candidates_["IL"].sketch is None  # the model itself is left as it was


def test_parameters_are_restored_after_the_measurement() -> None:
    saved = sketch.POSTINGS_SHARE, sketch.RERANKED
    with sketch_bench.parameters(0.5, 3):
        assert (sketch.POSTINGS_SHARE, sketch.RERANKED, sketch.reranked(10)) == (0.5, 3, 10)
    assert saved == (sketch.POSTINGS_SHARE, sketch.RERANKED)


def test_re_ranking_few_candidates_loses_recall_and_everyone_recalls_all(model) -> None:
    exact, twins = sketch_bench.live_twins(model, [1])
    companies = [c for c in model.companies_ if c.country == "JP"]
    with sketch_bench.parameters(0.01, 1):  # one direction, one posting list, ten re-ranked
        few = sketch_bench.measure(exact, twins[1], companies)
    with sketch_bench.parameters(1.0, 10_000):
        everyone = sketch_bench.measure(exact, twins[1], companies)
    assert all(r == 1.0 for kind in sketch_bench.KINDS for r in everyone[kind]["recall"])
    assert min(few["known"]["recall"]) < 1.0  # the ten re-ranked miss some of the top 10


def test_benchmark_prints_one_row_per_combination(model, tmp_path) -> None:
    registry.promote(tmp_path, registry.save_version(tmp_path, model, {"companies": {}}))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        sketch_bench.main(["--models-dir", str(tmp_path), "--queries", "2", "--dimensions",
                           "2,4", "--shares", "1.0", "--reranked", "10000"])  # fmt: skip
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| 2 ")]
    rows += [line for line in out.getvalue().splitlines() if line.startswith("| 4 ")]
    assert len(rows) == 2
    assert all(row.split("|")[5].strip() == "1.000 / 1.000 / 1.000" for row in rows)
