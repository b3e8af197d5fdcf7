"""Known partnerships: validation against the company list."""

from __future__ import annotations

import pytest

from kakehashi.errors import InvalidListError
from kakehashi.partnerships import load_partnerships


def load(tmp_path, inputs, content: str):
    path = tmp_path / "p.csv"
    path.write_text(content, encoding="utf-8")
    return load_partnerships(path, inputs.companies)


def test_load_partnerships_reads_optional_columns(tmp_path, inputs):
    (deal,) = load(
        tmp_path,
        inputs,
        "japanese_id,israeli_id,kind,year,note\njp-auto,il-lidar,Investment,2019,x\n",
    )
    assert (deal.pair, deal.kind, deal.year, deal.note) == (
        ("jp-auto", "il-lidar"),
        "investment",
        2019,
        "x",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("japanese_id\njp-auto\n", ":1: israeli_id: missing required column"),
        (
            "japanese_id,israeli_id\njp-auto,il-nope\n",
            ":2: israeli_id: unknown company id 'il-nope'",
        ),
        (
            "japanese_id,israeli_id\njp-auto,jp-bank\n",
            ":2: israeli_id: 'jp-bank' is a company of Japan, expected Israel",
        ),
        (
            "japanese_id,israeli_id\nil-lidar,il-fleet\n",
            ":2: japanese_id: 'il-lidar' is a company of Israel",
        ),
        ("japanese_id,israeli_id\n,il-fleet\n", ":2: japanese_id: empty value"),
        ("japanese_id,israeli_id,year\njp-auto,il-fleet,next\n", ":2: year: expected a year"),
        (
            "japanese_id,israeli_id,kind\njp-auto,il-fleet," + "x" * 101 + "\n",
            ":2: kind: value is longer than 100 characters",
        ),
        ("japanese_id,israeli_id\njp-auto,il-fleet,x\n", ":2: row: expected 2 fields"),
    ],
)
def test_load_partnerships_reports_bad_rows(tmp_path, inputs, content, expected):
    with pytest.raises(InvalidListError) as caught:
        load(tmp_path, inputs, content)
    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems
