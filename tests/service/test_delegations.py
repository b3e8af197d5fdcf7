"""POST /v1/delegations/schedule and /briefing: the schedule, its limits, errors and files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter

import icalendar
import pytest
from openpyxl import load_workbook

S = "/v1/delegations/schedule"
B = "/v1/delegations/briefing"
JAPANESE = ["jp-auto", "jp-bank", "jp-pharma", "jp-health"]
DAY = {"date": "2027-03-01", "venue": "Tel Aviv", "slots": 3, "slot_minutes": 30}


def body(**changes) -> dict:
    """A small valid schedule request, with changes."""
    return {"japanese_ids": JAPANESE, "days": [DAY], **changes}


def schedule(client, **changes) -> dict:
    response = client.post(S, json=body(**changes))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assert_error(response, status: int, code: str, text: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code
    assert text in response.json["error"]["message"]


def test_delegations_schedule_scores_are_the_partners_scores(client):
    found = schedule(client)
    assert found["meetings"]
    for meeting in found["meetings"]:
        ranking = client.get(f"/v1/companies/{meeting['japanese_id']}/partners?top_k=100").json
        scores = {r["id"]: (r["score"], r["strength"]) for r in ranking["results"]}
        assert (meeting["score"], meeting["strength"]) == scores[meeting["israeli_id"]]
        assert meeting["explanation"]["summary"]
    assert found["objective"] == pytest.approx(sum(m["score"] for m in found["meetings"]), abs=1e-3)
    assert found["gap"] == 0 and found["optimal"] and found["method"] == "two_stage"


def test_delegations_schedule_has_no_double_booking_and_keeps_capacities(client):
    found = schedule(client, capacity={"israeli_default": 1, "israeli": {"il-fraud": 2}})
    booked = Counter(
        (firm, m["day"], m["slot"])
        for m in found["meetings"]
        for firm in (m["japanese_id"], m["israeli_id"])
    )
    assert max(booked.values()) == 1
    per_firm = Counter(m["israeli_id"] for m in found["meetings"])
    assert all(n <= (2 if firm == "il-fraud" else 1) for firm, n in per_firm.items())
    assert "capacity" in {u["reason"] for u in found["unplaced"]}
    agenda = found["agendas"]["jp-bank"]
    assert [a["slot"] for a in agenda] == sorted(a["slot"] for a in agenda)


def test_delegations_schedule_travel_rule_and_reason(client):
    far = {**DAY, "venue": "Haifa"}
    found = schedule(client, days=[far], max_travel_minutes=30)
    for meeting in found["meetings"]:
        assert meeting["travel_minutes"] is None or meeting["travel_minutes"] <= 30
    travel = {u["israeli_id"] for u in found["unplaced"] if u["reason"] == "travel"}
    assert "il-fraud" in travel  # Tel Aviv is about 85 minutes from Haifa


def test_delegations_schedule_venues_per_day_use_the_milp(client):
    days = [DAY, {**DAY, "date": "2027-03-02", "venue": "Haifa"}]
    found = schedule(client, days=days, max_travel_minutes=40)
    assert found["method"] == "milp"
    for meeting in found["meetings"]:
        assert meeting["venue"] == days[meeting["day"]]["venue"]
        assert meeting["travel_minutes"] is None or meeting["travel_minutes"] <= 40


def test_delegations_schedule_honours_pins_and_forbid(client):
    pins = [{"japanese_id": "jp-auto", "israeli_id": "il-water", "day": 0, "slot": 2}]
    forbid = [{"japanese_id": "jp-bank", "israeli_id": "il-fraud"}]
    found = schedule(client, pins=pins, forbid=forbid, max_travel_minutes=120)
    placed = {(m["japanese_id"], m["israeli_id"]): m for m in found["meetings"]}
    assert placed["jp-auto", "il-water"]["slot"] == 2 and placed["jp-auto", "il-water"]["pinned"]
    assert ("jp-bank", "il-fraud") not in placed
    reasons = {(u["japanese_id"], u["israeli_id"]): u["reason"] for u in found["unplaced"]}
    assert reasons["jp-bank", "il-fraud"] == "forbidden"


def test_delegations_schedule_skips_known_partners_and_low_scores(client):
    found = schedule(client, skip_known=True, min_score=0.3)
    assert all(not m["known_partner"] and m["score"] >= 0.3 for m in found["meetings"])
    reasons = {(u["japanese_id"], u["israeli_id"]): u["reason"] for u in found["unplaced"]}
    assert reasons["jp-bank", "il-fraud"] == "known_partner"
    assert "threshold" in reasons.values()


class FakeFeedback:
    """The feedback store's contract: the pairs marked not relevant."""

    def not_relevant_pairs(self) -> set[tuple[str, str]]:
        return {("jp-bank", "il-fraud")}


