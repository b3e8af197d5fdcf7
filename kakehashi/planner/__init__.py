"""The delegation planner: meeting schedules that maximize the total match score under capacity,
slot and travel limits (docs/planner.md), and the exports people open (CSV, XLSX, iCalendar)."""
