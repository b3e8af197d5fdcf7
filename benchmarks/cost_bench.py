"""Bounded cost per request: the most expensive valid POST /v1/match bodies against a typical one.

usage: python -m benchmarks.cost_bench --models-dir DIR [--repeat 5]

In process (Flask's test client), so the figures are the request's own CPU cost, not the network's.
Each expensive body fills one capped field to its cap (service/schemas.py, PROFILE_LIMITS) with text
drawn from the model's own firms; "everything at its cap" fills them all and asks for 100 results
with diversity.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.tables import percentile, table
from kakehashi.registry import load_promoted
from service import create_app
from service.schemas import PROFILE_LIMITS


def filled(texts: Sequence[str], limit: int) -> str:
    """The texts joined and repeated up to `limit` characters."""
    joined = " ".join(texts) or "robot"
    return (joined * (limit // len(joined) + 1))[:limit]


def bodies(models_dir: Path) -> list[tuple[str, dict]]:
    """(label, body): a typical request, then the expensive valid ones."""
    companies = load_promoted(models_dir).model.companies()
    japanese = [c.description for c in companies if c.country == "JP" and c.description]
    english = [c.description for c in companies if c.country == "IL" and c.description]
    sectors = sorted({s for c in companies for s in c.sectors})[: PROFILE_LIMITS["sectors"]]
    first = next(c for c in companies if c.country == "JP")
    typical = {"profile": {"sectors": list(first.sectors), "description": first.description}}
    longest = {
        "description": filled(japanese[::-1], PROFILE_LIMITS["description"]),
        "interests": filled(english, PROFILE_LIMITS["interests"]),
        "tags": [filled(english[n:], PROFILE_LIMITS["tag"]) for n in range(PROFILE_LIMITS["tags"])],
        "sectors": sectors,
    }
    found = [("typical (one firm's sectors and description, top 10)", typical)]
    found.append(("top_k 100, diversity 1", {**typical, "top_k": 100, "diversity": 1.0}))
    found.append(
        ("Japanese description at its cap", {"profile": {"description": longest["description"]}})
    )
    found.append(("interests at the cap", {"profile": {"interests": longest["interests"]}}))
    found.append(("30 tags of 100 characters", {"profile": {"tags": longest["tags"]}}))
    found.append(
        ("everything at its cap, top_k 100", {"profile": longest, "top_k": 100, "diversity": 1.0})
    )
    return found


def main(argv: Sequence[str] | None = None) -> None:
    """Time each body and print it against the typical one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    client = create_app({"MODEL_DIR": str(args.models_dir)}).test_client()
    rows, base = [], None
    for label, body in bodies(args.models_dir):
        response = client.post("/v1/match", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {response.status_code} {response.json}")
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.post("/v1/match", json=body)
            times.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(times)
        base = base or p50
        rows.append([label, f"{p50:.1f}", f"{percentile(times, 99):.1f}", f"{p50 / base:.1f}x"])
    header = ["POST /v1/match body", "p50 ms", "p99 ms", "vs typical"]
    print(table(f"Bounded cost per request ({args.repeat} calls each, in process)", header, rows))


if __name__ == "__main__":
    main()
