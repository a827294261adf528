"""Every routing's operations as flat arrays, read in one query, and the operations of
many orders expanded from them at once: what the load, the finite schedule and promise
with capacity are made from.

A full-size company has hundreds of thousands of orders and routing operations.
Reading them as objects, or building each order's operations one append at a time,
cost more than the scheduling itself; here the operations are read as columns,
sorted once, and an order's operations are a slice of them, so all orders'
operations come out of a few NumPy calls (``expand``).

An order's routing is chosen as its BOM is (``choose``): the order routing of its
own order BOM when it has one, else the first order routing of its item for its
sales order, else its item's engineering routing; none at all, and it asks nothing
of any work center.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from pegboard.model import Bom, Routing, RoutingOperation
from pegboard.services._gc import collector_paused
from pegboard.services.cursor_rows import matrix

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
NONE = -1


@dataclass(frozen=True)
class RoutingArrays:
    """Operations of every routing, routing after routing, each in sequence."""

    sequence: IntArray
    work_center: IntArray
    """The work center's position (``services.load._work_centers``)."""
    setup: FloatArray
    run: FloatArray
    """Hours per unit made."""
    queue: IntArray
    move: IntArray
    first: IntArray
    """Per routing (its index): where its operations start."""
    count: IntArray
    by_item: dict[int, int]
    """Engineering routing of an item -> routing index."""
    by_bom: dict[int, int]
    by_order: dict[tuple[int, int], int]
    """(item, sales order) -> the order routing of its first order BOM of that item."""

    def choose(self, item_id: int, bom_id: int | None, sales_order_id: int | None) -> int:
        """The routing index an order follows (module doc), or ``NONE``."""
        if bom_id is not None and (found := self.by_bom.get(bom_id)) is not None:
            return found
        if sales_order_id is not None:
            found = self.by_order.get((item_id, sales_order_id))
            if found is not None:
                return found
        return self.by_item.get(item_id, NONE)

    def choose_all(
        self,
        item_ids: Sequence[int],
        bom_ids: Sequence[int | None],
        sales_order_ids: Sequence[int | None],
    ) -> IntArray:
        """``choose`` of many orders at once (``choose_columns``)."""
        items = np.array(item_ids, dtype=np.int64).reshape(len(item_ids))
        return self.choose_columns(items, coded(bom_ids), coded(sales_order_ids))

    def choose_columns(self, items: IntArray, boms: IntArray, sales: IntArray) -> IntArray:
        """``choose`` of many orders at once, given as columns (``boms`` and ``sales``
        ``NONE`` where an order has none), as NumPy lookups in the three tables rather
        than a Python call per order (a full-size load has 300,000 orders): each order
        takes its item's routing, then its sales order's, then its BOM's where there is
        one, the later overriding the earlier, as ``choose`` prefers them."""
        out = _lookup(self.by_item, items)
        has_sales = sales != NONE
        if has_sales.any():
            keys = list(self.by_order)
            known_items = np.array([k[0] for k in keys], dtype=np.int64)
            known_sales = np.array([k[1] for k in keys], dtype=np.int64)
            stride = int(max(sales.max(), known_sales.max(initial=0))) + 1
            if int(max(items.max(), known_items.max(initial=0))) >= 2**62 // stride:
                return np.fromiter(  # ids too large to pack as one key: one by one
                    map(self.choose, items.tolist(), _nones(boms), _nones(sales)),
                    np.int64,
                    count=len(items),
                )
            packed = dict(
                zip(
                    (known_items * stride + known_sales).tolist(),
                    self.by_order.values(),
                    strict=True,
                )
            )
            _override(out, has_sales, _lookup(packed, items[has_sales] * stride + sales[has_sales]))
        has_bom = boms != NONE
        if has_bom.any():
            _override(out, has_bom, _lookup(self.by_bom, boms[has_bom]))
        return out


