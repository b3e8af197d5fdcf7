"""Which defaults generalize: a few configurations on every evaluation list, in both directions.

    .venv/bin/python tools/quality_sweep.py                 # the whole lists only (a minute)
    .venv/bin/python tools/quality_sweep.py --sublists 5    # and 5 sub-lists of each shape
    .venv/bin/python tools/quality_sweep.py --set sector_idf=False   # another vectorizer

The defaults are what a list without partnerships is ranked with, so each configuration is
scored with fixed weights (nothing learned) on the bundled list and its re-described copies
(data/eval: the Japanese-language list and the independently rewritten profiles), forward and
backward, and compared with the best of TF-IDF and BM25 on the same queries. With `--sublists`,
the same on smaller lists drawn from each (tools/sublists.py: the shapes of issue 9's unseen
lists), averaged over the seeds. A configuration earns its place by its worst margin over all
conditions, not its best. A report, not a test.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kakehashi.partnerships import partners_by  # noqa: E402
from kakehashi.scoring import DEFAULT_WEIGHTS, default_weights  # noqa: E402
from tools.sublists import SHAPES, draw  # noqa: E402
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
PREVIOUS = {
    "sectors": 0.16, "words": 0.21, "chars": 0.10, "latent": 0.0, "interests": 0.37,
    "sought_sectors": 0.16,
}  # the defaults before the sub-list sweep  # fmt: skip


def sector_scaled(weights: dict[str, float], factor: float) -> dict[str, float]:
    """The weights with both sector components times `factor`, renormalized."""
    scaled = {
        name: value * (factor if name in ("sectors", "sought_sectors") else 1.0)
        for name, value in weights.items()
    }
    total = sum(scaled.values())
    return {name: value / total for name, value in scaled.items()}


CONFIGURATIONS = {
    "defaults": DEFAULT_WEIGHTS,
    "previous defaults": PREVIOUS,
    "previous, sectors x0.25": sector_scaled(PREVIOUS, 0.25),
    "previous, sectors x1.5": sector_scaled(PREVIOUS, 1.5),
    "previous, no sectors": sector_scaled(PREVIOUS, 0.0),
    "equal": {name: 1 / 6 for name in DEFAULT_WEIGHTS},
    **{f"defaults without {name}": default_weights({name}) for name in ("words", "chars")},
}
HUB_WEIGHTS = (0.5, 1.0)


def configured(model, weights: dict[str, float], hub_weight: float):
    """The fitted model scoring with other weights and another hub weight."""
    twin = copy.copy(model)
    twin.hub_weight = hub_weight
    return twin.with_weights(weights)


def drawn_lists(seeds: int):
    """(column label, inputs) of every list: the whole ones, then the sub-lists of each shape."""
    inputs = load_inputs(REPO / "data/companies.csv", REPO / "data/partnerships.csv")
    for name, path in LISTS.items():
        listed = apply_variant(inputs, path) if path else inputs
        yield f"{name}", listed
        for size in SHAPES.values():
            for seed in range(seeds):
                yield f"{name}, {size[0]} deals", draw(listed, size, seed)


def vectorizer_setting(text: str) -> tuple[str, object]:
    """`PARAM=VALUE` (a Python literal) of `--set`."""
    name, _, value = text.partition("=")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(f"{text!r}: expected PARAM=<Python literal>") from None


def fitted(listed, settings: dict[str, object]):
    """The model of a list with fixed weights, its vectorizer changed by `settings`."""
    model = build_model(listed).set_params(learn=False, precomputed=0)
    model.vectorizer.set_params(**settings)
    return model.fit(listed.companies)


def margins(
    seeds: int, settings: dict[str, object]
) -> tuple[list[str], dict[str, dict[str, list[float]]]]:
    """Per configuration and column (list, direction), each drawn list's MRR minus its best peer."""
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    columns: list[str] = []
    for label, listed in drawn_lists(seeds):
        model = fitted(listed, settings)
        for direction, country in DIRECTIONS.items():
            column = f"{label} {direction}"
            columns += [column] if column not in columns else []
            queries = partners_by(listed.partnerships, country)
            peers = baseline_outcomes(listed.companies, listed.partnerships, country)
            best_peer = max(summarize(peers[p])["mrr"] for p in PEERS)
            candidates = candidate_ids(listed.companies, country)
            found["best of TF-IDF and BM25 (MRR)"][column].append(best_peer)
            for name, weights in CONFIGURATIONS.items():
                for hub_weight in HUB_WEIGHTS:
                    scorer = configured(model, weights, hub_weight).candidate_scores
                    mrr = summarize(run_queries(scorer, candidates, queries))["mrr"]
                    found[f"{name}, hub {hub_weight}"][column].append(mrr - best_peer)
    return columns, found


def main() -> None:
    """Print each configuration's mean margin over the best peer per column, and its worst."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sublists", type=int, default=0, help="seeds per sub-list shape")
    parser.add_argument(
        "--set", action="append", type=vectorizer_setting, default=[], metavar="PARAM=VALUE",
        help="a ProfileVectorizer parameter for every configuration (e.g. related_weight=0.3)",
    )  # fmt: skip
    args = parser.parse_args()
    columns, found = margins(args.sublists, dict(args.set))
    print("columns: " + "; ".join(f"c{n + 1} = {c}" for n, c in enumerate(columns)))
    print(f"{'configuration':<34}" + "".join(f"{f'c{n + 1}':>8}" for n in range(len(columns)))
          + f"{'worst':>8}{'mean':>8}")  # fmt: skip
    for name, per_column in found.items():
        means = [sum(per_column[c]) / len(per_column[c]) for c in columns]
        sign = "" if name.startswith("best") else "+"
        row = "".join(f"{m:>{sign}8.3f}" for m in means)
        print(f"{name:<34}{row}{min(means):>{sign}8.3f}{sum(means) / len(means):>{sign}8.3f}")


if __name__ == "__main__":
    main()
