"""Slots for chosen meetings: a proper edge colouring of a bipartite graph.

By König's edge-colouring theorem a bipartite graph whose busiest vertex has k edges can be
coloured with k colours, so any set of meetings in which no firm has more meetings than a day
has slots fits that day without double booking. The colouring is the textbook alternating-path
(Kempe chain) method: for edge (u, v) take a colour a free at u and b free at v; if a is not free
at v, swap a and b along the a/b path starting at v (it cannot reach u in a bipartite graph), which
frees a at v. O(edges x vertices), deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

Edge = tuple[Hashable, Hashable]


def colour_edges(edges: Sequence[Edge], colours: int) -> dict[Edge, int]:
    """A colour in 0..colours-1 for each edge such that no two edges at a vertex share one."""
    degrees = Counter(end for left, right in edges for end in (("L", left), ("R", right)))
    if degrees and max(degrees.values()) > colours:
        vertex, degree = degrees.most_common(1)[0]
        raise ValueError(f"{vertex[1]!r} has {degree} edges, more than {colours} colours")
    if len(set(edges)) != len(edges):
        raise ValueError("an edge is given twice")
    at: dict[Hashable, dict[int, Hashable]] = {}  # vertex -> colour -> the vertex across
    for left, right in edges:
        u, v = ("L", left), ("R", right)
        used_u, used_v = at.setdefault(u, {}), at.setdefault(v, {})
        a = next(c for c in range(colours) if c not in used_u)
        if a in used_v:
            b = next(c for c in range(colours) if c not in used_v)
            _swap_path(at, v, a, b)
        used_u[a], used_v[a] = v, u
    found: dict[Edge, int] = {}
    for (side, left), by_colour in at.items():
        if side == "L":
            found.update({(left, right): colour for colour, (_, right) in by_colour.items()})
    return found


def _swap_path(at: dict[Hashable, dict[int, Hashable]], start: Hashable, a: int, b: int) -> None:
    """Swap colours a and b on the path from `start` whose edges alternate a, b, a..."""
    path, vertex, colour = [], start, a
    while colour in at[vertex]:
        other = at[vertex][colour]
        path.append((vertex, other, colour))
        vertex, colour = other, (b if colour == a else a)
    for x, y, c in path:
        del at[x][c], at[y][c]
    for x, y, c in path:
        swapped = b if c == a else a
        at[x][swapped], at[y][swapped] = y, x