@pytest.mark.parametrize(("skip", "placed"), [(True, False), (False, True)])
def test_delegations_schedule_skips_pairs_marked_not_relevant(app, skip, placed):
    app.extensions["kakehashi.feedback"] = FakeFeedback()
    found = schedule(app.test_client(), skip_not_relevant=skip)
    pairs = {(m["japanese_id"], m["israeli_id"]) for m in found["meetings"]}
    assert (("jp-bank", "il-fraud") in pairs) is placed
    if skip:
        reasons = {(u["japanese_id"], u["israeli_id"]): u["reason"] for u in found["unplaced"]}
        assert reasons["jp-bank", "il-fraud"] == "not_relevant"


INFEASIBLE = [
    (
        [{"japanese_id": "jp-auto", "israeli_id": "il-fleet", "day": 0, "slot": 1},
         {"japanese_id": "jp-bank", "israeli_id": "il-fleet", "day": 0, "slot": 1}],
        "both book il-fleet on day 0, slot 1 (double booking)",
    ),
    ([{"japanese_id": "jp-auto", "israeli_id": "il-water", "day": 0}], "il-water (Hatzerim) is about 95 minutes"),
    (
        [{"japanese_id": j, "israeli_id": "il-fleet"} for j in ("jp-auto", "jp-bank")],
        "il-fleet has 2 pinned meetings but can take at most 1",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("pins", "text"), INFEASIBLE)
def test_delegations_schedule_infeasible_pins_are_a_422_naming_the_conflict(client, pins, text):
    response = client.post(S, json=body(pins=pins, capacity={"israeli_default": 1}))
    assert_error(response, 422, "infeasible_schedule", text)


def test_delegations_schedule_pin_that_is_forbidden_is_a_conflict(client):
    pair = {"japanese_id": "jp-auto", "israeli_id": "il-fleet"}
    response = client.post(S, json=body(pins=[pair], forbid=[pair]))
    assert_error(
        response, 422, "infeasible_schedule", "pins[0]: jp-auto with il-fleet is also in forbid"
    )


BAD = [
    ({"japanese_ids": ["nope"]}, "invalid_schedule_request", "japanese_ids[0]: no company with id 'nope'"),
    ({"japanese_ids": ["il-fleet"]}, "invalid_schedule_request", "japanese_ids[0]: 'il-fleet' is not a Japanese"),
    ({"japanese_ids": ["jp-auto", "jp-auto"]}, "invalid_schedule_request", "japanese_ids[1]: 'jp-auto' is given twice"),
    ({"days": [{**DAY, "venue": "Tokyo"}]}, "invalid_schedule_request", "days[0].venue: unknown city 'Tokyo'"),
    ({"days": [{**DAY, "slots": 49}]}, "invalid_body", "days.0.slots"),
    ({"days": []}, "invalid_body", "days"),
    ({"days": [{**DAY, "start": "25:00"}]}, "invalid_schedule_request", "days[0].start"),
    ({"days": [{**DAY, "start": "23:30"}]}, "invalid_schedule_request", "after midnight"),
    ({"pins": [{"japanese_id": "jp-auto", "israeli_id": "il-fleet", "day": 3}]}, "invalid_schedule_request", "pins[0].day: must be between 0 and 0"),
    ({"pins": [{"japanese_id": "jp-auto", "israeli_id": "il-fleet", "day": 0, "slot": 3}]}, "invalid_schedule_request", "pins[0].slot"),
    ({"pins": [{"japanese_id": "jp-ai", "israeli_id": "il-fleet"}]}, "invalid_schedule_request", "pins[0].japanese_id: 'jp-ai' is not in japanese_ids"),
    ({"pins": [{"japanese_id": "jp-auto", "israeli_id": "jp-bank"}]}, "invalid_schedule_request", "pins[0].israeli_id"),
    ({"capacity": {"japanese_min": 5, "japanese_max": 2}}, "invalid_schedule_request", "capacity.japanese_min"),
    ({"capacity": {"israeli": {"nope": 2}}}, "invalid_schedule_request", "capacity.israeli.nope"),
    ({"capacity": {"japanese_min": 4}}, "infeasible_schedule", "capacity.japanese_min: jp-auto wants 4 meetings"),
    ({"pool": {"sectors": ["cybr"]}}, "invalid_schedule_request", "pool.sectors[0]: unknown sector 'cybr'"),
    ({"pool": {"ids": ["jp-auto"]}}, "invalid_schedule_request", "pool.ids[0]"),
    ({"time_limit_seconds": 60}, "invalid_body", "time_limit_seconds"),
    ({"min_strength": "great"}, "invalid_body", "min_strength"),
    ({"colour": "red"}, "invalid_body", "colour: unknown field"),
    ({"japanese_ids": [f"jp-{n}" for n in range(201)]}, "invalid_body", "japanese_ids"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "code", "text"), BAD)
def test_delegations_schedule_bad_requests_name_the_field(client, changes, code, text):
    assert_error(client.post(S, json=body(**changes)), 422, code, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [("format=pdf", "format"), ("firm=jp-auto", "firm: only with format=ics"),
     ("format=ics&firm=jp-ai", "firm: 'jp-ai' has no meeting"), ("fmt=csv", "fmt: unknown field")],
)  # fmt: skip
def test_delegations_schedule_bad_query_parameters(client, query, text):
    assert_error(client.post(f"{S}?{query}", json=body()), 422, "invalid_parameter", text)


def test_delegations_schedule_without_a_result_in_time_is_named(client, monkeypatch):
    class NoResult:
        status, x, message = 1, None, "Time limit reached"

    monkeypatch.setattr("kakehashi.planner.solve.milp", lambda *a, **k: NoResult())
    days = [DAY, {**DAY, "date": "2027-03-02", "venue": "Haifa"}]
    response = client.post(S, json=body(days=days))
    assert_error(response, 422, "schedule_not_found", "within 10 s")


def download(client, query: str, url: str = S, payload: dict | None = None):
    response = client.post(f"{url}?{query}", json=payload or body())
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_delegations_schedule_csv_has_one_row_per_meeting(client):
    meetings = schedule(client)["meetings"]
    response = download(client, "format=csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="schedule.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(r["japanese_id"], r["israeli_id"], r["start"]) for r in rows] == [
        (m["japanese_id"], m["israeli_id"], m["start"]) for m in meetings
    ]
    assert float(rows[0]["score"]) == meetings[0]["score"]
    assert rows[0]["venue"] == "Tel Aviv" and rows[0]["day"] == "1"


def test_delegations_schedule_xlsx_has_a_sheet_per_day_and_per_firm(client):
    found = schedule(client)
    response = download(client, "format=xlsx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="schedule.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    firms = list(found["agendas"])
    assert workbook.sheetnames[0] == "Day 1 2027-03-01"
    assert len(workbook.sheetnames) == 1 + len(firms) + 1 and workbook.sheetnames[-1] == "Unplaced"
    day = list(workbook["Day 1 2027-03-01"].iter_rows(values_only=True))
    assert day[0][:3] == ("date", "day", "slot") and len(day) == 1 + len(found["meetings"])
    motors = list(workbook["Sample Motors"].iter_rows(values_only=True))[1:]
    assert [row[8] for row in motors] == [a["partner_id"] for a in found["agendas"]["jp-auto"]]


def test_delegations_schedule_ics_zip_has_a_calendar_per_firm(client):
    found = schedule(client)
    response = download(client, "format=ics")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(f"{firm}.ics" for firm in found["agendas"])
    calendar = icalendar.Calendar.from_ical(archive.read("jp-bank.ics"))
    events = list(calendar.walk("VEVENT"))
    agenda = found["agendas"]["jp-bank"]
    assert len(events) == len(agenda)
    first = events[0]
    assert str(first["LOCATION"]) == "Tel Aviv"
    assert agenda[0]["partner_name"] in str(first["SUMMARY"])
    assert (
        first.decoded("DTSTART").strftime("%Y-%m-%d %H:%M")
        == f"{agenda[0]['date']} {agenda[0]['start']}"
    )
    assert str(first.decoded("DTSTART").tzinfo) == "Asia/Jerusalem"


def test_delegations_schedule_ics_of_one_firm(client):
    found = schedule(client)
    response = download(client, "format=ics&firm=il-fraud")
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="il-fraud.ics"'
    events = list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))
    assert len(events) == len(found["agendas"]["il-fraud"])


