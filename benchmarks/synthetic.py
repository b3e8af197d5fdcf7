"""Seeded synthetic company lists built from the bundled list's own text.

Each synthetic firm copies the shape of a real firm of its country (sector set, number of
description phrases, whether it states interests, number of tags, city, stage, founding year) and
fills it with phrases and tags of real firms that share its first sector. Names and ids are made
up (`syn-000123`), never copied.

usage: python -m benchmarks.synthetic N OUT.csv [--seed 0] [--japanese 0.1]
"""

from __future__ import annotations

import argparse
import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "companies.csv"
COLUMNS = ("id", "name", "country", "sectors", "description", "interests", "tags", "city")
COLUMNS += ("founded", "stage")
PHRASE_BREAK = re.compile(r",\s+(?:and\s+)?|;\s+|\s+and\s+(?=[a-z])")


@dataclass(frozen=True, eq=False)
class Source:
    """The real rows and the phrase pools synthetic firms are drawn from."""

    rows: dict[str, list[dict[str, str]]]  # by country
    heads: dict[tuple[str, str], list[str]]  # (country, sector) -> first description phrases
    phrases: dict[str, list[str]]  # sector -> later description phrases
    interests: dict[str, list[str]]  # sector -> interest phrases
    tags: dict[str, list[str]]  # sector -> tags


def phrases_of(text: str) -> list[str]:
    """A description or interest sentence cut into its comma and `and` phrases."""
    body = text.strip().rstrip(".")
    return [_lower_first(part.strip()) for part in PHRASE_BREAK.split(body) if part.strip()]


def _lower_first(phrase: str) -> str:
    # "Pursues ..." starts a sentence; "AI", "EV" and "iPhone" keep their capitals
    if len(phrase) > 1 and phrase[0].isupper() and phrase[1].islower():
        return phrase[0].lower() + phrase[1:]
    return phrase


def load_source(path: Path = BUNDLED) -> Source:
    """Index the bundled list by country and sector."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        real = list(csv.DictReader(handle))
    rows, heads = defaultdict(list), defaultdict(list)
    phrases, interests, tags = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in real:
        rows[row["country"]].append(row)
        parts = phrases_of(row["description"])
        for sector in row["sectors"].split(";"):
            if parts:
                heads[row["country"], sector].append(parts[0])
                phrases[sector].extend(parts[1:] or parts)
            interests[sector].extend(phrases_of(row["interests"]))
            tags[sector].extend(t for t in row["tags"].split(";") if t)
    return Source(dict(rows), dict(heads), dict(phrases), dict(interests), dict(tags))


def _pick(rng: np.random.Generator, pool: Sequence[str], size: int) -> list[str]:
    if not pool or size <= 0:
        return []
    return [pool[i] for i in rng.choice(len(pool), size=min(size, len(pool)), replace=False)]


@functools.cache
def _pooled(source: Source, kind: str, sectors: str) -> list[str]:
    # one pool per sector set: rebuilding it per row made a 100k list take minutes
    pools = getattr(source, kind)
    found = [p for s in sectors.split(";") for p in pools.get(s, [])]
    return sorted(set(found)) if kind == "tags" else found


def _sentence(parts: list[str]) -> str:
    if not parts:
        return ""
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:] + "."


def synthetic_row(rng: np.random.Generator, source: Source, country: str, n: int) -> dict:
    """One synthetic firm of `country`, shaped like a random real firm of that country."""
    template = source.rows[country][rng.integers(len(source.rows[country]))]
    sectors = template["sectors"].split(";")
    first = sectors[0]
    size = len(phrases_of(template["description"]))
    heads = source.heads.get((country, first)) or source.heads[next(iter(source.heads))]
    description = _pick(rng, heads, 1) + _pick(rng, source.phrases.get(first, []), size - 1)
    interests = []
    if template["interests"]:
        pool = _pooled(source, "interests", template["sectors"])
        interests = _pick(rng, pool, len(phrases_of(template["interests"])))
    tag_pool = _pooled(source, "tags", template["sectors"])
    tags = _pick(rng, tag_pool, len([t for t in template["tags"].split(";") if t]))
    return {
        "id": f"syn-{n:06d}",
        "name": f"Syn {country} {n:06d}",
        "country": country,
        "sectors": ";".join(sectors),
        "description": _sentence(description),
        "interests": _sentence(interests),
        "tags": ";".join(tags),
        "city": template["city"],
        "founded": template["founded"],
        "stage": template["stage"],
    }


def generate(n: int, seed: int = 0, japanese: float = 0.1) -> Iterator[dict]:
    """`n` synthetic firms: the first round(n * japanese) Japanese, the rest Israeli."""
    rng = np.random.default_rng(seed)
    source = load_source()
    n_jp = max(1, round(n * japanese))
    for i in range(n):
        yield synthetic_row(rng, source, "JP" if i < n_jp else "IL", i)


def write_csv(path: Path, n: int, seed: int = 0, japanese: float = 0.1) -> Path:
    """Write a synthetic list the training CLI reads; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(generate(n, seed, japanese))
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: write N synthetic companies to a CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--japanese", type=float, default=0.1, help="share of Japanese firms")
    args = parser.parse_args(argv)
    write_csv(args.out, args.n, args.seed, args.japanese)
    print(f"wrote {args.n} companies to {args.out}")


if __name__ == "__main__":
    main()
