"""Which defaults generalize: a few configurations on every evaluation list, in both directions.

    .venv/bin/python tools/quality_sweep.py

The defaults are what a list without partnerships is ranked with, so each configuration is
scored with fixed weights (nothing learned) on the bundled list and its re-described copies
(data/eval: the Japanese-language list and the independently rewritten profiles), forward and
backward, and compared with the best of TF-IDF and BM25 on the same queries. A configuration
earns its place by its worst margin over all of them, not its best. A report, not a test.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kakehashi.partnerships import partners_by  # noqa: E402
from kakehashi.scoring import DEFAULT_WEIGHTS  # noqa: E402
from training.baselines import baseline_outcomes  # noqa: E402
from training.evaluate import DIRECTIONS, candidate_ids, run_queries, summarize  # noqa: E402
from training.train import build_model, load_inputs  # noqa: E402
from training.variants import apply_variant  # noqa: E402

LISTS = {
    "bundled": None,
    "japanese": REPO / "data/eval/japanese_firms_ja.csv",
    "rewritten": REPO / "data/eval/rewritten.csv",
}
PEERS = ("TF-IDF cosine", "BM25")


def normalized(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {name: value / total for name, value in weights.items()}


PREVIOUS = {
    "sectors": 0.25,
    "words": 0.10,
    "chars": 0.05,
    "latent": 0.10,
    "interests": 0.25,
    "sought_sectors": 0.25,
}  # the defaults before this sweep
CONFIGURATIONS = {
    "defaults": DEFAULT_WEIGHTS,
    "previous defaults": PREVIOUS,
    "previous, no latent view": normalized({**PREVIOUS, "latent": 0.0}),
    "defaults with a latent view": {"sectors": 0.15, "words": 0.20, "chars": 0.10, "latent": 0.05,
                                    "interests": 0.35, "sought_sectors": 0.15},
    "equal": {name: 1 / 6 for name in DEFAULT_WEIGHTS},
}  # fmt: skip
HUB_WEIGHTS = (0.0, 0.5, 1.0)


def configured(model, weights: dict[str, float], hub_weight: float):
    """The fitted model scoring with other weights and another hub weight."""
    twin = copy.copy(model)
    twin.hub_weight = hub_weight
    return twin.with_weights(weights)


def main() -> None:
    """Print each configuration's MRR per list and direction, and its worst margin over peers."""
    inputs = load_inputs(REPO / "data/companies.csv", REPO / "data/partnerships.csv")
    conditions = []
    for name, path in LISTS.items():
        listed = apply_variant(inputs, path) if path else inputs
        model = build_model(listed).set_params(learn=False).fit(listed.companies)
        for direction, country in DIRECTIONS.items():
            queries = partners_by(listed.partnerships, country)
            peers = baseline_outcomes(listed.companies, listed.partnerships, country)
            best_peer = max(summarize(peers[p])["mrr"] for p in PEERS)
            candidates = candidate_ids(listed.companies, country)
            conditions.append((f"{name} {direction}", model, queries, candidates, best_peer))
    header = "".join(f"{label:>22}" for label, *_ in conditions)
    print(f"{'configuration':<34}{header}{'worst margin':>14}")
    print(f"{'best of TF-IDF and BM25':<34}" + "".join(f"{c[-1]:>22.3f}" for c in conditions))
    for label, weights in CONFIGURATIONS.items():
        for hub_weight in HUB_WEIGHTS:
            values, margins = [], []
            for _, model, queries, candidates, best_peer in conditions:
                scorer = configured(model, weights, hub_weight).candidate_scores
                mrr = summarize(run_queries(scorer, candidates, queries))["mrr"]
                values.append(mrr)
                margins.append(mrr - best_peer)
            row = "".join(f"{v:>22.3f}" for v in values)
            print(f"{label + f', hub {hub_weight}':<34}{row}{min(margins):>+14.3f}")


if __name__ == "__main__":
    main()
