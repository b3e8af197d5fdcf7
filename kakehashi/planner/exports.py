"""A schedule as files people open: CSV, an Excel workbook and iCalendar (one calendar per firm).

Spreadsheet cells whose text begins with `=`, `+`, `-`, `@` (or a tab or carriage return) get a
leading `'`, so a company name or summary can never run as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import icalendar
from openpyxl import Workbook

from kakehashi.planner.records import Meeting, Schedule

TIMEZONE = ZoneInfo("Asia/Jerusalem")  # the venues are in Israel
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME = 31  # Excel's longest sheet name
COLUMNS = (
    "date", "day", "slot", "start", "end", "venue", "japanese_id", "japanese_name",
    "israeli_id", "israeli_name", "israeli_city", "score", "strength", "known_partner",
    "pinned", "travel_minutes", "summary",
)  # fmt: skip
UNPLACED_COLUMNS = ("japanese_id", "israeli_id", "israeli_name", "score", "strength", "reason")


def neutralize(value: object) -> object:
    """A cell value safe in a spreadsheet: text that could start a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _meeting_row(meeting: Meeting) -> list[object]:
    values = {**meeting.__dict__, "day": meeting.day + 1, "slot": meeting.slot + 1}
    values["summary"] = meeting.explanation.get("summary", "")
    values["travel_minutes"] = "" if meeting.travel_minutes is None else meeting.travel_minutes
    return [neutralize(values[name]) for name in COLUMNS]


def table_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads Japanese names) of neutralized cells."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralize(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def schedule_csv(schedule: Schedule) -> bytes:
    """One row per meeting, in time order (days and slots counted from 1)."""
    return table_csv(COLUMNS, (_meeting_row(m) for m in schedule.meetings))


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet name for `name` (at most 31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip("' ") or "Sheet"
    title, n = base[:SHEET_NAME], 1
    while title.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: SHEET_NAME - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def add_sheet(workbook: Workbook, title: str, header: Sequence[str], rows, taken: set[str]):
    """A sheet of neutralized rows under a header row, the header frozen."""
    sheet = workbook.create_sheet(sheet_title(title, taken))
    sheet.append(list(header))
    for row in rows:
        sheet.append([neutralize(value) for value in row])
    sheet.freeze_panes = "A2"
    return sheet


def schedule_xlsx(schedule: Schedule) -> bytes:
    """A workbook: one sheet per day, one per firm with meetings, and the unplaced pairs."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for n, day in enumerate(schedule.days):
        rows = [_meeting_row(m) for m in schedule.meetings if m.day == n]
        add_sheet(workbook, f"Day {n + 1} {day.date.isoformat()}", COLUMNS, rows, taken)
    for firm in schedule.firms():
        rows = [_meeting_row(m) for m in schedule.agenda(firm)]
        add_sheet(workbook, schedule.names.get(firm, firm), COLUMNS, rows, taken)
    unplaced = [[getattr(u, name) for name in UNPLACED_COLUMNS] for u in schedule.unplaced]
    add_sheet(workbook, "Unplaced", UNPLACED_COLUMNS, unplaced, taken)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _event(meeting: Meeting, firm: str, stamp: dt.datetime) -> icalendar.Event:
    other = meeting.israeli_name if firm == meeting.japanese_id else meeting.japanese_name
    event = icalendar.Event()
    event.add("uid", f"{meeting.date}-{meeting.japanese_id}-{meeting.israeli_id}@kakehashi")
    event.add("dtstamp", stamp)
    start = dt.datetime.combine(
        dt.date.fromisoformat(meeting.date), dt.time.fromisoformat(meeting.start), TIMEZONE
    )
    end = dt.datetime.combine(start.date(), dt.time.fromisoformat(meeting.end), TIMEZONE)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", f"Meeting: {meeting.japanese_name} and {meeting.israeli_name}")
    event.add("location", meeting.venue)
    summary = meeting.explanation.get("summary", "")
    event.add(
        "description",
        f"With {other}. Match score {meeting.score} ({meeting.strength}). {summary}".strip(),
    )
    return event


def firm_ics(schedule: Schedule, firm: str, stamp: dt.datetime | None = None) -> bytes:
    """One firm's calendar: an event per meeting, with the venue and the other firm."""
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kakehashi//delegation planner//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Kakehashi meetings: {schedule.names.get(firm, firm)}")
    for meeting in schedule.agenda(firm):
        calendar.add_component(_event(meeting, firm, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_name(firm: str) -> str:
    """The file name of a firm's calendar inside the zip (ids are slugs; anything else is _)."""
    return re.sub(r"[^\w.-]", "_", firm) + ".ics"


def schedule_ics_zip(schedule: Schedule) -> bytes:
    """A zip of one .ics per firm that has a meeting."""
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for firm in schedule.firms():
            archive.writestr(calendar_name(firm), firm_ics(schedule, firm, stamp))
    return buffer.getvalue()
