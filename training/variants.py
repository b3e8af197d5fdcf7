"""Evaluation lists that re-describe some firms: the same ids, other words (or another language).

A variant file holds `id` and any of `description`, `interests`, `tags`; each of its rows replaces
those texts of the firm with that id, everything else (sectors, partnerships) staying the same, so
the same queries measure how much the ranking depends on the wording.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kakehashi.companies import split_list
from kakehashi.errors import InvalidListError, Problem, UsageError
from kakehashi.readers import read_table
from training.train import Inputs

TEXT_COLUMNS = ("description", "interests", "tags")
KNOWN = ("id", *TEXT_COLUMNS, "name", "name_ja")


def parse_variant(option: str) -> tuple[str, Path]:
    """NAME=PATH from the command line."""
    name, _, path = option.partition("=")
    if not name.strip() or not path.strip():
        raise UsageError(f"--variant takes NAME=PATH, got {option!r}")
    return name.strip(), Path(path.strip())


def apply_variant(inputs: Inputs, path: Path) -> Inputs:
    """The inputs with the texts of the firms the variant file re-describes replaced."""
    table = read_table(path)
    table.check_columns(("id",), KNOWN)
    by_id = {c.id: c for c in inputs.companies}
    texts: dict[str, dict[str, str]] = {}
    for line, row in table.rows:
        company_id = str(row.get("id") or "").strip()
        if company_id not in by_id:
            table.problems.append(
                Problem(table.path, line, "id", f"unknown company id {company_id!r}")
            )
        texts[company_id] = {c: str(row.get(c) or "").strip() for c in TEXT_COLUMNS if c in row}
    if table.problems:
        raise InvalidListError(table.problems)
    companies = tuple(
        _redescribed(c, texts[c.id]) if c.id in texts else c for c in inputs.companies
    )
    return dataclasses.replace(inputs, companies=companies)


def _redescribed(company, texts: dict[str, str]):
    changes: dict[str, object] = dict(texts)
    if "tags" in changes:
        changes["tags"] = tuple(split_list(changes["tags"]))
    return dataclasses.replace(company, **changes)