def coded(ids: Sequence[int | None]) -> IntArray:
    """A column of ids, None as ``NONE`` (ids are positive)."""
    return np.array([NONE if v is None else v for v in ids], dtype=np.int64).reshape(len(ids))


def _nones(ids: IntArray) -> list[int | None]:
    """``coded``'s column back as ids and None."""
    return [None if v == NONE else v for v in ids.tolist()]


def _lookup(table: dict[int, int], keys: IntArray) -> IntArray:
    """``table.get(key, NONE)`` for each key, by a binary search in the sorted keys."""
    known = np.fromiter(table.keys(), np.int64, count=len(table))
    value = np.fromiter(table.values(), np.int64, count=len(table))
    if not len(known):
        return np.full(len(keys), NONE, dtype=np.int64)
    order = np.argsort(known)
    known, value = known[order], value[order]
    at = np.searchsorted(known, keys).clip(max=len(known) - 1)
    return np.where(known[at] == keys, value[at], NONE)


def _override(out: IntArray, where: npt.NDArray[np.bool_], found: IntArray) -> None:
    """Where ``where`` holds and a routing was ``found``, it replaces ``out``'s."""
    at = np.flatnonzero(where)
    hit = found != NONE
    out[at[hit]] = found[hit]


def read_routings(
    session: Session,
    position: dict[int, int],
    *,
    items: Collection[int] | None = None,
    boms: Collection[int] = (),
    item_query: Select[int] | None = None,
) -> RoutingArrays:
    """Every routing's operations, with work center ids turned into ``position``s; given
    ``items``, only the routings an order of those items with those order ``boms`` can
    choose (its item's, by sales order too, and its BOM's): one order's page need not read
    a full-size company's hundreds of thousands of operations to draw its own. Given
    ``item_query`` (item ids), every routing of those items (order routings too: an
    order routing is of its order's item)."""
    with collector_paused():  # a million plain values, none in a cycle
        return _read_routings(session, position, items, boms, item_query)


def _read_routings(
    session: Session,
    position: dict[int, int],
    items: Collection[int] | None,
    boms: Collection[int],
    item_query: Select[int] | None = None,
) -> RoutingArrays:
    conn = session.connection()
    keep: list[ColumnElement[bool]] = (
        []
        if items is None
        else [or_(Routing.item_id.in_(sorted(items)), Routing.bom_id.in_(sorted(boms)))]
    )
    if item_query is not None:
        keep.append(Routing.item_id.in_(item_query))
    only = [RoutingOperation.routing_id.in_(select(Routing.id).where(*keep))] if keep else []
    # every column is a number: one matrix, filled by NumPy from the cursor's rows
    # (ids and days are far below 2**53, exact as doubles), put in (routing, sequence)
    # order by NumPy: ORDER BY walked the table through its index, one row at a time
    table = matrix(
        conn,
        select(
            RoutingOperation.routing_id,
            RoutingOperation.sequence,
            RoutingOperation.work_center_id,
            RoutingOperation.setup_hours,
            RoutingOperation.run_hours,
            RoutingOperation.queue_days,
            RoutingOperation.move_days,
        ).where(*only),
        np.float64,
    )
    routing, sequence = table[:, 0], table[:, 1]
    if not bool(  # stored in order already (as written), or sorted
        np.all(
            (routing[1:] > routing[:-1])
            | ((routing[1:] == routing[:-1]) & (sequence[1:] > sequence[:-1]))
        )
    ):
        table = table[np.lexsort((sequence, routing))]
    cols = [table[:, k] for k in range(7)]
    routing_ids = cols[0].astype(np.int64)
    wc_of = np.zeros(max(position, default=0) + 1, dtype=np.int64)
    for wc_id, k in position.items():
        wc_of[wc_id] = k
    ids, first, count = np.unique(routing_ids, return_index=True, return_counts=True)
    header = matrix(
        conn,
        select(
            Routing.id,
            Routing.item_id,
            func.coalesce(Routing.bom_id, NONE),
            func.coalesce(Bom.sales_order_id, NONE),
        )
        .outerjoin(Bom, Bom.id == Routing.bom_id)
        .where(*keep),
        np.int64,
    )
    by_item, by_bom, by_order = _choices(ids, header)
    return RoutingArrays(
        sequence=cols[1].astype(np.int64),
        work_center=wc_of[cols[2].astype(np.int64)],
        setup=cols[3].copy(),
        run=cols[4].copy(),
        queue=cols[5].astype(np.int64),
        move=cols[6].astype(np.int64),
        first=first.astype(np.int64),
        count=count.astype(np.int64),
        by_item=by_item,
        by_bom=by_bom,
        by_order=by_order,
    )


