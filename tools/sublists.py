"""Smaller lists drawn from a list with partnerships, shaped like the lists quality is judged on.

    .venv/bin/python tools/sublists.py --seeds 5          # print each drawn list's size

Issue 9's unseen lists are smaller than the bundled one (39 deals among 216 Israeli and 37
Japanese firms; 18 deals among 140 and 22). A configuration that wins only on the whole bundled
list may owe it to that list's size: IDF weights, the latent space, hub and strength calibration
all change with the number of firms. Each draw keeps a seeded random subset of the deals, every
firm they name, and random other firms of each country up to the shape's size; a parent that is
not drawn is dropped from its subsidiaries. Same seed, same list. A tool, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from training.train import Inputs, load_inputs  # noqa: E402

SHAPES = {"39 deals, 216 IL / 37 JP": (39, 216, 37), "18 deals, 140 IL / 22 JP": (18, 140, 22)}


def draw(inputs: Inputs, shape: tuple[int, int, int], seed: int) -> Inputs:
    """A seeded sub-list of `inputs`: (deals, Israeli firms, Japanese firms) of `shape`."""
    n_deals, n_israeli, n_japanese = shape
    rng = random.Random(seed)
    deals = rng.sample(list(inputs.partnerships), min(n_deals, len(inputs.partnerships)))
    kept = {d.japanese_id for d in deals} | {d.israeli_id for d in deals}
    country_of = {c.id: c.country for c in inputs.companies}
    for country, size in (("IL", n_israeli), ("JP", n_japanese)):
        named = sum(country_of[i] == country for i in kept)
        others = sorted(c.id for c in inputs.companies if c.country == country and c.id not in kept)
        kept |= set(rng.sample(others, max(0, min(size - named, len(others)))))
    companies = tuple(
        c if not c.parent_id or c.parent_id in kept else dataclasses.replace(c, parent_id="")
        for c in inputs.companies
        if c.id in kept
    )
    return dataclasses.replace(inputs, companies=companies, partnerships=tuple(deals))


def main() -> None:
    """Print the size of each drawn list (the sweep draws them itself)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    inputs = load_inputs(REPO / "data/companies.csv", REPO / "data/partnerships.csv")
    for label, shape in SHAPES.items():
        for seed in range(args.seeds):
            drawn = draw(inputs, shape, seed)
            countries = [c.country for c in drawn.companies]
            print(f"{label}, seed {seed}: {countries.count('JP')} JP, {countries.count('IL')} IL,"
                  f" {len(drawn.partnerships)} deals")  # fmt: skip


if __name__ == "__main__":
    main()
