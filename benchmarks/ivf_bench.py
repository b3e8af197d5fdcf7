"""Would an approximate first stage keep the top 10? Probing k-means lists (IVF), measured.

usage: python -m benchmarks.ivf_bench --models-dir DIR [--queries 30] [--sizes 100,300,1000]
       [--probes 0.01,0.02,0.05,0.1,0.2,0.5]

The usual route to a fast live ranking when exact bounds cannot skip enough (bound_bench.py) is an
inverted file: the candidates are cut into lists by k-means, a query scores every list's centroid,
and only the candidates of the best lists are scored exactly (faiss's IndexIVFFlat; the issue
allows recall@10 >= 0.99). For Japanese firms of the model against the Israeli candidates this
prints, per list size and share of candidates probed, the recall@10 against the exhaustive ranking,
and the share a query must probe to keep all ten.

- Lists are k-means clusters of the candidates' dense rows (the latent space and the columns on
  half the firms), within each seeking group, so that a final score is linear in the candidate
  inside a list: a list's centroid score is then exactly the mean of its members' linear scores
  (sparse part, dense part, less the hub penalty), which is what this computes.
- Probing takes lists in order of centroid score until the share of candidates is reached.
- "Lists holding the top 10" is the least any ordering of the same lists could probe for a full
  recall (an oracle): the lists themselves, not the order, bound it.
- "Centroid non-zeros / postings" is the cost of scoring the centroids against a full scan's: a
  centroid's sparse part is the union of its members' terms.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import MiniBatchKMeans

from benchmarks.bound_bench import Query, candidate_rows, queries
from benchmarks.tables import machine, table
from kakehashi import retrieval, similarity
from kakehashi.registry import load_promoted

TOP_K = 10
PROBES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5)


@dataclass(frozen=True)
class Lists:
    """The candidates (positions in the Israeli index) cut into inverted lists."""

    labels: np.ndarray  # each candidate's list
    sizes: np.ndarray  # candidates per list


def inverted_lists(model, size: int, seed: int = 0) -> Lists:
    """k-means lists of about `size` candidates over the dense rows, within each seeking group."""
    index = model.candidates_["IL"]
    labels = np.empty(index.groups.size, dtype=np.int64)
    first = 0
    for group in np.unique(index.groups):
        members = np.flatnonzero(index.groups == group)
        count = max(1, min(members.size, round(members.size / size)))
        fitted = MiniBatchKMeans(n_clusters=count, random_state=seed, n_init=1)
        found = fitted.fit_predict(index.dense[members])
        labels[members] = first + np.unique(found, return_inverse=True)[1]  # no empty lists
        first = labels[members].max() + 1
    return Lists(labels, np.bincount(labels))


def linear_scores(model, query: Query) -> np.ndarray:
    """Each candidate's final score before the clip to [0, 1]: linear in the candidate."""
    index = model.candidates_["IL"]
    found = retrieval.postings_product(index, query.sparse_row)[0]
    for group, values in query.dense.items():
        members = index.groups == group
        found[members] += index.dense[members] @ values
    return found - query.scale * model.candidate_hubs_["IL"]


def centroid_scores(lists: Lists, linear: np.ndarray) -> np.ndarray:
    """Each list's centroid score: the mean of its members' linear scores (by linearity)."""
    return np.bincount(lists.labels, weights=linear, minlength=lists.sizes.size) / lists.sizes


def probed(lists: Lists, order: np.ndarray, share: float) -> np.ndarray:
    """The candidates of the first lists in `order` that reach `share` of all candidates."""
    reach = np.cumsum(lists.sizes[order])
    taken = order[: int(np.searchsorted(reach, share * lists.labels.size)) + 1]
    return np.flatnonzero(np.isin(lists.labels, taken))


def recall(final: np.ndarray, scored: np.ndarray) -> float:
    """Recall@10 of ranking only the `scored` candidates against the exhaustive top 10."""
    exact = similarity.top_positions(final, TOP_K)
    found = scored[similarity.top_positions(final[scored], TOP_K)]
    return np.intersect1d(exact, found).size / exact.size


def full_recall_share(lists: Lists, final: np.ndarray, order: np.ndarray) -> float:
    """The share of candidates probed, in `order`, until every list of the top 10 is in."""
    needed = np.unique(lists.labels[similarity.top_positions(final, TOP_K)])
    last = np.flatnonzero(np.isin(order, needed)).max()
    return float(lists.sizes[order[: last + 1]].sum() / lists.labels.size)


def oracle_share(lists: Lists, final: np.ndarray) -> float:
    """The share of candidates in the lists that hold the top 10: no ordering probes fewer."""
    needed = np.unique(lists.labels[similarity.top_positions(final, TOP_K)])
    return float(lists.sizes[needed].sum() / lists.labels.size)


def centroid_nonzeros(model, lists: Lists) -> float:
    """The centroids' sparse non-zeros over the postings' (scoring them against a full scan)."""
    rows = candidate_rows(model)
    member = sp.csr_matrix(
        (np.ones(lists.labels.size), (lists.labels, np.arange(lists.labels.size)))
    )
    return (member @ rows).nnz / max(rows.nnz, 1)


def rows_for(model, query_list: list[Query], size: int, probes: Sequence[float]) -> list[list]:
    """The table's rows for one list size: recall per probe share, then the full-recall shares."""
    lists = inverted_lists(model, size)
    finals = [q.final for q in query_list]
    orders = [np.argsort(-centroid_scores(lists, linear_scores(model, q)), kind="stable")
              for q in query_list]  # fmt: skip
    head = [size, lists.sizes.size, centroid_nonzeros(model, lists)]
    found = []
    for share in probes:
        recalls = [recall(f, probed(lists, o, share)) for f, o in zip(finals, orders, strict=True)]
        at_least = np.mean([r >= 0.99 for r in recalls])
        found.append([*head, f"{share:.0%}", float(np.mean(recalls)), min(recalls), at_least])
    full = [full_recall_share(lists, f, o) for f, o in zip(finals, orders, strict=True)]
    oracle = [oracle_share(lists, f) for f in finals]
    found.append([*head, "until all 10", float(np.mean(full)), float(np.max(full)),
                  f"oracle {np.mean(oracle):.3g} (max {np.max(oracle):.3g})"])  # fmt: skip
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--sizes", default="100,300,1000", help="list sizes, comma-separated")
    parser.add_argument("--probes", default=",".join(str(p) for p in PROBES))
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    model = load_promoted(args.models_dir).model
    query_list = list(queries(model, args.queries))
    probes = [float(p) for p in args.probes.split(",")]
    found = []
    for size in (int(s) for s in args.sizes.split(",")):
        found += rows_for(model, query_list, size, probes)
    candidates = model.country_rows_["IL"].size
    print(table(
        f"Probing k-means lists: {len(query_list)} JP firms against {candidates:,} IL firms",
        ["list size", "lists", "centroid non-zeros / postings", "probed",
         "recall@10 mean (or share probed)", "min (or max)", "queries >= 0.99"],
        found,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
