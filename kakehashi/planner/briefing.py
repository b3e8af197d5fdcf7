"""The batch ranking for briefing packs: the top k partners of every firm of a delegation."""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass

from openpyxl import Workbook

from kakehashi.model import PartnerModel
from kakehashi.planner import pairs as scoring
from kakehashi.planner.exports import add_sheet, table_csv
from kakehashi.planner.request import BriefingRequest
from kakehashi.queries import Filters

COLUMNS = (
    "japanese_id", "japanese_name", "rank", "israeli_id", "israeli_name", "israeli_city",
    "sectors", "score", "strength", "known_partner", "summary",
)  # fmt: skip


@dataclass(frozen=True)
class BriefingRow:
    """One partner of one delegation firm, as /partners ranks and explains it."""

    japanese_id: str
    japanese_name: str
    rank: int
    israeli_id: str
    israeli_name: str
    israeli_city: str
    sectors: str
    score: float
    strength: str
    known_partner: bool
    summary: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dict(self.__dict__)


def build_briefing(
    model: PartnerModel, request: BriefingRequest, not_relevant: Collection[tuple[str, str]] = ()
) -> tuple[BriefingRow, ...]:
    """Each delegation firm's top_k pool partners, best first (skips as the request says)."""
    companies = scoring.delegation(model, request.japanese_ids, "japanese_ids")
    pool = scoring.pool_ids(model, request.pool)
    outside = {c.id for c in model.companies() if c.country == "IL" and c.id not in pool}
    rows = []
    for company in companies:
        skipped = {i for j, i in not_relevant if j == company.id and request.skip_not_relevant}
        filters = Filters(
            exclude_known=request.skip_known, exclude_ids=frozenset(outside | skipped)
        )
        query = model.query_for(company.id)
        for rank, match in enumerate(model.rank(query, request.top_k, filters), start=1):
            rows.append(
                BriefingRow(
                    japanese_id=company.id,
                    japanese_name=company.name,
                    rank=rank,
                    israeli_id=match.company.id,
                    israeli_name=match.company.name,
                    israeli_city=match.company.city,
                    sectors="; ".join(match.company.sectors),
                    score=round(match.score, 4),
                    strength=match.strength,
                    known_partner=match.known_partner,
                    summary=model.explain(query, match).summary,
                )
            )
    return tuple(rows)


def _values(row: BriefingRow) -> list[object]:
    return [getattr(row, name) for name in COLUMNS]


def briefing_csv(rows: Collection[BriefingRow]) -> bytes:
    """The briefing as CSV, one row per (firm, partner)."""
    return table_csv(COLUMNS, (_values(row) for row in rows))


def briefing_xlsx(rows: Collection[BriefingRow]) -> bytes:
    """The briefing as a workbook: every row on one sheet, then one sheet per delegation firm."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    add_sheet(workbook, "Briefing", COLUMNS, [_values(row) for row in rows], taken)
    for firm in dict.fromkeys(row.japanese_id for row in rows):
        mine = [_values(row) for row in rows if row.japanese_id == firm]
        add_sheet(workbook, mine[0][1] or firm, COLUMNS, mine, taken)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
