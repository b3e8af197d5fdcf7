"""Read CSV, JSON and JSON Lines files into raw rows that remember their line numbers."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from kakehashi.errors import InvalidListError, Problem

MAX_FILE_BYTES = 200 * 1024 * 1024
FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass
class RawTable:
    """Rows of one input file as plain dicts, each with the line it starts on."""

    path: str
    columns: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def require_columns(self, required, name=lambda column: column) -> bool:
        """Report each required column a CSV header lacks (JSON rows are checked one by one)."""
        if not self.path.lower().endswith(".csv"):
            return True
        present = {name(c) for c in self.columns}
        missing = [c for c in required if c not in present]
        for column in missing:
            self.problems.append(Problem(self.path, 1, column, "missing required column"))
        return not missing


def read_table(path: Path | str) -> RawTable:
    """Read a list file, chosen by extension; file-level problems raise InvalidListError."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        _fail(path, 1, "file", f"unknown file extension {path.suffix!r} (expected one of {known})")
    text = _read_text(path)
    if not text.strip():
        _fail(path, 1, "file", "the file is empty")
    reader = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl}[kind]
    return reader(str(path), text)


def _fail(path: Path | str, line: int, column: str, message: str) -> None:
    raise InvalidListError([Problem(str(path), line, column, message)])


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            _fail(path, 1, "file", f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(path, 1, "file", "no such file")
    except IsADirectoryError:
        _fail(path, 1, "file", "is a directory, not a file")
    except PermissionError:
        _fail(path, 1, "file", "permission denied")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        _fail(path, line, "file", f"not valid UTF-8 (byte 0x{byte}); save the file as UTF-8")
    raise AssertionError("unreachable")


def _read_csv(path: str, text: str) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        _fail(path, 1, "header", f"malformed CSV: {exc}")
    columns = [name.strip() for name in header]
    table = RawTable(path, columns)
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
            table.problems.append(
                Problem(table.path, 1, "header", f"column {position} has no name")
            )
        elif name in seen:
            table.problems.append(Problem(table.path, 1, "header", f"duplicate column {name!r}"))
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
    table = RawTable(path, [])
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
    table = RawTable(path, [])
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
