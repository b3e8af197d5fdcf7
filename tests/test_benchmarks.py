"""The benchmark runs once in smoke mode so it cannot rot; nothing here looks at the times."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest

from benchmarks import run, synthetic

TABLES = {
    "Training": ["N", "train s", "peak RSS GB"],
    "Fitted profiles": ["rows", "columns", "non-zeros"],
    "Ranking one JP firm": ["method", "p50 ms", "p99 ms", "p50 / model.rank", "top-10 overlap"],
}
RANKERS = [
    "model.rank live",
    "model.rank from precomputed",
    "precomputed lookup",
    "model.score_all",
    "NearestNeighbors",
    "cosine_similarity",
    "CSR q @ X.T",
]


@pytest.fixture(scope="module")
def smoke_output(tmp_path_factory) -> str:
    out = io.StringIO()
    workdir = tmp_path_factory.mktemp("bench")
    with contextlib.redirect_stdout(out):
        run.main(["--smoke", "--no-http", "--workdir", str(workdir)])
    return out.getvalue()


def section(output: str, title: str) -> list[str]:
    """The table lines under the `## title...` heading."""
    lines = output.split("## " + title, 1)[1].splitlines()[1:]
    return [line for line in lines[: lines.index("", 1)] if line.startswith("|")]


def test_synthetic_generate_is_seeded_and_shaped() -> None:
    rows = list(synthetic.generate(50, seed=3))
    assert rows == list(synthetic.generate(50, seed=3))
    assert [r["country"] for r in rows].count("JP") == 5
    assert all(r["id"].startswith("syn-") and r["description"] and r["sectors"] for r in rows)


def test_synthetic_write_csv_has_the_list_columns(tmp_path) -> None:
    path = synthetic.write_csv(tmp_path / "list.csv", 20)
    with path.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 20


@pytest.mark.slow
def test_benchmark_smoke_prints_machine(smoke_output: str) -> None:
    assert smoke_output.startswith("machine: ")


@pytest.mark.slow
@pytest.mark.parametrize(("title", "columns"), TABLES.items())
def test_benchmark_smoke_prints_each_table(smoke_output: str, title: str, columns: list) -> None:
    lines = section(smoke_output, title)
    assert all(column in lines[0] for column in columns)
    assert set(lines[1]) <= {"|", "-"}
    assert len(lines) >= 3


@pytest.mark.slow
def test_benchmark_smoke_ranks_with_every_method(smoke_output: str) -> None:
    body = "\n".join(section(smoke_output, "Ranking one JP firm")[2:])
    assert all(name in body for name in RANKERS)


def test_every_peer_built_in_turn_finds_the_exhaustive_cosine_top_10() -> None:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.metrics.pairwise import cosine_similarity

    from benchmarks import rank_bench

    rng = np.random.default_rng(3)
    candidates = sp.random(300, 40, density=0.3, format="csr", random_state=rng)
    query = sp.random(1, 40, density=0.5, format="csr", random_state=rng)
    exact = rank_bench.top_of(cosine_similarity(query, candidates)[0])
    built = []
    for name, build in rank_bench.peers(query, candidates):
        built.append(name)
        assert rank_bench.overlap(np.asarray(build()()), exact) == 1.0, name
    assert {"NearestNeighbors(cosine, brute)", "CSR q @ X.T + argpartition"} <= set(built)
