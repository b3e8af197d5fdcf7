"""Company lists: the accepted formats and every kind of bad input, located by line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kakehashi.companies import slugify
from kakehashi.company_list import load_companies
from kakehashi.errors import InvalidListError

HEADER = "id,name,country,sectors,description,interests,tags,city,founded,employees,stage,website"
ROWS = [
    {
        "id": "jp-a",
        "name": "Alpha KK",
        "country": "JP",
        "sectors": "cyber",
        "description": "Bank IT.",
    },
    {
        "id": "il-b",
        "name": "Beta",
        "country": "IL",
        "sectors": "ai;cyber",
        "description": "Threat AI.",
    },
]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def problems_of(path: Path, taxonomy) -> list[str]:
    with pytest.raises(InvalidListError) as caught:
        load_companies(path, taxonomy)
    return [str(p) for p in caught.value.problems]


def as_csv(rows: list[dict]) -> str:
    columns = list(rows[0])
    lines = [",".join(columns)] + [",".join(str(r.get(c, "")) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("list.csv", as_csv(ROWS)),
        ("list.json", json.dumps(ROWS, indent=2)),
        ("list.jsonl", "\n".join(json.dumps(r) for r in ROWS)),
        ("bom.csv", "\ufeff" + as_csv(ROWS)),
    ],
)
def test_load_companies_reads_every_format_alike(tmp_path, taxonomy, name, content):
    companies = load_companies(write(tmp_path, name, content), taxonomy)
    assert [(c.id, c.country, c.sectors) for c in companies] == [
        ("jp-a", "JP", ("cyber",)),
        ("il-b", "IL", ("ai", "cyber")),
    ]


def test_load_companies_accepts_json_lists_for_sectors_and_tags(tmp_path, taxonomy):
    row = {
        "name": "Gamma",
        "country": "Israel",
        "sectors": ["AR/VR", "Life Sciences"],
        "tags": ["a", "b"],
    }
    (company,) = load_companies(write(tmp_path, "l.json", json.dumps([row])), taxonomy)
    assert company.sectors == ("vr", "life_sciences")
    assert company.tags == ("a", "b")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Japan", "JP"), ("jpn", "JP"), ("jp", "JP"), ("ISRAEL", "IL"), ("isr", "IL"), (" il ", "IL")],
)
def test_load_companies_normalizes_country_spellings(tmp_path, taxonomy, given, expected):
    content = f"name,country,sectors\nAcme,{given},cyber\n"
    (company,) = load_companies(write(tmp_path, "l.csv", content), taxonomy)
    assert company.country == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Life Sciences", "life_sciences"),
        ("life-sciences", "life_sciences"),
        ("AR/VR", "vr"),
        ("Cybersecurity", "cyber"),
        ("DIGITAL HEALTH", "digital_health"),
        ("自動運転", "automotive"),
    ],
)
def test_load_companies_resolves_sector_aliases(tmp_path, taxonomy, given, expected):
    (company,) = load_companies(
        write(tmp_path, "l.csv", f"name,country,sectors\nAcme,JP,{given}\n"), taxonomy
    )
    assert company.sectors == (expected,)


def test_load_companies_keeps_extra_columns(tmp_path, taxonomy):
    content = "name,country,sectors,Account Manager\nAcme,JP,cyber,Sato\n"
    (company,) = load_companies(write(tmp_path, "l.csv", content), taxonomy)
    assert dict(company.extra) == {"Account Manager": "Sato"}
    assert company.to_dict()["extra"] == {"Account Manager": "Sato"}


def test_load_companies_derives_unique_ids_from_names(tmp_path, taxonomy):
    content = (
        "name,country,sectors\nAcme Corp.,JP,cyber\nAcme Corp,IL,cyber\nトヨタ,JP,automotive\n"
    )
    companies = load_companies(write(tmp_path, "l.csv", content), taxonomy)
    assert [c.id for c in companies] == ["acme-corp", "acme-corp-2", slugify("トヨタ")]
    assert slugify("トヨタ").startswith("company-")


def test_load_companies_keeps_japanese_text_intact(tmp_path, taxonomy):
    content = (
        "name,country,sectors,description\nトヨタ自動車,JP,自動車,自動運転とコネクテッドカー\n"
    )
    (company,) = load_companies(write(tmp_path, "l.csv", content), taxonomy)
    assert company.description == "自動運転とコネクテッドカー"


LONG = "x" * 6000
BAD_INPUTS = [
    (
        "missing required column",
        "l.csv",
        "name,country\nAcme,JP\n",
        "l.csv:1: sectors: missing required column",
    ),
    (
        "empty required value",
        "l.csv",
        "name,country,sectors\n,JP,cyber\n",
        "l.csv:2: name: empty value",
    ),
    (
        "unknown sector",
        "l.csv",
        "name,country,sectors\nAcme,JP,cyberr\n",
        "l.csv:2: sectors: unknown sector 'cyberr' (closest known: 'cyber')",
    ),
    (
        "duplicate id",
        "l.csv",
        "id,name,country,sectors\na,A,JP,cyber\na,B,IL,cyber\n",
        "l.csv:3: id: duplicate id 'a' (first used on line 2)",
    ),
    (
        "unknown country",
        "l.csv",
        "name,country,sectors\nAcme,France,cyber\n",
        "l.csv:2: country: unknown country 'France'",
    ),
    (
        "non-UTF-8 bytes",
        "l.csv",
        b"name,country,sectors\nAcme\x81,JP,cyber\n",  # neither UTF-8, CP932 nor CP1252
        "l.csv:2: file: not valid UTF-8",
    ),
    ("empty file", "l.csv", "", "l.csv:1: file: the file is empty"),
    ("header only", "l.csv", "name,country,sectors\n", "l.csv:1: file: the list has no companies"),
    (
        "malformed JSON",
        "l.json",
        '[{"name": "A",\n "country": }]',
        "l.json:2: file: malformed JSON",
    ),
    ("JSON not an array", "l.json", '{"name": "A"}', "l.json:1: file: expected a JSON array"),
    (
        "JSON Lines bad row",
        "l.jsonl",
        '{"name":"A","country":"JP","sectors":"ai"}\n{oops}\n',
        "l.jsonl:2: row: malformed JSON",
    ),
    (
        "wrong number of fields",
        "l.csv",
        "name,country,sectors\nAcme,JP,cyber,extra\n",
        "l.csv:2: row: expected 3 fields as in the header, found 4",
    ),
    (
        "absurdly long value",
        "l.csv",
        f"name,country,sectors,description\nAcme,JP,cyber,{LONG}\n",
        "l.csv:2: description: value is 6000 characters long; the limit is 5000",
    ),
    (
        "bad founded year",
        "l.csv",
        "name,country,sectors,founded\nAcme,JP,cyber,19x5\n",
        "l.csv:2: founded: expected a year",
    ),
    (
        "bad id characters",
        "l.csv",
        "id,name,country,sectors\na b,Acme,JP,cyber\n",
        "l.csv:2: id: ids may hold only",
    ),
    ("unknown extension", "l.ods", "x", "l.ods:1: file: unknown file extension '.ods'"),
    (
        "JSON object as text",
        "l.json",
        '[{"name": {"a": 1}, "country": "JP", "sectors": "ai"}]',
        "l.json:1: name: expected text",
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_load_companies_reports_bad_input_with_location(
    tmp_path, taxonomy, case, name, content, expected
):
    problems = problems_of(write(tmp_path, name, content), taxonomy)
    assert any(p.startswith(f"{tmp_path}/{expected}") for p in problems), problems


def test_load_companies_reports_every_problem_not_just_the_first(tmp_path, taxonomy):
    content = "name,country,sectors\nA,XX,cyber\nB,JP,nope\n,JP,ai\n"
    problems = problems_of(write(tmp_path, "l.csv", content), taxonomy)
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in problems] == ["2", "3", "4"]


def test_load_companies_counts_lines_of_multiline_csv_fields(tmp_path, taxonomy):
    content = 'name,country,sectors,description\nA,JP,cyber,"two\nlines"\nB,XX,cyber,x\n'
    (problem,) = problems_of(write(tmp_path, "l.csv", content), taxonomy)
    assert ":4: country:" in problem


def test_load_companies_locates_json_array_elements_by_line(tmp_path, taxonomy):
    rows = [
        {"name": "A", "country": "JP", "sectors": "ai"},
        {"name": "B", "country": "XX", "sectors": "ai"},
    ]
    (problem,) = problems_of(write(tmp_path, "l.json", json.dumps(rows, indent=2)), taxonomy)
    assert ":7: country:" in problem


def test_load_companies_accepts_other_list_separators_and_year_forms(tmp_path, taxonomy):
    content = 'name,country,sectors,tags,founded,employees\nAcme,日本,"cyber, AI|fintech",a|b,1937-04,51-200\n'
    (company,) = load_companies(write(tmp_path, "l.csv", content), taxonomy)
    assert company.country == "JP"
    assert company.sectors == ("cyber", "ai", "fintech")
    assert company.tags == ("a", "b")
    assert (company.founded, company.employees) == (1937, "51-200")


def test_load_companies_reports_every_problem_of_a_row_with_a_duplicate_id(tmp_path, taxonomy):
    content = "id,name,country,sectors\na,A,JP,cyber\na,B,XX,nope\n"
    problems = problems_of(write(tmp_path, "l.csv", content), taxonomy)
    assert sorted(p.split(": ")[1] for p in problems) == ["country", "id", "sectors"]
    assert all(":3: " in p for p in problems)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("a,A,JP,cyber,zz\n", ":2: parent_id: unknown parent id 'zz'"),
        ("a,A,JP,cyber,a\n", ":2: parent_id: a company cannot be its own parent"),
        ("a,A,JP,cyber,b\nb,B,JP,ai,a\n", ":2: parent_id: parent ids form a cycle"),
    ],
)  # fmt: skip
def test_load_companies_checks_parent_ids(tmp_path, taxonomy, rows, expected):
    content = "id,name,country,sectors,parent_id\n" + rows
    problems = problems_of(write(tmp_path, "l.csv", content), taxonomy)
    assert any(expected in p for p in problems), problems


def test_load_companies_reads_group_headquarters_and_freshness(tmp_path, taxonomy):
    content = (
        "id,name,country,sectors,parent_id,hq_country,hq_city,as_of,source\n"
        "sony,Sony,JP,vr,,,,2026-12,annual report\n"
        "altair,Altair,IL,semiconductors,sony,,,2026-12-01,press\n"
        "wiz,Wiz,IL,cyber,,us,New York,2026-11,website\n"
    )
    by_id = {c.id: c for c in load_companies(write(tmp_path, "l.csv", content), taxonomy)}
    assert by_id["altair"].parent_id == "sony" and by_id["altair"].as_of == "2026-12-01"
    assert (by_id["wiz"].hq_country, by_id["wiz"].hq_city) == ("US", "New York")
    assert by_id["sony"].source == "annual report" and by_id["sony"].extra == ()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("as_of", "December 2026", "as_of: expected a date as YYYY-MM or YYYY-MM-DD"),
        ("as_of", "2026-13", "as_of: expected a date"),
        ("hq_country", "USA", "hq_country: expected a two-letter country code"),
    ],
)  # fmt: skip
def test_load_companies_rejects_malformed_freshness_and_headquarters(
    tmp_path, taxonomy, column, value, expected
):
    content = f"name,country,sectors,{column}\nA,IL,cyber,{value}\n"
    (problem,) = problems_of(write(tmp_path, "l.csv", content), taxonomy)
    assert f":2: {expected}" in problem


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("name,country,sectors,", "l.csv:1: header: column 4 has no name"),
        ("name,country,sectors,notes,notes", "l.csv:1: header: duplicate column 'notes'"),
    ],
)
def test_load_companies_reports_a_malformed_header(tmp_path, taxonomy, header, expected):
    fields = header.count(",") + 1
    row = ",".join(["Acme", "JP", "cyber", *[""] * (fields - 3)])
    problems = problems_of(write(tmp_path, "l.csv", f"{header}\n{row}\n"), taxonomy)
    assert any(p.endswith(expected.split(":", 1)[1]) and "l.csv:1:" in p for p in problems), (
        problems
    )
