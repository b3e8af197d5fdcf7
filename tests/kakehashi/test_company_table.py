"""A model's companies are arrays: the records come back whole, by row and by id, and a loaded
artifact maps them without decoding any."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from kakehashi.artifact import load_model, save_model
from kakehashi.companies import Company
from kakehashi.company_table import CompanyTable, IdRows
from kakehashi.safe_load import unmapped_arrays

RECORDS = (
    Company(id="il-a", name="Alpha Vision", country="IL", sectors=("ai", "vr"), founded=2011,
            tags=("edge", "camera"), extra=(("linkedin", "x"), ("note", "a;b"))),
    Company(id="il-a.2", name="Ａｌｐｈａ 2", country="IL", sectors=(), description="€ and \x01"),
    Company(id="jp-toyota", name="Toyota Motor", country="JP", sectors=("automotive",),
            name_ja="トヨタ自動車", interests="自動運転の安全性", city="Toyota", founded=None),
)  # fmt: skip


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> CompanyTable:
    """The table written to an artifact and loaded back (mapped, nothing remembered)."""
    path = tmp_path_factory.mktemp("table") / "artifact.joblib"
    save_model(CompanyTable.of(RECORDS), path)
    return load_model(path)


def test_a_loaded_table_decodes_every_record_as_it_was(loaded) -> None:
    assert loaded._decoded == {}
    assert list(loaded) == list(RECORDS)
    assert loaded[2].extra == () and isinstance(loaded[0].extra[0], tuple)


def test_loading_maps_the_arrays_and_decodes_no_record(tmp_path) -> None:
    path = tmp_path / "artifact.joblib"
    save_model(CompanyTable.of(RECORDS), path)
    table = load_model(path)
    assert unmapped_arrays(table) == []
    assert table._decoded == {}
    table[1]
    assert set(table._decoded) == {1}


def test_rows_by_index_slice_and_negative_index(loaded) -> None:
    assert len(loaded) == 3
    assert loaded[-1] == RECORDS[2] and loaded[np.int64(1)] == RECORDS[1]
    assert loaded[:2] == RECORDS[:2] and loaded[::-1] == RECORDS[::-1]
    with pytest.raises(IndexError):
        loaded[3]


@pytest.mark.parametrize(("company_id", "row"), [("il-a", 0), ("il-a.2", 1), ("jp-toyota", 2)])
def test_row_of_finds_each_id(loaded, company_id, row) -> None:
    assert loaded.row_of(company_id) == row


@pytest.mark.parametrize(
    "company_id",
    ["", "il-", "il-a.", "il-a.22", "jp-toyota\0", "jp-toyot", "zz", "トヨタ", "x" * 200],
)
def test_row_of_is_none_for_any_other_text(loaded, company_id) -> None:
    assert loaded.row_of(company_id) is None


def test_id_rows_is_a_read_only_mapping_of_ids_to_rows(loaded) -> None:
    rows = IdRows(loaded)
    assert dict(rows) == {"il-a": 0, "il-a.2": 1, "jp-toyota": 2}
    assert "jp-toyota" in rows and "jp-toyot" not in rows and 3 not in rows
    with pytest.raises(KeyError):
        rows["nope"]


@pytest.mark.parametrize("records", [RECORDS[::-1], RECORDS + RECORDS[:1]])
def test_records_out_of_id_order_or_twice_are_refused(records) -> None:
    with pytest.raises(ValueError, match="sorted by id"):
        CompanyTable.of(records)


def test_a_pickled_copy_keeps_the_records_and_forgets_what_was_decoded() -> None:
    table = CompanyTable.of(RECORDS)
    copy = pickle.loads(pickle.dumps(table))
    assert copy._decoded == {} and list(copy) == list(RECORDS)


def test_a_fitted_model_keeps_its_companies_in_a_table(model) -> None:
    assert isinstance(model.companies_, CompanyTable)
    assert [c.id for c in model.companies()] == sorted(c.id for c in model.companies())
    assert all(model.row_of_[c.id] == row for row, c in enumerate(model.companies()))
