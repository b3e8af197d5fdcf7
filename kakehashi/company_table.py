"""A model's companies as arrays, so that loading costs nothing per company.

A tuple of Company records is rebuilt object by object at every load: 2.0 of the 4.8 s a 100k
artifact took to load, growing with the list. `CompanyTable` keeps each record as JSON (orjson)
in one UTF-8 buffer, and the ids, ascending, in a fixed-width byte array (ids are ASCII, at most
100 characters: kakehashi/companies.py). Both are numpy arrays, so the artifact maps them like the
model's other arrays (kakehashi/artifact_file.py): the workers share the pages, and a load reads
nothing of them. A record is decoded the first time a process asks for it (a few microseconds)
and kept; finding a row by id is a binary search of the ids (`IdRows`, the model's `row_of_`).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import orjson

from kakehashi.companies import Company

FIELDS = tuple(field.name for field in dataclasses.fields(Company))
TUPLE_FIELDS = ("sectors", "tags")


@dataclass(frozen=True, eq=False)
class CompanyTable(Sequence):
    """Companies sorted by id, stored as arrays and decoded on demand (see the module doc)."""

    blob: np.ndarray  # uint8: each record's JSON (a list of its FIELDS), one after another
    offsets: np.ndarray  # int64, one more than the records: record n is blob[offsets[n]:...[n+1]]
    ids: np.ndarray  # fixed-width bytes, ascending: the records' ids

    def __post_init__(self) -> None:
        object.__setattr__(self, "_decoded", {})

    @classmethod
    def of(cls, companies: Sequence[Company]) -> CompanyTable:
        """The table of these records, which must be sorted by id with no id twice."""
        blob, sizes = bytearray(), np.zeros(len(companies), dtype=np.int64)
        for row, company in enumerate(companies):
            encoded = orjson.dumps([getattr(company, name) for name in FIELDS])
            sizes[row] = len(encoded)
            blob += encoded
        ids = np.array([c.id.encode("ascii") for c in companies], dtype=bytes)
        if ids.size > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            raise ValueError("a CompanyTable's records must be sorted by id, each id once")
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        table = cls(np.frombuffer(bytes(blob), dtype=np.uint8), offsets, ids)
        table._decoded.update(enumerate(companies))
        return table

    def __len__(self) -> int:
        return int(self.ids.size)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[row] for row in range(*index.indices(len(self))))
        row = operator.index(index)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError("company row out of range")
        found = self._decoded.get(row)
        if found is None:
            found = self._decoded.setdefault(row, self._decode(row))
        return found

    def __iter__(self) -> Iterator[Company]:
        return (self[row] for row in range(len(self)))

    def row_of(self, company_id: str) -> int | None:
        """The row of the company with this id, or None."""
        try:
            key = company_id.encode("ascii")
        except (UnicodeEncodeError, AttributeError):
            return None
        if not key or b"\0" in key or len(key) > self.ids.dtype.itemsize:
            return None  # fixed-width bytes drop trailing NULs and truncate longer keys
        row = int(np.searchsorted(self.ids, key))
        return row if row < len(self) and self.ids[row] == key else None

    def _decode(self, row: int) -> Company:
        stored = memoryview(self.blob[self.offsets[row] : self.offsets[row + 1]])
        values = dict(zip(FIELDS, orjson.loads(stored), strict=True))
        for name in TUPLE_FIELDS:
            values[name] = tuple(values[name])
        values["extra"] = tuple(tuple(pair) for pair in values["extra"])
        return Company(**values)

    def __getstate__(self) -> dict:
        return {"blob": self.blob, "offsets": self.offsets, "ids": self.ids}

    def __setstate__(self, state: dict) -> None:
        for name in ("blob", "offsets", "ids"):
            object.__setattr__(self, name, state[name])
        self.__post_init__()


@dataclass(frozen=True)
class IdRows(Mapping):
    """A table's rows by company id, as a read-only mapping (a binary search, not a dict)."""

    table: CompanyTable

    def __getitem__(self, company_id: str) -> int:
        row = self.table.row_of(company_id)
        if row is None:
            raise KeyError(company_id)
        return row

    def __contains__(self, company_id: object) -> bool:
        return isinstance(company_id, str) and self.table.row_of(company_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (key.decode("ascii") for key in self.table.ids.tolist())

    def __len__(self) -> int:
        return len(self.table)


@dataclass(frozen=True, eq=False)
class Rows(Sequence):
    """Some rows of a table in a given order (a search's results), decoded as they are read:
    a page of a long list decodes its page."""

    table: CompanyTable
    rows: np.ndarray

    def __len__(self) -> int:
        return int(self.rows.size)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self.table[row] for row in self.rows[index].tolist())
        return self.table[int(self.rows[index])]

    def __iter__(self) -> Iterator[Company]:
        return (self.table[row] for row in self.rows.tolist())