def test_delegations_briefing_ranks_every_firm(client):
    response = client.post(B, json={"japanese_ids": ["jp-auto", "jp-bank"], "top_k": 3})
    rows = response.json["rows"]
    assert [(r["japanese_id"], r["rank"]) for r in rows] == [
        (j, k) for j in ("jp-auto", "jp-bank") for k in (1, 2, 3)
    ]
    ranking = client.get("/v1/companies/jp-auto/partners?top_k=3").json["results"]
    assert [(r["israeli_id"], r["score"]) for r in rows[:3]] == [
        (r["id"], r["score"]) for r in ranking
    ]


def test_delegations_briefing_csv_and_xlsx(app):
    app.extensions["kakehashi.feedback"] = FakeFeedback()
    client = app.test_client()
    payload = {"japanese_ids": ["jp-bank"], "top_k": 2}
    text = download(client, "format=csv", B, payload).data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["rank"] for r in rows] == ["1", "2"]
    assert "il-fraud" not in {r["israeli_id"] for r in rows}  # marked not relevant
    workbook = load_workbook(io.BytesIO(download(client, "format=xlsx", B, payload).data))
    assert workbook.sheetnames == ["Briefing", "Sample Bank"]
    assert [row[3] for row in workbook["Briefing"].iter_rows(min_row=2, values_only=True)] == [
        r["israeli_id"] for r in rows
    ]


