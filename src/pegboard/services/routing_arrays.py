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
from dataclasses import dataclass, field

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
class ChoiceTables:
    """``RoutingArrays``' three tables as sorted columns (key -> routing index), which
    ``choose_columns`` searches: the tables as read (``_choices``), so that a full-size
    load does not turn its 225,000 (item, sales order) keys back into arrays."""

    item: IntArray
    item_routing: IntArray
    bom: IntArray
    bom_routing: IntArray
    order_item: IntArray
    order_sales: IntArray
    """With ``order_item``: the (item, sales order) keys, sorted by both."""
    order_routing: IntArray

    @classmethod
    def of(
        cls,
        by_item: dict[int, int],
        by_bom: dict[int, int],
        by_order: dict[tuple[int, int], int],
    ) -> ChoiceTables:
        """The tables of the three dictionaries."""
        item, item_routing = _sorted_table(list(by_item), list(by_item.values()))
        bom, bom_routing = _sorted_table(list(by_bom), list(by_bom.values()))
        pairs = np.array(list(by_order), dtype=np.int64).reshape(len(by_order), 2)
        routing = np.fromiter(by_order.values(), np.int64, count=len(by_order))
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        return cls(
            item,
            item_routing,
            bom,
            bom_routing,
            pairs[order, 0],
            pairs[order, 1],
            routing[order],
        )


def _sorted_table(keys: Sequence[int], values: Sequence[int]) -> tuple[IntArray, IntArray]:
    """Keys (distinct) and their values as columns, by key."""
    k = np.array(keys, dtype=np.int64).reshape(len(keys))
    v = np.array(values, dtype=np.int64).reshape(len(values))
    order = np.argsort(k)
    return k[order], v[order]


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
    tables: ChoiceTables | None = field(default=None, compare=False, repr=False)
    """The three tables as columns when read with them (``read_routings``); else made
    from the dictionaries when ``choose_columns`` needs them."""

    def choose(self, item_id: int, bom_id: int | None, sales_order_id: int | None) -> int:
        """The routing index an order follows (module doc), or ``NONE``."""
        if bom_id is not None and (found := self.by_bom.get(bom_id)) is not None:
            return found
        if sales_order_id is not None:
            found = self.by_order.get((item_id, sales_order_id))
            if found is not None:
                return found
        return self.by_item.get(item_id, NONE)

    def choose_columns(self, items: IntArray, boms: IntArray, sales: IntArray) -> IntArray:
        """``choose`` of many orders at once, given as columns (``boms`` and ``sales``
        ``NONE`` where an order has none), as NumPy lookups in the three tables rather
        than a Python call per order (a full-size load has 300,000 orders): each order
        takes its item's routing, then its sales order's, then its BOM's where there is
        one, the later overriding the earlier, as ``choose`` prefers them."""
        t = self.tables
        if t is None:
            t = ChoiceTables.of(self.by_item, self.by_bom, self.by_order)
        out = _find(t.item, t.item_routing, items)
        has_sales = sales != NONE
        if has_sales.any():
            stride = int(max(sales.max(), t.order_sales.max(initial=0))) + 1
            if int(max(items.max(), t.order_item.max(initial=0))) >= 2**62 // stride:
                return np.fromiter(  # ids too large to pack as one key: one by one
                    map(self.choose, items.tolist(), _nones(boms), _nones(sales)),
                    np.int64,
                    count=len(items),
                )
            # (item, sales order) packed as one number, in the same order as the pairs
            known = t.order_item * stride + t.order_sales
            wanted = items[has_sales] * stride + sales[has_sales]
            _override(out, has_sales, _find(known, t.order_routing, wanted))
        has_bom = boms != NONE
        if has_bom.any():
            _override(out, has_bom, _find(t.bom, t.bom_routing, boms[has_bom]))
        return out


def coded(ids: Sequence[int | None]) -> IntArray:
    """A column of ids, None as ``NONE`` (ids are positive)."""
    return np.array([NONE if v is None else v for v in ids], dtype=np.int64).reshape(len(ids))


def _nones(ids: IntArray) -> list[int | None]:
    """``coded``'s column back as ids and None."""
    return [None if v == NONE else v for v in ids.tolist()]


def _find(known: IntArray, value: IntArray, keys: IntArray) -> IntArray:
    """The value of each of ``keys`` among the sorted ``known`` ones, ``NONE`` where it
    is not there, by binary search."""
    if not len(known):
        return np.full(len(keys), NONE, dtype=np.int64)
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
    by_item, by_bom, by_order, tables = _choices(ids, header)
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
        tables=tables,
    )


def _choices(
    ids: IntArray, headers: IntArray
) -> tuple[dict[int, int], dict[int, int], dict[tuple[int, int], int], ChoiceTables]:
    """The three tables ``choose`` looks in, from the routings' headers (rows of id,
    item, BOM, the BOM's sales order, ``NONE`` for none) and ``ids``, the sorted ids of
    the routings with operations (a routing's index is its place there; one without
    operations is never chosen): an item's engineering routing (no BOM), an order BOM's
    routing, and per (item, sales order) the routing of its first order BOM by BOM id (an
    item with two engineering routings, which nothing in the schema forbids, keeps the
    newer, as the loop over the routings by BOM id kept the last read). Worked out as
    columns: a full-size company has hundreds of thousands of order routings, a
    dictionary update each in a Python loop. The tables as columns too."""
    if not len(headers) or not len(ids):
        return {}, {}, {}, ChoiceTables.of({}, {}, {})
    routing_id, item_id, bom_id, sales_id = (headers[:, k] for k in range(4))
    at = np.searchsorted(ids, routing_id).clip(max=len(ids) - 1)
    found = ids[at] == routing_id
    engineering = np.flatnonzero(found & (bom_id == NONE))
    engineering = engineering[np.argsort(routing_id[engineering], kind="stable")]  # last wins
    by_item = dict(zip(item_id[engineering].tolist(), at[engineering].tolist(), strict=True))
    item, item_routing = _sorted_table(list(by_item), list(by_item.values()))
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
    tables = ChoiceTables(  # BOM ids are distinct, the pairs sorted and distinct
        item, item_routing, bom_id[ordered], at[ordered], item_id[pair], sales_id[pair], at[pair]
    )
    return by_item, by_bom, by_order, tables


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
