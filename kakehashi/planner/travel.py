"""Approximate driving times between Israeli cities (kakehashi/data/travel_minutes.json).

The figures are estimates, not measurements: the data file says how they were derived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def _key(name: str) -> str:
    return " ".join(name.replace("’", "'").casefold().split())


@dataclass(frozen=True)
class TravelTable:
    """City names, their aliases and the minutes between each pair of cities."""

    minutes: dict[str, dict[str, int]]
    names: dict[str, str]  # casefolded name or alias -> canonical city name

    def city(self, name: str) -> str | None:
        """The canonical name of a city or alias, None when the table does not know it."""
        return self.names.get(_key(name)) if name else None

    def between(self, a: str, b: str) -> int | None:
        """Minutes from city a to city b (0 for the same city), None when either is unknown."""
        first, second = self.city(a), self.city(b)
        if first is None or second is None:
            return None
        return 0 if first == second else self.minutes[first][second]

    def cities(self) -> tuple[str, ...]:
        """Every canonical city name, sorted."""
        return tuple(sorted(self.minutes))


def table_from_document(document: dict) -> TravelTable:
    """A TravelTable from the JSON document's `minutes` and `aliases`."""
    minutes = {city: dict(row) for city, row in document["minutes"].items()}
    names = {_key(city): city for city in minutes}
    names.update({_key(alias): city for alias, city in document.get("aliases", {}).items()})
    return TravelTable(minutes=minutes, names=names)


@lru_cache(maxsize=1)
def load_travel_table() -> TravelTable:
    """The bundled travel table (read once; it ships in the package)."""
    text = resources.files("kakehashi").joinpath("data/travel_minutes.json").read_text("utf-8")
    return table_from_document(json.loads(text))
