"""benchmarks/ivf_bench.py measures what probing k-means lists keeps of the exhaustive top 10. Its
figures rest on a list's centroid score being the mean of its members' scores, and on the
recall and probed shares being counted right."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from benchmarks import bound_bench, ivf_bench
from kakehashi import registry
from kakehashi.similarity import top_positions


@pytest.fixture(scope="module")
def query_list(model) -> list[bound_bench.Query]:
    return list(bound_bench.queries(model, 5))


@pytest.fixture(scope="module")
def lists(model) -> ivf_bench.Lists:
    return ivf_bench.inverted_lists(model, 4)


def test_linear_scores_clipped_to_the_unit_interval_are_the_final_scores(model, query_list):
    for query in query_list:
        linear = ivf_bench.linear_scores(model, query)
        assert np.allclose(np.clip(linear, 0.0, 1.0), query.final, atol=1e-9)


def test_lists_stay_within_one_seeking_group_and_none_is_empty(model, lists) -> None:
    groups = model.candidates_["IL"].groups
    assert lists.sizes.min() >= 1 and lists.sizes.sum() == groups.size
    for label in range(lists.sizes.size):
        assert np.unique(groups[lists.labels == label]).size == 1


def test_a_centroid_score_is_the_centroid_of_the_members_scored(model, query_list, lists):
    """What an IVF index computes (the query against each list's mean vector) equals the mean
    of the members' scores, because a score is linear in the candidate within a group."""
    index, hubs = model.candidates_["IL"], model.candidate_hubs_["IL"]
    query = query_list[0]
    rows = bound_bench.candidate_rows(model)
    for label in range(min(lists.sizes.size, 6)):
        members = lists.labels == label
        group = int(index.groups[members][0])
        sparse_centre = np.asarray(rows[members].mean(axis=0))[0]
        centre = (
            query.sparse_row.toarray()[0] @ sparse_centre
            + index.dense[members].mean(axis=0) @ query.dense[group]
            - query.scale * hubs[members].mean()
        )
        found = ivf_bench.centroid_scores(lists, ivf_bench.linear_scores(model, query))[label]
        assert found == pytest.approx(centre, abs=1e-9)


def test_probing_every_list_recalls_the_exhaustive_top_ten(model, query_list, lists) -> None:
    for query in query_list:
        order = np.arange(lists.sizes.size)
        assert ivf_bench.recall(query.final, ivf_bench.probed(lists, order, 1.0)) == 1.0


def test_probing_only_the_lists_without_the_top_ten_recalls_nothing(query_list, lists) -> None:
    query = query_list[0]
    best = top_positions(query.final, ivf_bench.TOP_K)
    outside = np.setdiff1d(np.arange(lists.sizes.size), np.unique(lists.labels[best]))
    scored = np.flatnonzero(np.isin(lists.labels, outside))
    assert ivf_bench.recall(query.final, scored) == 0.0


def test_probed_share_grows_with_the_share_asked(lists) -> None:
    order = np.arange(lists.sizes.size)
    sizes = [ivf_bench.probed(lists, order, share).size for share in (0.1, 0.3, 0.6, 1.0)]
    assert sizes == sorted(sizes) and sizes[-1] == lists.labels.size
    assert sizes[0] >= 0.1 * lists.labels.size


def test_the_oracle_never_probes_more_than_any_ordering(query_list, lists) -> None:
    for query in query_list:
        order = np.random.default_rng(0).permutation(lists.sizes.size)
        oracle = ivf_bench.oracle_share(lists, query.final)
        assert 0.0 < oracle <= ivf_bench.full_recall_share(lists, query.final, order) <= 1.0


def test_benchmark_prints_recall_per_probed_share(model, tmp_path) -> None:
    registry.promote(tmp_path, registry.save_version(tmp_path, model, {"companies": {}}))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ivf_bench.main(["--models-dir", str(tmp_path), "--queries", "3", "--sizes", "5",
                        "--probes", "0.1,1.0"])  # fmt: skip
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| 5 ")]
    assert [row.split("|")[4].strip() for row in rows] == ["10%", "100%", "until all 10"]
    assert float(rows[1].split("|")[5]) == 1.0
