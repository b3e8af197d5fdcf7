"""The delegation planner page: the form is rendered here, the schedule comes from the API.

The page's script (static/planner.js) posts the form as the JSON body of
`POST /v1/delegations/schedule` and draws the grid, the agendas and the unplaced pairs from the
answer; the downloads post the same body with `?format=csv|xlsx|ics`.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, url_for

from kakehashi.planner.records import REASONS
from kakehashi.planner.request import STRENGTH_ORDER
from kakehashi.planner.travel import load_travel_table
from service.holder import served_model


def planner() -> str:
    """The planner's form: delegation, pool, days, capacities, thresholds, pins and forbids."""
    taxonomy = served_model().model.taxonomy
    return render_template(
        "web/planner.html",
        cities=load_travel_table().cities(),
        sectors=taxonomy.keys,
        strengths=STRENGTH_ORDER,
        reasons=tuple(REASONS),
        first_day=(dt.date.today() + dt.timedelta(days=30)).isoformat(),
        endpoint=url_for("delegations.schedule"),
        suggest=url_for("catalog.companies"),
    )


def register(blp: Blueprint) -> None:
    """Add the planner page to the web blueprint."""
    blp.add_url_rule("/planner", "planner", planner)
