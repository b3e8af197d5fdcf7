"""The load benchmark runs (nothing here looks at the times): a row per models folder, with the
checksum its manifest asks for."""

from __future__ import annotations

import contextlib
import io

import pytest

from benchmarks import load_bench
from kakehashi import registry


@pytest.mark.slow
def test_load_bench_prints_a_row_per_folder_with_its_checksum(model, tmp_path):
    newer, older = tmp_path / "newer", tmp_path / "older"
    for folder in (newer, older):
        registry.promote(folder, registry.save_version(folder, model, {}))
    version = registry.current_version(older)
    manifest = registry.read_manifest(older, version)
    del manifest["artifact"]["blake3"]  # as written before BLAKE3 was recorded
    registry.write_json_atomic(older / version / registry.MANIFEST, manifest)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        load_bench.main([str(newer), str(older), "--repeat", "1"])
    lines = [line for line in out.getvalue().splitlines() if line.startswith(f"| {tmp_path}")]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    assert [row[3] for row in cells] == ["blake3", "sha256"]
    assert all(float(value) >= 0 for row in cells for value in row[4:])