def _choices(
    ids: IntArray, headers: IntArray
) -> tuple[dict[int, int], dict[int, int], dict[tuple[int, int], int]]:
    """The three tables ``choose`` looks in, from the routings' headers (rows of id,
    item, BOM, the BOM's sales order, ``NONE`` for none) and ``ids``, the sorted ids of
    the routings with operations (a routing's index is its place there; one without
    operations is never chosen): an item's engineering routing (no BOM), an order BOM's
    routing, and per (item, sales order) the routing of its first order BOM by BOM id (an
    item with two engineering routings, which nothing in the schema forbids, keeps the
    newer, as the loop over the routings by BOM id kept the last read). Worked out as
    columns: a full-size company has hundreds of thousands of order routings, a
    dictionary update each in a Python loop."""
    if not len(headers) or not len(ids):
        return {}, {}, {}
    routing_id, item_id, bom_id, sales_id = (headers[:, k] for k in range(4))
    at = np.searchsorted(ids, routing_id).clip(max=len(ids) - 1)
    found = ids[at] == routing_id
    engineering = np.flatnonzero(found & (bom_id == NONE))
    engineering = engineering[np.argsort(routing_id[engineering], kind="stable")]  # last wins
    by_item = dict(zip(item_id[engineering].tolist(), at[engineering].tolist(), strict=True))
    ordered = np.flatnonzero(found & (bom_id != NONE))
    ordered = ordered[np.argsort(bom_id[ordered], kind="stable")]
    by_bom = dict(zip(bom_id[ordered].tolist(), at[ordered].tolist(), strict=True))
    sold = ordered[sales_id[ordered] != NONE]  # still by BOM id: the first of a pair wins
    pair = sold[np.lexsort((sales_id[sold], item_id[sold]))]  # stable: by BOM id within
    first = np.ones(len(pair), dtype=bool)
    first[1:] = (item_id[pair][1:] != item_id[pair][:-1]) | (
        sales_id[pair][1:] != sales_id[pair][:-1]
    )
    pair = pair[first]
    by_order = dict(
        zip(
            zip(item_id[pair].tolist(), sales_id[pair].tolist(), strict=True),
            at[pair].tolist(),
            strict=True,
        )
    )
    return by_item, by_bom, by_order


@dataclass(frozen=True)
class Expanded:
    """The operations of many orders: per operation, its order and its routing row."""

    order: IntArray
    """The order's position in the list given to ``expand``."""
    row: IntArray
    """The operation's row in the ``RoutingArrays``."""
    hours: FloatArray
    """Standard hours: setup + run per unit × the order's quantity."""


def expand(routes: RoutingArrays, route_of: IntArray, qty: FloatArray) -> Expanded:
    """Every operation of the orders following routing ``route_of[i]`` (``NONE``: none)
    for ``qty[i]`` units, order after order, each in sequence."""
    orders = np.flatnonzero(route_of >= 0)
    chosen = route_of[orders]
    counts = routes.count[chosen]
    order = np.repeat(orders, counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts, counts)
    row = np.repeat(routes.first[chosen], counts) + within
    hours = routes.setup[row] + routes.run[row] * qty[order]
    return Expanded(order.astype(np.int64), row.astype(np.int64), hours)
