"""The list reader's size cap: a parameter, with a default room for a million companies."""

from __future__ import annotations

import pytest

from kakehashi import readers
from kakehashi.errors import InvalidListError


def test_read_table_refuses_a_file_over_the_callers_cap(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("id,name\na,b\n", encoding="utf-8")
    with pytest.raises(InvalidListError) as caught:
        readers.read_table(path, max_bytes=8)
    assert "larger than 8 bytes" in str(caught.value)
    assert readers.read_table(path, max_bytes=path.stat().st_size).rows


def test_default_cap_leaves_room_for_a_million_company_list():
    # a synthetic 1M list is about 350 MB of CSV (docs/benchmarks.md)
    assert readers.MAX_FILE_BYTES >= 350 * 10**6
