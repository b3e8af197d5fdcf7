"""Benchmark: how long the web app's pages take to render on the bundled model. Prints a table.

Trains on data/companies.csv and data/partnerships.csv into a temporary folder (or serves
--models-dir), then renders each page through Flask's test client: the whole request (view,
ranking, explanations, templates), without the network. The target of issue 14 is a company
page under 200 ms.

usage: python benchmarks/web_bench.py [--models-dir DIR] [--repeat 20] [--firms 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and the packages importable
    sys.path.insert(0, str(ROOT))

from benchmarks.tables import machine, percentile, table  # noqa: E402
from service import create_app  # noqa: E402
from training.train import load_inputs, train  # noqa: E402


def timed(client, url: str, repeat: int, headers: dict[str, str] | None = None) -> list[float]:
    """Milliseconds of each of `repeat` GETs of url (the first, warming, is not counted)."""
    client.get(url, headers=headers)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return times


def pages(model, firms: int) -> list[tuple[str, str, dict[str, str] | None]]:
    """(name, url, headers) of the pages measured: company pages of JP and IL firms and others."""
    japanese = [c.id for c in model.companies() if c.country == "JP"][:firms]
    israeli = [c.id for c in model.companies() if c.country == "IL"][:firms]
    fragment = {"X-Kakehashi-Fragment": "1"}
    rows = [("company page, JP firm", f"/companies/{i}", None) for i in japanese]
    rows += [("company page, IL firm (reverse)", f"/companies/{i}", None) for i in israeli]
    rows += [
        ("company page, top 50, diversity 0.3", f"/companies/{i}?top_k=50&diversity=0.3", None)
        for i in japanese
    ]
    rows += [("filter update (fragment)", f"/companies/{i}?sector=ai", fragment) for i in japanese]
    rows += [("find page, name search", "/?q=to", None), ("match form", "/match", None)]
    return rows


def main(argv: list[str] | None = None) -> None:
    """Render the pages and print p50 / p95 / max per kind of page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, help="serve this folder instead of training")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--firms", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        models = args.models_dir
        if models is None:
            models = Path(tmp) / "models"
            inputs = load_inputs(ROOT / "data/companies.csv", ROOT / "data/partnerships.csv")
            train(inputs, models)
        app = create_app({"MODEL_DIR": str(models), "DATA_DIR": str(Path(tmp) / "data")})
        client = app.test_client()
        model = app.extensions["kakehashi"].require().model
        by_kind: dict[str, list[float]] = {}
        for kind, url, headers in pages(model, args.firms):
            by_kind.setdefault(kind, []).extend(timed(client, url, args.repeat, headers))
    rows = [
        [kind, len(ms), percentile(ms, 50), percentile(ms, 95), max(ms)]
        for kind, ms in by_kind.items()
    ]
    print(machine())
    header = ["page", "requests", "p50 ms", "p95 ms", "max ms"]
    print(table("Web pages on the bundled model (Flask test client)", header, rows))


if __name__ == "__main__":
    main()
