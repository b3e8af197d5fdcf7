"""Read a schedule or briefing request from its JSON document, naming the field of any mistake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from kakehashi.errors import PlannerRequestError
from kakehashi.planner import request as r
from kakehashi.planner.travel import load_travel_table

FIELDS = {
    "japanese_ids", "pool", "days", "capacity", "min_score", "min_strength", "skip_known",
    "skip_not_relevant", "pins", "forbid", "max_travel_minutes", "time_limit_seconds",
    "candidates_per_firm", "unplaced_per_firm",
}  # fmt: skip


def _object(value: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PlannerRequestError(where or "body", "must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise PlannerRequestError(_join(where, unknown[0]), "unknown field")
    return value


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _integer(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlannerRequestError(where, "must be an integer")
    if not low <= value <= high:
        raise PlannerRequestError(where, f"must be between {low} and {high}")
    return value


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlannerRequestError(where, "must be a number")
    if not low <= value <= high:
        raise PlannerRequestError(where, f"must be between {low:g} and {high:g}")
    return float(value)


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise PlannerRequestError(where, "must be true or false")
    return value


def _strings(value: Any, where: str, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PlannerRequestError(where, "must be a list of strings")
    if len(value) > limit:
        raise PlannerRequestError(where, f"at most {limit} items (got {len(value)})")
    for n, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise PlannerRequestError(f"{where}[{n}]", "must be a non-empty string")
    return tuple(item.strip() for item in value)


def _day(value: Any, where: str) -> r.Day:
    doc = _object(value, where, {"date", "venue", "start", "slots", "slot_minutes", "breaks"})
    for name in ("date", "venue", "slots"):
        if name not in doc:
            raise PlannerRequestError(_join(where, name), "missing")
    try:
        date = dt.date.fromisoformat(str(doc["date"]))
    except ValueError:
        raise PlannerRequestError(_join(where, "date"), "must be a date YYYY-MM-DD") from None
    try:
        start = dt.time.fromisoformat(str(doc.get("start", "09:00")))
    except ValueError:
        raise PlannerRequestError(_join(where, "start"), "must be a time HH:MM") from None
    slots = _integer(doc["slots"], _join(where, "slots"), 1, r.MAX_SLOTS)
    minutes = _integer(doc.get("slot_minutes", 30), _join(where, "slot_minutes"), 5, 240)
    breaks = tuple(
        _break(item, f"{where}.breaks[{n}]", slots)
        for n, item in enumerate(_list(doc.get("breaks", []), _join(where, "breaks"), r.MAX_SLOTS))
    )
    venue = _venue(doc["venue"], _join(where, "venue"))
    day = r.Day(date, venue, start.replace(second=0, microsecond=0), slots, minutes, breaks)
    if day.slot_end(slots - 1).date() != date:
        raise PlannerRequestError(where, "the last slot ends after midnight")
    return day


def _venue(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PlannerRequestError(where, "must be a city name")
    table = load_travel_table()
    city = table.city(value)
    if city is None:
        known = ", ".join(table.cities())
        raise PlannerRequestError(where, f"unknown city {value!r} (known: {known})")
    return city


def _break(value: Any, where: str, slots: int) -> r.Break:
    doc = _object(value, where, {"after_slot", "minutes"})
    after = _integer(doc.get("after_slot"), _join(where, "after_slot"), 0, slots - 1)
    return r.Break(after, _integer(doc.get("minutes"), _join(where, "minutes"), 1, 600))


def _list(value: Any, where: str, limit: int) -> list:
    if not isinstance(value, list):
        raise PlannerRequestError(where, "must be a list")
    if len(value) > limit:
        raise PlannerRequestError(where, f"at most {limit} items (got {len(value)})")
    return value


def _pool(value: Any) -> r.Pool:
    doc = _object(value, "pool", {"sectors", "cities", "ids"})
    return r.Pool(
        *(
            _strings(doc.get(name, []), f"pool.{name}", r.MAX_POOL_FILTER)
            for name in r.Pool.__dataclass_fields__
        )
    )


def _capacity(value: Any) -> r.Capacity:
    doc = _object(value, "capacity", {"israeli_default", "israeli", "japanese_min", "japanese_max"})
    default = _integer(
        doc.get("israeli_default", 4), "capacity.israeli_default", 0, r.MAX_SLOTS * r.MAX_DAYS
    )
    per_firm = doc.get("israeli", {})
    if not isinstance(per_firm, Mapping) or len(per_firm) > r.MAX_PAIRS:
        raise PlannerRequestError(
            "capacity.israeli", f"must be an object of at most {r.MAX_PAIRS} ids"
        )
    israeli = {
        str(key): _integer(count, f"capacity.israeli.{key}", 0, r.MAX_SLOTS * r.MAX_DAYS)
        for key, count in per_firm.items()
    }
    low = _integer(doc.get("japanese_min", 0), "capacity.japanese_min", 0, r.MAX_SLOTS * r.MAX_DAYS)
    high = _integer(
        doc.get("japanese_max", 8), "capacity.japanese_max", 0, r.MAX_SLOTS * r.MAX_DAYS
    )
    if low > high:
        raise PlannerRequestError("capacity.japanese_min", f"{low} is above japanese_max {high}")
    return r.Capacity(default, israeli, low, high)


def _pins(value: Any, days: tuple[r.Day, ...]) -> tuple[r.Pin, ...]:
    pins = []
    for n, item in enumerate(_list(value, "pins", r.MAX_PAIRS)):
        where = f"pins[{n}]"
        doc = _object(item, where, {"japanese_id", "israeli_id", "day", "slot"})
        japanese, israeli = _pair(doc, where)
        day = slot = None
        if doc.get("day") is not None:
            day = _integer(doc["day"], f"{where}.day", 0, len(days) - 1)
        if doc.get("slot") is not None:
            if day is None:
                raise PlannerRequestError(f"{where}.slot", "give the day of a pinned slot")
            slot = _integer(doc["slot"], f"{where}.slot", 0, days[day].slots - 1)
        pins.append(r.Pin(japanese, israeli, day, slot))
    return tuple(pins)


def _pair(doc: Mapping[str, Any], where: str) -> tuple[str, str]:
    ids = []
    for name in ("japanese_id", "israeli_id"):
        value = doc.get(name)
        if not isinstance(value, str) or not value.strip():
            raise PlannerRequestError(f"{where}.{name}", "must be a company id")
        ids.append(value.strip())
    return ids[0], ids[1]


def _forbid(value: Any) -> frozenset[tuple[str, str]]:
    found = set()
    for n, item in enumerate(_list(value, "forbid", r.MAX_PAIRS)):
        where = f"forbid[{n}]"
        found.add(_pair(_object(item, where, {"japanese_id", "israeli_id"}), where))
    return frozenset(found)


def _japanese_ids(value: Any) -> tuple[str, ...]:
    ids = _strings(value, "japanese_ids", r.MAX_JAPANESE)
    if not ids:
        raise PlannerRequestError("japanese_ids", "give at least one Japanese company id")
    seen: set[str] = set()
    for n, company_id in enumerate(ids):
        if company_id in seen:
            raise PlannerRequestError(f"japanese_ids[{n}]", f"{company_id!r} is given twice")
        seen.add(company_id)
    return ids


def parse_request(document: Any) -> r.PlanRequest:
    """A PlanRequest from a JSON document (PlannerRequestError naming the field when invalid)."""
    doc = _object(document, "", FIELDS)
    if "japanese_ids" not in doc:
        raise PlannerRequestError("japanese_ids", "missing")
    if not doc.get("days"):
        raise PlannerRequestError("days", "give at least one day")
    raw_days = _list(doc["days"], "days", r.MAX_DAYS)
    days = tuple(_day(item, f"days[{n}]") for n, item in enumerate(raw_days))
    strength = doc.get("min_strength", r.STRENGTH_ORDER[0])
    if strength not in r.STRENGTH_ORDER:
        raise PlannerRequestError("min_strength", f"must be one of {', '.join(r.STRENGTH_ORDER)}")
    return r.PlanRequest(
        japanese_ids=_japanese_ids(doc["japanese_ids"]),
        days=days,
        pool=_pool(doc.get("pool", {})),
        capacity=_capacity(doc.get("capacity", {})),
        min_score=_number(doc.get("min_score", 0.0), "min_score", 0.0, 1.0),
        min_strength=strength,
        skip_known=_boolean(doc.get("skip_known", False), "skip_known"),
        skip_not_relevant=_boolean(doc.get("skip_not_relevant", True), "skip_not_relevant"),
        pins=_pins(doc.get("pins", []), days),
        forbid=_forbid(doc.get("forbid", [])),
        max_travel_minutes=_integer(
            doc.get("max_travel_minutes", r.TRAVEL_MINUTES), "max_travel_minutes", 0, 600
        ),
        time_limit_seconds=_number(
            doc.get("time_limit_seconds", r.TIME_LIMIT), "time_limit_seconds", 0.1, r.MAX_TIME_LIMIT
        ),
        candidates_per_firm=_integer(
            doc.get("candidates_per_firm", r.CANDIDATES), "candidates_per_firm", 1, r.MAX_CANDIDATES
        ),
        unplaced_per_firm=_integer(
            doc.get("unplaced_per_firm", r.UNPLACED), "unplaced_per_firm", 0, r.MAX_UNPLACED
        ),
    )


BRIEFING_FIELDS = {"japanese_ids", "top_k", "pool", "skip_known", "skip_not_relevant"}


def parse_briefing(document: Any) -> r.BriefingRequest:
    """A BriefingRequest from a JSON document (PlannerRequestError naming the field)."""
    doc = _object(document, "", BRIEFING_FIELDS)
    if "japanese_ids" not in doc:
        raise PlannerRequestError("japanese_ids", "missing")
    return r.BriefingRequest(
        japanese_ids=_japanese_ids(doc["japanese_ids"]),
        top_k=_integer(doc.get("top_k", r.BRIEFING_TOP_K), "top_k", 1, r.MAX_BRIEFING_TOP_K),
        pool=_pool(doc.get("pool", {})),
        skip_known=_boolean(doc.get("skip_known", False), "skip_known"),
        skip_not_relevant=_boolean(doc.get("skip_not_relevant", True), "skip_not_relevant"),
    )
