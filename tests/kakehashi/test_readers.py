"""List readers: XLSX sheets, CSV encodings and delimiters, header matching and suggestions."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kakehashi import decoding
from kakehashi.company_list import load_companies
from kakehashi.errors import InvalidListError
from kakehashi.partnerships import load_partnerships
from kakehashi.readers import read_table
from kakehashi.spreadsheets import cell_text

HEADER = ["name", "country", "sectors", "founded"]


def problems_of(call, *args, **kwargs) -> list[str]:
    with pytest.raises(InvalidListError) as caught:
        call(*args, **kwargs)
    return [str(p) for p in caught.value.problems]


def save_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                sheet.cell(number, column, value)
    workbook.save(path)
    return path


@pytest.fixture
def workbook(tmp_path) -> Path:
    """Two sheets; the first has a title row, blank rows, a float year, a date and a blank cell."""
    companies = [
        [None],
        [" name ", "Country", "SECTORS", "founded", "Notes", None],
        ["Alpha KK", "JP", "cyber", 1937.0, datetime.datetime(2024, 4, 1)],
        [None, None],
        ["Beta", "IL", "ai", None, "ok"],
    ]
    other = [HEADER, ["Gamma", "IL", "fintech", 2010]]
    return save_workbook(tmp_path / "list.xlsx", {"Companies": companies, "Other": other})


def test_read_table_reads_the_first_sheet_of_a_workbook(workbook):
    table = read_table(workbook)
    assert (table.kind, table.sheet, table.header_line) == ("xlsx", "Companies", 2)
    assert table.rows == [
        (
            3,
            {
                "name": "Alpha KK",
                "Country": "JP",
                "SECTORS": "cyber",
                "founded": "1937",
                "Notes": "2024-04-01",
            },
        ),
        (5, {"name": "Beta", "Country": "IL", "SECTORS": "ai", "founded": "", "Notes": "ok"}),
    ]


@pytest.mark.parametrize("sheet", ["Other", " other "])
def test_read_table_reads_a_named_sheet(workbook, sheet):
    table = read_table(workbook, sheet=sheet)
    assert table.sheet == "Other"
    assert table.rows == [
        (2, {"name": "Gamma", "country": "IL", "sectors": "fintech", "founded": "2010"})
    ]


def test_load_companies_reads_xlsx_with_canonical_columns(workbook, taxonomy):
    companies = load_companies(workbook, taxonomy)
    assert [(c.name, c.country, c.sectors, c.founded) for c in companies] == [
        ("Alpha KK", "JP", ("cyber",), 1937),
        ("Beta", "IL", ("ai",), None),
    ]
    assert dict(companies[0].extra) == {"Notes": "2024-04-01"}
    (gamma,) = load_companies(workbook, taxonomy, sheet="Other")
    assert gamma.founded == 2010


def test_load_companies_reports_excel_row_numbers(tmp_path, taxonomy):
    rows = [[], [], HEADER, ["Alpha", "JP", "cyber"], [], ["Beta", "France", "ai"]]
    path = save_workbook(tmp_path / "l.xlsx", {"Sheet1": rows})
    (problem,) = problems_of(load_companies, path, taxonomy)
    assert problem.startswith(f"{path}:6: country: unknown country 'France'")


def test_load_companies_reports_xlsx_header_problems_on_the_header_row(tmp_path, taxonomy):
    path = save_workbook(tmp_path / "l.xlsx", {"Sheet1": [[], ["name", "country"], ["A", "JP"]]})
    assert problems_of(load_companies, path, taxonomy) == [
        f"{path}:2: sectors: missing required column"
    ]


def test_read_table_reports_values_outside_the_xlsx_header(tmp_path):
    path = save_workbook(tmp_path / "l.xlsx", {"S": [HEADER, ["A", "JP", "ai", 1990, "stray"]]})
    table = read_table(path)
    assert [str(p) for p in table.problems] == [
        f"{path}:2: row: a value lies right of the header's last column ('founded')"
    ]


def test_read_table_names_the_sheets_when_one_is_unknown(workbook):
    assert problems_of(read_table, workbook, sheet="Firms") == [
        f"{workbook}:1: sheet: no sheet named 'Firms'; the workbook has 'Companies', 'Other'"
    ]


def test_read_table_refuses_a_sheet_for_a_csv(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("name,country,sectors\n", encoding="utf-8")
    (problem,) = problems_of(read_table, path, sheet="Sheet1")
    assert ":1: sheet: a sheet can be chosen only in an .xlsx workbook" in problem


def truncated_workbook(path: Path) -> bytes:
    save_workbook(path, {"S": [HEADER]})
    return path.read_bytes()[:300]


def zip_without_workbook(path: Path) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return path.read_bytes()


CORRUPT_WORKBOOKS = [
    (
        "text renamed to .xlsx",
        "l.xlsx",
        lambda p: b"name,country,sectors\n",
        "not a readable .xlsx workbook",
    ),
    ("truncated", "l.xlsx", truncated_workbook, "not a readable .xlsx workbook"),
    ("zip without a workbook", "l.xlsx", zip_without_workbook, "not a readable .xlsx workbook"),
    (
        "old format named .xlsx",
        "l.xlsx",
        lambda p: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "an old-format (.xls) or password-protected workbook",
    ),
    (
        "old format .xls",
        "l.xls",
        lambda p: b"\xd0\xcf\x11\xe0",
        "old-format Excel files (.xls) cannot be read",
    ),
    ("empty .xlsx", "l.xlsx", lambda p: b"", "the file is empty"),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "expected"),
    CORRUPT_WORKBOOKS,
    ids=[c[0] for c in CORRUPT_WORKBOOKS],
)
def test_read_table_reports_unreadable_workbooks(tmp_path, case, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content(path))
    (problem,) = problems_of(read_table, path)
    assert problem.startswith(f"{path}:1: file: {expected}")
    if "readable" in expected or "old" in expected:
        assert "save it from Excel as .xlsx" in problem


def test_read_table_reports_an_empty_sheet(tmp_path):
    path = save_workbook(tmp_path / "l.xlsx", {"Empty": [[None, None]]})
    assert problems_of(read_table, path) == [f"{path}:1: file: sheet 'Empty' is empty"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (1937.0, "1937"),
        (1937, "1937"),
        (3.5, "3.5"),
        (0.1 + 0.2, "0.3"),
        (True, "TRUE"),
        (datetime.datetime(2024, 4, 1), "2024-04-01"),
        (datetime.datetime(2024, 4, 1, 9, 30), "2024-04-01 09:30:00"),
        (datetime.date(2019, 12, 31), "2019-12-31"),
        ("  Tokyo ", "Tokyo"),
    ],
)
def test_cell_text_writes_cells_as_csv_text(value, expected):
    assert cell_text(value) == expected


JAPANESE = "名前,国,セクター,説明\nトヨタ自動車,日本,自動車,自動運転とコネクテッドカー。\n"
WESTERN = "name,country,sectors,description\nSociété Générale,IL,fintech,Prix: 5€ – Müller façade\n"
ENCODINGS = [
    ("utf-8", JAPANESE.encode("utf-8"), "utf-8", ",", JAPANESE),
    ("utf-8 BOM", ("\ufeff" + WESTERN).encode("utf-8"), "utf-8-sig", ",", WESTERN),
    (
        "utf-16 LE BOM, tabs",
        ("\ufeff" + JAPANESE.replace(",", "\t")).encode("utf-16-le"),
        "utf-16",
        "\t",
        JAPANESE,
    ),
    (
        "utf-16 BE BOM, tabs",
        ("\ufeff" + WESTERN.replace(",", "\t")).encode("utf-16-be"),
        "utf-16",
        "\t",
        WESTERN,
    ),
    ("cp932 Japanese", JAPANESE.encode("cp932"), "cp932", ",", JAPANESE),
    # the bytes of 東京電力 are valid Windows-1252 too: Shift-JIS must win
    (
        "cp932 also valid cp1252",
        "name,city\n東京電力,東京\n".encode("cp932"),
        "cp932",
        ",",
        "name,city\n東京電力,東京\n",
    ),
    ("cp1252 Western", WESTERN.encode("cp1252"), "cp1252", ",", WESTERN),
    # é followed by a letter is a valid Shift-JIS kanji: the detector must see the mojibake
    (
        "cp1252 also valid cp932",
        "name,city\nBeersheva,Réhovot\n".encode("cp1252"),
        "cp1252",
        ",",
        "name,city\nBeersheva,Réhovot\n",
    ),
]


@pytest.mark.parametrize(
    ("case", "content", "encoding", "delimiter", "text"), ENCODINGS, ids=[c[0] for c in ENCODINGS]
)
def test_read_table_detects_and_records_the_encoding(
    tmp_path, case, content, encoding, delimiter, text
):
    path = tmp_path / "l.csv"
    path.write_bytes(content)
    table = read_table(path)
    header, line = (row.split(",") for row in text.splitlines())
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.columns == header
    assert list(table.rows[0][1].values()) == line


AMBIGUOUS = [
    ("name,country,sectors,city\nトヨタ,JP,ai,トヨタ\n", "cp932"),
    ("name,country,sectors\nパナソニック,JP,ai\n", "cp932"),
    ("name,country,sectors\nNTT東日本,JP,ai\n", "cp932"),
    ("name,country,sectors,city\nＮＥＣ,JP,ai,ＮＥＣ\n", "cp932"),
    ("name,country,sectors\n自動運転,JP,ai\n", "cp932"),
    ("name,country,sectors\nFrédéric,IL,ai\n", "cp1252"),
    ("name,country,sectors\nThérèse,IL,ai\n", "cp1252"),
    ("name;country;sectors\nÀ la carte;IL;ai\n", "cp1252"),
    ("name,country,sectors\nSão Paulo,IL,ai\n", "cp1252"),
]


@pytest.mark.parametrize(("text", "encoding"), AMBIGUOUS)
def test_decode_text_tells_cp932_from_cp1252_when_both_decode(text, encoding):
    content = text.encode(encoding)
    assert content.decode("cp932") and content.decode("cp1252")  # valid in both: ambiguous
    assert decoding.decode_text("l.csv", content) == (text, encoding)


class NoAnswer:
    """What the detector returns when no candidate fits."""

    def best(self) -> None:
        return None


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("name,city\n東京電力,東京\n".encode("cp932"), "cp932"),
        # cp932 would decode the no-break space into the private-use area
        ("name,city\nA,Tel\xa0Aviv\n".encode("cp1252"), "cp1252"),
    ],
)
def test_decode_text_falls_back_to_cp932_then_cp1252(monkeypatch, content, encoding):
    monkeypatch.setattr(decoding, "from_bytes", lambda data, **options: NoAnswer())
    assert decoding.decode_text("l.csv", content) == (content.decode(encoding), encoding)


def test_read_table_reports_bytes_no_encoding_explains(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes(b"name,country,sectors\nAcme\x81,JP,cyber\n")
    assert problems_of(read_table, path) == [
        f"{path}:2: file: not valid UTF-8 (byte 0x81), nor Shift-JIS (cp932) or Windows-1252 text; save the file as UTF-8"
    ]


def test_read_table_keeps_json_to_utf8(tmp_path):
    path = tmp_path / "l.json"
    path.write_bytes(json.dumps([{"name": "Müller"}], ensure_ascii=False).encode("cp1252"))
    (problem,) = problems_of(read_table, path)
    assert ":1: file: not valid UTF-8 (byte 0xfc)" in problem
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"name": "Müller"}]).encode())
    assert read_table(path).encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("name;country;sectors", ";"),
        ("name\tcountry\tsectors", "\t"),
        ("name,country,sectors", ","),
        ('"name;x",country,sectors', ","),
        ('name;"a,b,c";sectors', ";"),
    ],
)
def test_read_table_sniffs_the_delimiter_from_the_header(tmp_path, header, delimiter):
    path = tmp_path / "l.csv"
    row = delimiter.join(["Acme", "JP", '"cyber, ai"'])
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == delimiter
    assert list(table.rows[0][1].values()) == ["Acme", "JP", "cyber, ai"]


def test_load_companies_reads_a_semicolon_cp1252_list_from_excel(tmp_path, taxonomy):
    path = tmp_path / "l.csv"
    path.write_bytes(
        "Name;Country;Sectors;City\nCafé Labs;Israel;cyber, ai;Tel Aviv–Yafo\n".encode("cp1252")
    )
    (company,) = load_companies(path, taxonomy)
    assert (company.name, company.country, company.sectors, company.city) == (
        "Café Labs",
        "IL",
        ("cyber", "ai"),
        "Tel Aviv–Yafo",
    )


def test_check_columns_renames_known_columns_and_keeps_extra_ones(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text(" Name ,COUNTRY,Sectors,Account Manager\nA,JP,ai,Sato\n", encoding="utf-8")
    table = read_table(path)
    assert table.check_columns(("name", "country", "sectors"), ("name", "country", "sectors"))
    assert table.columns == ["name", "country", "sectors", "Account Manager"]
    assert table.rows == [
        (2, {"name": "A", "country": "JP", "sectors": "ai", "Account Manager": "Sato"})
    ]
    assert table.problems == []


def test_check_columns_reports_one_known_column_given_twice(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("name,Name,country,sectors\nA,B,JP,ai\n", encoding="utf-8")
    table = read_table(path)
    assert not table.check_columns(("name",), ("name", "country", "sectors"))
    assert [str(p) for p in table.problems] == [
        f"{path}:1: name: columns 'name' and 'Name' are both 'name'"
    ]


def test_load_partnerships_matches_headers_case_insensitively(tmp_path, inputs):
    path = tmp_path / "p.csv"
    path.write_text(
        " Japanese_ID ;ISRAELI_ID;Kind;Year\njp-auto;il-lidar;Investment;2019\n", encoding="utf-8"
    )
    (deal,) = load_partnerships(path, inputs.companies)
    assert (deal.pair, deal.kind, deal.year) == (("jp-auto", "il-lidar"), "investment", 2019)


def test_load_partnerships_reads_a_named_xlsx_sheet(tmp_path, inputs):
    rows = [["Japanese_id", "Israeli_id"], ["jp-auto", "il-lidar"]]
    path = save_workbook(tmp_path / "p.xlsx", {"Notes": [["x"]], "Deals": rows})
    (deal,) = load_partnerships(path, inputs.companies, sheet="Deals")
    assert deal.pair == ("jp-auto", "il-lidar")


COMPANY_SUGGESTIONS = [
    (
        "name,country,sector",
        "sectors: missing required column (found 'sector': did you mean 'sectors'?)",
    ),
    (
        "name,country,sectors,Descripton",
        "header: unknown column 'Descripton': did you mean 'description'?",
    ),
    (
        "name,countries,sectors",
        "country: missing required column (found 'countries': did you mean 'country'?)",
    ),
    ("Name,Country,Sectors,Websites", "header: unknown column 'Websites': did you mean 'website'?"),
    (
        "name,country,sectors,hq country",
        "header: unknown column 'hq country': did you mean 'hq_country'?",
    ),
    (
        "name,country,sectors,Parent ID",
        "header: unknown column 'Parent ID': did you mean 'parent_id'?",
    ),
]


@pytest.mark.parametrize(("header", "expected"), COMPANY_SUGGESTIONS)
def test_load_companies_suggests_the_column_a_header_misspells(
    tmp_path, taxonomy, header, expected
):
    path = tmp_path / "l.csv"
    values = ",".join(["Acme", "JP", "cyber", "x"][: header.count(",") + 1])
    path.write_text(f"{header}\n{values}\n", encoding="utf-8")
    problems = problems_of(load_companies, path, taxonomy)
    assert f"{path}:1: {expected}" in problems, problems
    assert len(problems) == 1, problems


def test_check_columns_is_quiet_about_columns_far_from_any_known_one(tmp_path, taxonomy):
    path = tmp_path / "l.csv"
    path.write_text(
        "name,country,sectors,country_code,Account Manager\nA,JP,ai,392,Sato\n", encoding="utf-8"
    )
    (company,) = load_companies(path, taxonomy)
    assert dict(company.extra) == {"country_code": "392", "Account Manager": "Sato"}


PARTNERSHIP_SUGGESTIONS = [
    (
        "japanese id,israeli_id",
        "japanese_id: missing required column (found 'japanese id': did you mean 'japanese_id'?)",
    ),
    (
        "Japanese_ID,Israeli-ID",
        "israeli_id: missing required column (found 'Israeli-ID': did you mean 'israeli_id'?)",
    ),
    ("japanese_id,israeli_id,notes", "header: unknown column 'notes': did you mean 'note'?"),
    ("japanese_id,israeli_id,years", "header: unknown column 'years': did you mean 'year'?"),
]


@pytest.mark.parametrize(("header", "expected"), PARTNERSHIP_SUGGESTIONS)
def test_load_partnerships_suggests_the_column_a_header_misspells(
    tmp_path, inputs, header, expected
):
    path = tmp_path / "p.csv"
    values = ",".join(["jp-auto", "il-lidar", "2019"][: header.count(",") + 1])
    path.write_text(f"{header}\n{values}\n", encoding="utf-8")
    problems = problems_of(load_partnerships, path, inputs.companies)
    assert problems == [f"{path}:1: {expected}"]


def test_check_columns_reports_each_misspelt_json_key_once(tmp_path, taxonomy):
    rows = [
        {"Name": "A", "Country": "JP", "Sectors": "ai", "Descripton": "x"},
        {"name": "B", "country": "IL", "sector": "ai", "Descripton": "y"},
        {"name": "C", "country": "IL", "sector": "ai", "Descripton": "z"},
    ]
    path = tmp_path / "l.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert problems_of(load_companies, path, taxonomy) == [
        f"{path}:1: header: unknown field 'Descripton': did you mean 'description'?",
        f"{path}:2: header: unknown field 'sector': did you mean 'sectors'?",
        f"{path}:2: sectors: missing required field",
        f"{path}:3: sectors: missing required field",
    ]


def test_check_columns_keeps_json_objects_that_lack_a_required_field(tmp_path):
    path = tmp_path / "l.json"
    path.write_text(json.dumps([{"NAME": "A", "extra": 1}, {"name": "B"}]), encoding="utf-8")
    table = read_table(path)
    assert table.check_columns(("name", "sectors"), ("name", "sectors"))
    assert table.rows == [(1, {"name": "A", "extra": 1}), (1, {"name": "B"})]
    assert (table.columns, table.problems) == (["name", "extra"], [])
