"""Read CSV, XLSX, JSON and JSON Lines lists into raw rows that remember their line numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kakehashi.columns import Header, match_header
from kakehashi.decoding import decode_text, decode_utf8, sniff_delimiter
from kakehashi.errors import InvalidListError, Problem
from kakehashi.spreadsheets import SAVE_AS, read_sheet

# The default cap of a list file: room for a million companies (about 350 MB of CSV). A caller
# reading what people upload passes its own, smaller `max_bytes`.
MAX_FILE_BYTES = 1024 * 1024 * 1024
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass
class RawTable:
    """Rows of one input file as plain dicts, each with the line (or Excel row) it starts on."""

    path: str
    columns: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    kind: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_line: int = 1

    def check_columns(self, required: Sequence[str], known: Sequence[str]) -> bool:
        """Rename known columns to their canonical name and report missing or misspelt ones.

        Known columns match case-insensitively, ignoring surrounding spaces. A CSV or XLSX
        header is checked once, and False means a required column is missing (rows cannot be
        parsed). JSON objects are checked one by one: each distinct misspelt or repeated key
        is reported once, at the first object that has it; missing fields are left to the
        row checks, which report them on each object's line (see docs/list-format.md).
        """
        if self.kind in ("json", "jsonl"):
            self._check_objects(required, known)
            return True
        header = match_header(self.columns, required, known)
        for column, message in header.problems("column"):
            self.problems.append(Problem(self.path, self.header_line, column, message))
        self.columns = [header.renames.get(c, c) for c in self.columns]
        self.rows = [(line, _renamed(row, header)) for line, row in self.rows]
        return header.usable

    def _check_objects(self, required: Sequence[str], known: Sequence[str]) -> None:
        reported: set[tuple[str, str]] = set()
        rows = []
        for line, row in self.rows:
            header = match_header(list(row), required, known)
            for column, message in header.problems("field", missing=False):
                if (column, message) not in reported:
                    reported.add((column, message))
                    self.problems.append(Problem(self.path, line, column, message))
            rows.append((line, _renamed(row, header)))
        self.rows = rows
        self.columns = list(dict.fromkeys(c for _, row in rows for c in row))


def _renamed(row: dict[str, object], header: Header) -> dict[str, object]:
    return {header.renames.get(k, k): v for k, v in row.items() if k not in header.dropped}


def read_table(
    path: Path | str, sheet: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> RawTable:
    """Read a list file, chosen by extension; file-level problems raise InvalidListError.

    A file larger than `max_bytes` is refused before it is read.
    """
    path = Path(path)
    kind = _kind(path)
    if sheet is not None and kind != "xlsx":
        _fail(path, 1, "sheet", f"a sheet can be chosen only in an .xlsx workbook, not {kind}")
    data = _read_bytes(path, max_bytes)
    if kind == "xlsx":
        return _read_xlsx(str(path), data, sheet)
    text, encoding = (decode_text if kind == "csv" else decode_utf8)(str(path), data)
    if not text.strip():
        _fail(path, 1, "file", "the file is empty")
    reader = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl}[kind]
    table = reader(str(path), text)
    table.encoding = encoding
    return table


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        _fail(path, 1, "file", f"old-format Excel files (.xls) cannot be read: {SAVE_AS}")
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        _fail(path, 1, "file", f"unknown file extension {path.suffix!r} (expected one of {known})")
    return FORMATS[suffix]


def _fail(path: Path | str, line: int, column: str, message: str) -> None:
    raise InvalidListError([Problem(str(path), line, column, message)])


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        if path.stat().st_size > max_bytes:
            _fail(path, 1, "file", f"the file is larger than {_size(max_bytes)}")
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(path, 1, "file", "no such file")
    except IsADirectoryError:
        _fail(path, 1, "file", "is a directory, not a file")
    except PermissionError:
        _fail(path, 1, "file", "permission denied")
    if not data:
        _fail(path, 1, "file", "the file is empty")
    return data


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count:,} bytes"


def _read_xlsx(path: str, data: bytes, sheet: str | None) -> RawTable:
    title, rows = read_sheet(path, data, sheet)
    if not rows:
        _fail(path, 1, "file", f"sheet {title!r} is empty")
    (header_line, header), *records = rows
    width = max(i for i, name in enumerate(header, start=1) if name)
    table = RawTable(path, header[:width], kind="xlsx", sheet=title, header_line=header_line)
    _check_header(table)
    for line, cells in records:
        if any(cells[width:]):
            message = f"a value lies right of the header's last column ({header[width - 1]!r})"
            table.problems.append(Problem(path, line, "row", message))
            continue
        cells = cells[:width] + [""] * (width - len(cells))
        table.rows.append((line, dict(zip(table.columns, cells, strict=True))))
    return table


def _read_csv(path: str, text: str) -> RawTable:
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        _fail(path, 1, "header", f"malformed CSV: {exc}")
    columns = [name.strip() for name in header]
    table = RawTable(path, columns, delimiter=delimiter)
    _check_header(table)
    line = reader.line_num + 1
    try:
        for record in reader:
            if any(value.strip() for value in record):
                _add_csv_row(table, line, record)
            line = reader.line_num + 1
    except csv.Error as exc:
        table.problems.append(Problem(path, line, "row", f"malformed CSV: {exc}"))
    return table


def _check_header(table: RawTable) -> None:
    seen: set[str] = set()
    for position, name in enumerate(table.columns, start=1):
        if not name:
            message = f"column {position} has no name"
            table.problems.append(Problem(table.path, table.header_line, "header", message))
        elif name in seen:
            message = f"duplicate column {name!r}"
            table.problems.append(Problem(table.path, table.header_line, "header", message))
        seen.add(name)


def _add_csv_row(table: RawTable, line: int, record: list[str]) -> None:
    if len(record) != len(table.columns):
        message = f"expected {len(table.columns)} fields as in the header, found {len(record)}"
        table.problems.append(Problem(table.path, line, "row", message))
        return
    table.rows.append((line, dict(zip(table.columns, record, strict=True))))


def _read_json(path: str, text: str) -> RawTable:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(path, exc.lineno, "file", f"malformed JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(document, list):
        _fail(path, 1, "file", "expected a JSON array of company objects")
    table = RawTable(path, [], kind="json")
    for line, value in zip(_element_lines(text), document, strict=True):
        _add_json_row(table, line, value)
    return table


def _element_lines(text: str) -> list[int]:
    """Line numbers where each element of a (valid) top-level JSON array starts."""
    decoder, lines = json.JSONDecoder(), []
    position = _skip_space(text, text.index("[") + 1)
    line, counted = 1, 0
    while text[position] != "]":
        line += text.count("\n", counted, position)
        counted = position
        lines.append(line)
        _, end = decoder.raw_decode(text, position)
        position = _skip_space(text, end)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return lines


def _skip_space(text: str, position: int) -> int:
    while text[position] in " \t\r\n":
        position += 1
    return position


def _read_jsonl(path: str, text: str) -> RawTable:
    table = RawTable(path, [], kind="jsonl")
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            table.problems.append(
                Problem(path, line, "row", f"malformed JSON: {exc.msg} (column {exc.colno})")
            )
            continue
        _add_json_row(table, line, value)
    return table


def _add_json_row(table: RawTable, line: int, value: object) -> None:
    if not isinstance(value, dict):
        table.problems.append(Problem(table.path, line, "row", "expected a JSON object"))
        return
    for key in value:
        if key not in table.columns:
            table.columns.append(key)
    table.rows.append((line, value))
