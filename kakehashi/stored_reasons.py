"""What training stores of each firm's first partners: scores, components, full explanations.

A firm's first `/partners` request used to pay for ten full explanations (term matching: about
0.6 ms each) on top of the ranking, however many firms had been asked for before. Training
computes them once, with the same code a request runs (`explain` on the same matches, in the
same order), for the first `k` partners of every firm that has precomputed partners, and keeps
them (UTF-8 JSON, by orjson) with the pairs' figures in five arrays, so the artifact maps them
read-only and every worker shares the pages:

- `rows` (n firms x k, int32): the partner row of each stored explanation, -1 for none;
- `offsets` (n firms * k + 1, int64): explanation (firm, position) is `blob[offsets[i] :
  offsets[i + 1]]` with i = firm * k + position;
- `blob` (uint8): the explanations' JSON, one after another;
- `scores` (n firms x k, float64) and `parts` (n firms x k x components, float64, in
  COMPONENTS order): each stored pair's final score and component similarities, the very
  values `rank` computed for it (a row's figures do not depend on the rows beside it), so a
  ranking of a known firm without diversity whose rows are all stored reports them without
  computing the query's columns and the rows' products (about 1.3 ms of its 1.8).

A request for a stored pair decodes its JSON (microseconds); any other pair (past the first k,
another ranking's filters or weights) is explained as before. The cost moves to training: about
0.7 ms per stored explanation (3 to 4 s for the bundled list's 576 firms), and `--precomputed 0`
stores none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import orjson

from kakehashi.explain import Explanation, explain
from kakehashi.similarity import COMPONENTS

if TYPE_CHECKING:
    from kakehashi.model import PartnerModel

Stored = tuple[np.ndarray, ...]  # rows, offsets, blob, scores, parts


def store(model: PartnerModel, k: int) -> Stored:
    """The scores, components and full explanations of the first k partners of every firm of a
    fitted model."""
    n = len(model.companies_)
    rows = np.full((n, k), -1, dtype=np.int32)
    scores, parts = np.full((n, k), np.nan), np.full((n, k, len(COMPONENTS)), np.nan)
    # One growing buffer: a list of the 100,000 bytes objects orjson returns for a 10k list
    # raised training's peak by 0.35 GB (measured; the standard encoder's did not).
    blob, sizes = bytearray(), np.zeros(n * k, dtype=np.int64)
    for row, company in enumerate(model.companies_):
        query = model.query_for(company.id)
        matches = model.rank(query, k)
        rows[row, : len(matches)] = [match.row for match in matches]
        scores[row, : len(matches)] = [match.score for match in matches]
        parts[row, : len(matches)] = [[m.components[name] for name in COMPONENTS] for m in matches]
        for position, match in enumerate(matches):  # past them: a country with fewer than k firms
            encoded = _encoded(explain(model, query, match))
            sizes[row * k + position] = len(encoded)
            blob += encoded
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    return rows, offsets, np.frombuffer(blob, dtype=np.uint8).copy(), scores, parts


def reported(
    found: Stored | None, row: int, partner_rows: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """The stored final scores and components of firm `row` with each of `partner_rows`, or
    None unless every one of them is stored."""
    if found is None:
        return None
    rows, _, _, scores, parts = found
    same = rows[row][None, :] == np.asarray(partner_rows)[:, None]
    if not same.any(axis=1).all():
        return None
    at = same.argmax(axis=1)
    values = parts[row, at]
    return scores[row, at], {name: values[:, n] for n, name in enumerate(COMPONENTS)}


def stored(found: Stored | None, row: int, partner_row: int) -> Explanation | None:
    """The stored full explanation of (row, partner_row), or None when it was not stored."""
    if found is None:
        return None
    rows, offsets, blob, _, _ = found
    positions = np.flatnonzero(rows[row] == partner_row)
    if not positions.size:
        return None
    at = row * rows.shape[1] + int(positions[0])
    return Explanation.from_dict(orjson.loads(memoryview(blob[offsets[at] : offsets[at + 1]])))


def _encoded(explanation: Explanation) -> bytes:
    return orjson.dumps(explanation.to_dict())
