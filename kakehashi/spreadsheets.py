"""Read one sheet of an .xlsx workbook as rows of text, numbered as Excel shows them."""

from __future__ import annotations

import datetime
import io
import warnings
import zipfile
import zlib

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kakehashi.errors import InvalidListError, Problem

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "save it from Excel as .xlsx (Excel Workbook) or as CSV UTF-8"
# What openpyxl raises on a damaged archive or damaged XML (ParseError is a SyntaxError);
# listed rather than caught as Exception so a bug of ours still shows as one.
CORRUPT = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    NotImplementedError,
    OSError,
    SyntaxError,
)


Rows = list[tuple[int, list[str]]]


def read_sheet(path: str, data: bytes, sheet: str | None) -> tuple[str, Rows]:
    """(title, non-empty rows as (Excel row number, cell texts)) of the first or named sheet."""
    if data.startswith(OLE2_MAGIC):
        _fail(
            path,
            "file",
            f"an old-format (.xls) or password-protected workbook: {SAVE_AS}, without a password",
        )
    try:
        # openpyxl warns about styles and extensions it ignores; they say nothing about the data.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(path, data, sheet)
    except CORRUPT as exc:
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        _fail(path, "file", f"not a readable .xlsx workbook ({detail}); {SAVE_AS}")
    raise AssertionError("unreachable")


def _read(path: str, data: bytes, sheet: str | None) -> tuple[str, Rows]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        worksheet = _pick(path, workbook, sheet)
        worksheet.reset_dimensions()  # some writers record a wrong size; read every row
        rows = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cells):
                rows.append((number, cells))
        return worksheet.title, rows
    finally:
        workbook.close()


def _pick(path: str, workbook, sheet: str | None):
    sheets = workbook.worksheets
    if not sheets:
        _fail(path, "sheet", "the workbook has no worksheet")
    if sheet is None:
        return sheets[0]
    exact = [s for s in sheets if s.title == sheet]
    folded = [s for s in sheets if s.title.strip().casefold() == sheet.strip().casefold()]
    if exact or len(folded) == 1:
        return (exact or folded)[0]
    names = ", ".join(repr(s.title) for s in sheets)
    _fail(path, "sheet", f"no sheet named {sheet!r}; the workbook has {names}")
    raise AssertionError("unreachable")


def cell_text(value: object) -> str:
    """A cell as the text a CSV would hold: 1937.0 is '1937', a date is ISO, empty is ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime.datetime):
        midnight = value.time() == datetime.time()
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def _fail(path: str, column: str, message: str) -> None:
    raise InvalidListError([Problem(path, 1, column, message)])
