"""The catalogue reads the model's arrays: the same answers as a pass over every record."""

from __future__ import annotations

from collections import Counter

import numpy as np

from kakehashi.company_table import Rows


def test_sector_counts_are_the_records_counted(model):
    expected = Counter((key, c.country) for c in model.companies() for key in c.sectors)
    assert model.sector_counts() == expected


def test_in_sectors_marks_the_firms_of_any_of_the_sectors(model):
    wanted = {"cyber", "automotive"}
    expected = [bool(wanted & set(c.sectors)) for c in model.companies()]
    assert model.in_sectors(sorted(wanted)).tolist() == expected
    assert not model.in_sectors(["no-such-sector"]).any()


def test_search_results_read_as_a_sequence_of_records(model):
    found = model.search("", country="JP")
    assert isinstance(found, Rows)
    records = [c for c in model.companies() if c.country == "JP"]
    assert list(found) == records and len(found) == len(records)
    assert found[1:3] == tuple(records[1:3]) and found[-1] == records[-1]
    assert np.array_equal(found.rows, [model.row_of_[c.id] for c in records])