def test_delegations_openapi_documents_the_files(client):
    spec = client.get("/openapi.json").json
    content = spec["paths"][S]["post"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/ScheduleResponse")
    assert {"text/csv", "application/zip", "text/calendar"} <= set(content)
    described = spec["components"]["schemas"]["ScheduleBody"]["properties"]
    assert {"japanese_ids", "pool", "days", "capacity", "pins", "forbid"} <= set(described)


def test_delegations_schedule_pin_below_the_candidate_cut_is_scored_and_placed(client):
    ranking = client.get("/v1/companies/jp-auto/partners?top_k=100").json["results"]
    last = ranking[-1]
    pins = [{"japanese_id": "jp-auto", "israeli_id": last["id"]}]
    found = schedule(client, pins=pins, candidates_per_firm=1, max_travel_minutes=600)
    placed = {(m["japanese_id"], m["israeli_id"]): m for m in found["meetings"]}
    assert placed["jp-auto", last["id"]]["score"] == last["score"]
    reasons = {u["reason"] for u in found["unplaced"] if u["japanese_id"] == "jp-auto"}
    assert reasons == {"candidate_limit"}
    assert sum(1 for m in found["meetings"] if m["japanese_id"] == "jp-auto") == 2


@pytest.mark.parametrize("url", [S, B])
def test_delegations_solve_off_the_event_loop(client, monkeypatch, url):
    """Seconds of solver work must not hold a gevent worker's loop: it goes to a real thread."""
    import service.delegations

    offloaded = []

    def record(function, *args):
        offloaded.append(function.__name__)
        return function(*args)

    monkeypatch.setattr(service.delegations, "off_the_event_loop", record)
    payload = body() if url == S else {"japanese_ids": JAPANESE}
    assert client.post(url, json=payload).status_code == 200
    assert offloaded == ["build_schedule" if url == S else "build_briefing"]
