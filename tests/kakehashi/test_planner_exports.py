"""The exports of a schedule, opened with their libraries; formula-like cells are neutralized."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import icalendar
import pytest
from openpyxl import load_workbook

from kakehashi.planner import exports
from kakehashi.planner.briefing import BriefingRow, briefing_csv, briefing_xlsx
from kakehashi.planner.records import Meeting, Schedule, Unplaced
from kakehashi.planner.request import Day

DAYS = (
    Day(dt.date(2027, 3, 1), "Tel Aviv", dt.time(9), 4, 30),
    Day(dt.date(2027, 3, 2), "Haifa", dt.time(9), 4, 30),
)
EVIL = '=HYPERLINK("http://x","click")'


def meeting(
    japanese: str, israeli: str, day: int, slot: int, name: str = "Sample Motors"
) -> Meeting:
    start = DAYS[day].slot_start(slot)
    return Meeting(
        japanese_id=japanese, japanese_name=name, israeli_id=israeli, israeli_name=f"{israeli} Ltd",
        israeli_city="Tel Aviv", day=day, slot=slot, date=start.date().isoformat(),
        start=start.strftime("%H:%M"), end=DAYS[day].slot_end(slot).strftime("%H:%M"),
        venue=DAYS[day].venue, score=0.5, strength="good", known_partner=False, pinned=False,
        travel_minutes=None, explanation={"summary": "-1 reasons"},
    )  # fmt: skip


@pytest.fixture
def schedule() -> Schedule:
    meetings = (
        meeting("jp-a", "il-x", 0, 0, EVIL),
        meeting("jp-b", "il-x", 1, 0, "+Plus"),
        meeting("jp-a", "il-y", 1, 2, EVIL),
    )  # in time order, as the planner gives them
    unplaced = (Unplaced("jp-b", "il-z", "@Zed", 0.3, "weak", "capacity"),)
    names = {"jp-a": EVIL, "jp-b": "+Plus", "il-x": "il-x Ltd", "il-y": "il-y Ltd"}
    return Schedule(DAYS, meetings, unplaced, 1.5, 0.0, "milp", True, names)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=x", "'\t=x"),
        ("Sony", "Sony"),
        (0.5, 0.5),
        (-1, -1),
    ],
)
def test_planner_exports_neutralize(value, safe):
    assert exports.neutralize(value) == safe


def test_planner_exports_csv_neutralizes_formulas(schedule):
    rows = list(csv.DictReader(io.StringIO(exports.schedule_csv(schedule).decode("utf-8-sig"))))
    assert [r["japanese_name"] for r in rows] == ["'" + EVIL, "'+Plus", "'" + EVIL]
    assert rows[0]["summary"] == "'-1 reasons"
    assert [(r["date"], r["start"], r["venue"]) for r in rows] == [
        ("2027-03-01", "09:00", "Tel Aviv"),
        ("2027-03-02", "09:00", "Haifa"),
        ("2027-03-02", "10:00", "Haifa"),
    ]


def test_planner_exports_xlsx_sheets_and_no_formula(schedule):
    workbook = load_workbook(io.BytesIO(exports.schedule_xlsx(schedule)))
    assert workbook.sheetnames[:2] == ["Day 1 2027-03-01", "Day 2 2027-03-02"]
    assert workbook.sheetnames[-1] == "Unplaced" and len(workbook.sheetnames) == 2 + 4 + 1
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    day2 = list(workbook["Day 2 2027-03-02"].iter_rows(min_row=2, values_only=True))
    assert [(r[6], r[8]) for r in day2] == [("jp-b", "il-x"), ("jp-a", "il-y")]
    assert workbook["Unplaced"]["C2"].value == "'@Zed"


def test_planner_exports_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    first = exports.sheet_title("A/B: [very] long name of a company " * 2, taken)
    second = exports.sheet_title("A/B: [very] long name of a company " * 2, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)


def test_planner_exports_ics_zip_has_one_calendar_per_firm(schedule):
    archive = zipfile.ZipFile(io.BytesIO(exports.schedule_ics_zip(schedule)))
    assert sorted(archive.namelist()) == ["il-x.ics", "il-y.ics", "jp-a.ics", "jp-b.ics"]
    calendar = icalendar.Calendar.from_ical(archive.read("il-x.ics"))
    events = list(calendar.walk("VEVENT"))
    assert [str(e["LOCATION"]) for e in events] == ["Tel Aviv", "Haifa"]
    assert "With +Plus" in str(events[1]["DESCRIPTION"])
    start = events[1].decoded("DTSTART")
    assert (start.isoformat(), str(start.tzinfo)) == ("2027-03-02T09:00:00+02:00", "Asia/Jerusalem")
    assert len({str(e["UID"]) for e in events}) == 2


def test_planner_briefing_exports_neutralize(tmp_path):
    rows = (BriefingRow("jp-a", EVIL, 1, "il-x", "-Minus", "Haifa", "ai", 0.4, "weak", False, "x"),)
    parsed = list(csv.DictReader(io.StringIO(briefing_csv(rows).decode("utf-8-sig"))))
    assert parsed[0]["israeli_name"] == "'-Minus" and parsed[0]["japanese_name"] == "'" + EVIL
    workbook = load_workbook(io.BytesIO(briefing_xlsx(rows)))
    assert workbook["Briefing"]["E2"].value == "'-Minus"
    assert len(workbook.sheetnames) == 2
