"""Full explanations of each firm's first partners, computed at training time and stored.

A firm's first `/partners` request used to pay for ten full explanations (term matching: about
0.6 ms each) on top of the ranking, however many firms had been asked for before. Training
computes them once, with the same code a request runs (`explain` on the same matches, in the
same order), for the first `k` partners of every firm that has precomputed partners, and keeps
them as UTF-8 JSON in three arrays, so the artifact maps them read-only and every worker shares
the pages:

- `rows` (n firms x k, int32): the partner row of each stored explanation, -1 for none;
- `offsets` (n firms * k + 1, int64): explanation (firm, position) is `blob[offsets[i] :
  offsets[i + 1]]` with i = firm * k + position;
- `blob` (uint8): the explanations' JSON, one after another.

A request for a stored pair decodes its JSON (microseconds); any other pair (past the first k,
another ranking's filters or weights) is explained as before. The cost moves to training: about
0.7 ms per stored explanation (3 to 4 s for the bundled list's 576 firms), and `--precomputed 0`
stores none.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from kakehashi.explain import Explanation, explain

if TYPE_CHECKING:
    from kakehashi.model import PartnerModel

Stored = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, offsets, blob


def store(model: PartnerModel, k: int) -> Stored:
    """The full explanations of the first k partners of every firm of a fitted model."""
    n = len(model.companies_)
    rows = np.full((n, k), -1, dtype=np.int32)
    encoded: list[bytes] = []
    for row, company in enumerate(model.companies_):
        query = model.query_for(company.id)
        matches = model.rank(query, k)
        rows[row, : len(matches)] = [match.row for match in matches]
        encoded += [_encoded(explain(model, query, match)) for match in matches]
        encoded += [b""] * (k - len(matches))  # a country with fewer than k firms
    sizes = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
    return rows, offsets, blob


def stored(found: Stored | None, row: int, partner_row: int) -> Explanation | None:
    """The stored full explanation of (row, partner_row), or None when it was not stored."""
    if found is None:
        return None
    rows, offsets, blob = found
    positions = np.flatnonzero(rows[row] == partner_row)
    if not positions.size:
        return None
    at = row * rows.shape[1] + int(positions[0])
    return Explanation.from_dict(json.loads(bytes(blob[offsets[at] : offsets[at + 1]])))


def _encoded(explanation: Explanation) -> bytes:
    return json.dumps(explanation.to_dict(), ensure_ascii=False).encode("utf-8")
