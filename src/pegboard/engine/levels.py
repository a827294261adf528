"""Low-level codes: the deepest level at which each item appears in any BOM.

The edges are BOM lines and, from ``run.py``, the listed components of open
production orders that are demand (order's item -> component), since those
are dependent demand too, whether or not a BOM names them.

Planning item by item in low-level-code order guarantees that every parent has
been netted (so all dependent demand on a component is known) before the
component is netted, which is what lets each item be netted exactly once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pegboard.engine._arrays import ints, ranges, unique_values
from pegboard.engine.errors import BomCycleError
from pegboard.engine.types import IntArray


def low_level_codes(
    n_items: int,
    parent: IntArray,
    component: IntArray,
    sort: Callable[[IntArray], IntArray] | None = None,
) -> IntArray:
    """Longest path from any top item, by layered topological sort (Kahn).

    Each wave is one array operation, so the cost is a few NumPy calls per BOM
    level rather than a Python step per edge. Raises ``BomCycleError`` naming
    one cycle when the BOM is not a DAG. ``sort``: a plan's compiled sort of the
    edges (``sort_kernel.sorted_ints``), else ``np.sort``.
    """
    llc = np.zeros(n_items, dtype=np.int64)
    par = ints(parent)
    comp = ints(component)
    if par.size == 0 or n_items == 0:
        return llc
    edges = unique_values(par * n_items + comp, sort)
    src = edges // n_items
    dst = edges % n_items
    offsets = np.searchsorted(src, np.arange(n_items + 1, dtype=np.int64)).astype(np.int64)
    indegree = np.bincount(dst, minlength=n_items).astype(np.int64)
    frontier = np.flatnonzero(indegree == 0).astype(np.int64)
    level = 0
    placed = 0
    while frontier.size:
        llc[frontier] = level
        placed += int(frontier.size)
        starts = offsets[frontier]
        children = dst[ranges(starts, offsets[frontier + 1] - starts)]
        indegree -= np.bincount(children, minlength=n_items)
        candidates = unique_values(children)
        frontier = candidates[indegree[candidates] == 0]
        level += 1
    if placed < n_items:
        raise BomCycleError(_one_cycle(indegree > 0, src, dst))
    return llc


def _one_cycle(blocked: np.ndarray, src: IntArray, dst: IntArray) -> list[int]:
    """Walk back from the lowest blocked item through its lowest blocked parent.

    Every blocked item has a blocked parent (that is why it is blocked), so the
    walk must revisit an item; the loop it closes is a cycle. Choosing the
    lowest positions makes the reported cycle independent of row order.
    """
    inside = blocked[src] & blocked[dst]
    s = src[inside]
    d = dst[inside]
    order = np.lexsort((s, d))
    lowest_parent: dict[int, int] = {}
    for child, par in zip(d[order].tolist(), s[order].tolist(), strict=True):
        lowest_parent.setdefault(child, par)
    node = int(np.flatnonzero(blocked)[0])
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = lowest_parent[node]
    cycle = path[seen[node] :]
    cycle.reverse()
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]
