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

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pegboard.model import Bom, Routing, RoutingOperation
from pegboard.services.cursor_rows import tuples

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


def read_routings(
    session: Session,
    position: dict[int, int],
    *,
    items: Collection[int] | None = None,
    boms: Collection[int] = (),
) -> RoutingArrays:
    """Every routing's operations, with work center ids turned into ``position``s; given
    ``items``, only the routings an order of those items with those order ``boms`` can
    choose (its item's, by sales order too, and its BOM's): one order's page need not read
    a full-size company's hundreds of thousands of operations to draw its own."""
    conn = session.connection()
    keep = (
        []
        if items is None
        else [or_(Routing.item_id.in_(sorted(items)), Routing.bom_id.in_(sorted(boms)))]
    )
    only = (
        [] if items is None else [RoutingOperation.routing_id.in_(select(Routing.id).where(*keep))]
    )
    rows = tuples(
        conn,
        select(
            RoutingOperation.routing_id,
            RoutingOperation.sequence,
            RoutingOperation.work_center_id,
            RoutingOperation.setup_hours,
            RoutingOperation.run_hours,
            RoutingOperation.queue_days,
            RoutingOperation.move_days,
        )
        .where(*only)
        .order_by(RoutingOperation.routing_id, RoutingOperation.sequence),
    )
    n = len(rows)
    # every column is a number: one matrix, converted by NumPy in C (ids and days are
    # far below 2**53, exact as doubles)
    table = np.array(rows, dtype=np.float64).reshape(n, 7)
    cols = [table[:, k] for k in range(7)]
    routing_ids = cols[0].astype(np.int64)
    wc_of = np.zeros(max(position, default=0) + 1, dtype=np.int64)
    for wc_id, k in position.items():
        wc_of[wc_id] = k
    ids, first, count = np.unique(routing_ids, return_index=True, return_counts=True)
    index = {int(r): i for i, r in enumerate(ids.tolist())}
    by_item: dict[int, int] = {}
    by_bom: dict[int, int] = {}
    by_order: dict[tuple[int, int], int] = {}
    for routing_id, item_id, bom_id, sales_order_id in tuples(
        conn,
        select(Routing.id, Routing.item_id, Routing.bom_id, Bom.sales_order_id)
        .outerjoin(Bom, Bom.id == Routing.bom_id)
        .where(*keep)
        .order_by(Routing.bom_id),
    ):
        found = index.get(routing_id)
        if found is None:  # a routing without operations
            continue
        if bom_id is None:
            by_item[item_id] = found
            continue
        by_bom[bom_id] = found
        if sales_order_id is not None:
            by_order.setdefault((item_id, sales_order_id), found)
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
