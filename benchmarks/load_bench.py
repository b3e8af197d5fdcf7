"""How long a version takes to load, and its two parts: the checksum and the unpickling.

usage: python -m benchmarks.load_bench MODELS_DIR[@CHECKOUT] [...] [--repeat 3]

Each load runs in a fresh process (its imports done before the clock starts), the promoted
version of each models folder in turn, `--repeat` rounds: `registry.load_version` (what a worker
does at a promotion), then the checksum the manifest asks for alone (BLAKE3, or sha256 for a
manifest without one) and the unpickling alone (`artifact_file.read_artifact`, arrays mapped).
`DIR@CHECKOUT` loads with another checkout's code (an older commit, its own artifact format), in
turn with the others, so old and new code are timed in the same phase of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.tables import machine, table

ROOT = Path(__file__).resolve().parent.parent
# Run in the child: only names that every version of the registry and artifact file has.
CHILD = """
import hashlib, json, sys, time
from pathlib import Path
import flask, scipy.sparse, sklearn  # imported before the clock starts
from kakehashi import registry
from kakehashi.artifact_file import read_artifact

models = Path(sys.argv[1])
version = registry.current_version(models)
record = registry.read_manifest(models, version)["artifact"]
path = models / version / registry.ARTIFACT
started = time.perf_counter()
registry.load_version(models, version)
load = time.perf_counter() - started
started = time.perf_counter()
if "blake3" in record:
    from kakehashi.artifact import file_blake3
    file_blake3(path)
else:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
checksum = time.perf_counter() - started
started = time.perf_counter()
read_artifact(path, True)
unpickle = time.perf_counter() - started
kind = "blake3" if "blake3" in record else "sha256"
print(json.dumps([load, checksum, unpickle, path.stat().st_size, kind]))
"""


def timed(models_dir: Path, checkout: Path) -> list:
    """[load s, checksum s, unpickle s, artifact bytes, checksum kind] of one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(models_dir)],
        env=env, capture_output=True, text=True, check=True, cwd=checkout,
    )  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def targets(given: Sequence[str]) -> list[tuple[Path, Path]]:
    """(models folder, checkout) pairs: DIR for this checkout's code, DIR@CHECKOUT for another."""
    found = []
    for item in given:
        folder, _, checkout = item.partition("@")
        found.append((Path(folder), Path(checkout) if checkout else ROOT))
    return found


def rows(pairs: list[tuple[Path, Path]], repeat: int) -> list[list[object]]:
    """One row per (models folder, checkout): each part's times, round after round."""
    runs: dict[int, list[list]] = {n: [] for n in range(len(pairs))}
    for _ in range(repeat):
        for n, (folder, checkout) in enumerate(pairs):
            runs[n].append(timed(folder, checkout))
    found = []
    for n, (folder, checkout) in enumerate(pairs):
        done = runs[n]
        code = "this checkout" if checkout == ROOT else str(checkout)
        parts = [" / ".join(f"{run[i]:.2f}" for run in done) for i in range(3)]
        found.append([str(folder), code, f"{done[0][3] / 1e9:.2f}", done[0][4], *parts])
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="models folders (DIR or DIR@CHECKOUT)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    print(table(
        f"Loading the promoted version ({args.repeat} fresh processes each, in turn)",
        ["models", "code", "artifact GB", "checksum", "load s", "checksum s", "unpickle s"],
        rows(targets(args.models), args.repeat),
    ))  # fmt: skip


if __name__ == "__main__":
    main()
