"""The backward load of a few work centers over a few days: what the planning board's
check needs when no finite schedule is current.

``services.load.capacity_load`` places every order of the company (every routing read,
every order's operations placed): seconds at full size, for a check that asks about
one order's work centers over a week. Each order's backward placement is on its own
(infinite capacity), so the hours other orders ask of work center W on day D are the
same when only the orders that can load W on D are placed: those whose chosen routing
(``RoutingArrays.choose``, the load's own rule) has an operation on W and whose due
date is not before the window (an order's operations end on its due date). The
routings' headers are read whole (choosing needs them), their operations only for the
routings that touch W; the planned orders only of the items with such a routing.
``tests/services/test_window_load.py`` holds it equal to ``capacity_load``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from pegboard.engine.capacity import Load, Operations, WorkCenters
from pegboard.model import (
    Bom,
    PlannedOrder,
    ProductionOrder,
    Routing,
    RoutingOperation,
)
from pegboard.services.load import loading_orders, place_backward
from pegboard.services.routing_arrays import NONE, IntArray, RoutingArrays

_Order = tuple[str, int, int | None, int | None, float, date]
"""(label, item id, order BOM id, sales order id, quantity, due date), as the load's."""


@dataclass(frozen=True)
class PlacedOperation:
    """One operation of an order as the backward load places it."""

    sequence: int
    work_center: str
    hours: float
    start: date
    end: date


_Maps = tuple[dict[int, int], dict[int, int], dict[tuple[int, int], int]]
"""A routing by item, by order BOM and by (item, sales order), as ``RoutingArrays``'s."""

_CHUNK = 5_000
"""Values per IN list: well under every database's bind-parameter limit."""


def _maps(session: Session, headers_of: ColumnElement[bool]) -> _Maps:
    """The routing ids each order could choose among those ``headers_of`` selects (a
    routing without operations is never chosen, as in ``read_routings``)."""
    has_ops = select(RoutingOperation.id).where(RoutingOperation.routing_id == Routing.id).exists()
    by_item: dict[int, int] = {}
    by_bom: dict[int, int] = {}
    by_order: dict[tuple[int, int], int] = {}
    for routing_id, item_id, bom_id, so_id in session.execute(
        select(Routing.id, Routing.item_id, Routing.bom_id, Bom.sales_order_id)
        .outerjoin(Bom, Bom.id == Routing.bom_id)
        .where(headers_of, has_ops)
        .order_by(Routing.bom_id)
    ):
        if bom_id is None:
            by_item[item_id] = routing_id
            continue
        by_bom[bom_id] = routing_id
        if so_id is not None:
            by_order.setdefault((item_id, so_id), routing_id)
    return by_item, by_bom, by_order


def _chooser(maps: _Maps) -> RoutingArrays:
    """``RoutingArrays.choose`` answering routing ids (no operations in it)."""
    none = np.zeros(0, dtype=np.int64)
    return RoutingArrays(
        none,
        none,
        none.astype(np.float64),
        none.astype(np.float64),
        none,
        none,
        none,
        none,
        *maps,
    )


def _routings(
    session: Session, position: dict[int, int], maps: _Maps, routing_ids: Collection[int]
) -> RoutingArrays:
    """The operations of ``routing_ids``, chosen through ``maps``; a routing chosen whose
    operations were not read loads nothing here (``_place``)."""
    wanted = sorted(routing_ids)
    ops = [
        row
        for k in range(0, len(wanted), _CHUNK)
        for row in session.execute(
            select(
                RoutingOperation.routing_id,
                RoutingOperation.sequence,
                RoutingOperation.work_center_id,
                RoutingOperation.setup_hours,
                RoutingOperation.run_hours,
                RoutingOperation.queue_days,
                RoutingOperation.move_days,
            )
            .where(RoutingOperation.routing_id.in_(wanted[k : k + _CHUNK]))
            .order_by(RoutingOperation.routing_id, RoutingOperation.sequence)
        )
    ]
    n = len(ops)
    cols = list(zip(*ops, strict=True)) if n else [()] * 7
    ids, first, counts = np.unique(
        np.fromiter(cols[0], dtype=np.int64, count=n), return_index=True, return_counts=True
    )
    index = {int(r): i for i, r in enumerate(ids.tolist())}
    # one more routing, of no operations: the one chosen whose operations were not read
    first = np.append(first, n).astype(np.int64)
    counts = np.append(counts, 0).astype(np.int64)
    empty = len(ids)
    by_item, by_bom, by_order = maps
    wc_of = np.zeros(max(position, default=0) + 1, dtype=np.int64)
    for wc_id, k in position.items():
        wc_of[wc_id] = k
    return RoutingArrays(
        sequence=np.fromiter(cols[1], dtype=np.int64, count=n),
        work_center=wc_of[np.fromiter(cols[2], dtype=np.int64, count=n)],
        setup=np.fromiter(cols[3], dtype=np.float64, count=n),
        run=np.fromiter(cols[4], dtype=np.float64, count=n),
        queue=np.fromiter(cols[5], dtype=np.int64, count=n),
        move=np.fromiter(cols[6], dtype=np.int64, count=n),
        first=first,
        count=counts,
        by_item={k: index.get(v, empty) for k, v in by_item.items()},
        by_bom={k: index.get(v, empty) for k, v in by_bom.items()},
        by_order={k: index.get(v, empty) for k, v in by_order.items()},
    )


def _place(
    routes: RoutingArrays, orders: list[_Order], wcs: WorkCenters
) -> tuple[Operations, IntArray, Load]:
    """The orders' operations placed backward: the operations (orders renumbered among
    those that load), their routing rows and the load."""
    route_of = np.fromiter(
        (routes.choose(o[1], o[2], o[3]) for o in orders), dtype=np.int64, count=len(orders)
    )
    route_of[route_of == len(routes.count) - 1] = NONE  # chosen, but off these centers
    dues = np.fromiter((o[5].toordinal() for o in orders), dtype=np.int64, count=len(orders))
    qty = np.fromiter((o[4] for o in orders), dtype=np.float64, count=len(orders))
    return place_backward(routes, route_of, qty, dues, wcs)


def order_operations(
    session: Session, order: _Order, wcs: WorkCenters, position: dict[int, int]
) -> list[PlacedOperation]:
    """One order's operations as the backward load places them (its routing alone read)."""
    label, item_id, bom_id, _so, _qty, _due = order
    cond = Routing.item_id == item_id
    if bom_id is not None:
        cond = cond | (Routing.bom_id == bom_id)
    maps = _maps(session, cond)
    chosen = _chooser(maps).choose(item_id, bom_id, order[3])
    routes = _routings(session, position, maps, [chosen] if chosen != NONE else [])
    ops, rows, load = _place(routes, [order], wcs)
    del label
    return [
        PlacedOperation(
            int(routes.sequence[r]),
            wcs.code[int(w)],
            float(h),
            date.fromordinal(int(s)),
            date.fromordinal(int(e)),
        )
        for r, w, h, s, e in zip(
            rows.tolist(),
            ops.work_center.tolist(),
            ops.hours.tolist(),
            load.start.tolist(),
            load.end.tolist(),
            strict=True,
        )
    ]


def production_order_row(mo: ProductionOrder) -> _Order:
    """A production order as the load lists it (what remains of it)."""
    remaining = mo.qty - mo.completed_qty - mo.scrapped_qty
    return (mo.number, mo.item_id, mo.bom_id, mo.sales_order_id, remaining, mo.due_date)


def others_hours(
    session: Session,
    wcs: WorkCenters,
    position: dict[int, int],
    centers: Collection[str],
    window: tuple[date, date],
    exclude: Collection[str],
) -> dict[tuple[str, date], float]:
    """Hours every order but ``exclude`` (labels) asks of ``centers`` per day of
    ``window``, by the backward load (module doc)."""
    ids = [wc_id for wc_id, k in position.items() if wcs.code[k] in centers]
    touching = select(RoutingOperation.routing_id).where(RoutingOperation.work_center_id.in_(ids))
    items = select(Routing.item_id).where(Routing.id.in_(touching))
    maps = _maps(session, Routing.item_id.in_(items))
    orders = [o for o in _candidates(session, items, window[0]) if o[0] not in exclude]
    # the operations read only of the routings these orders follow that touch the centers
    pick, touches = _chooser(maps), set(session.scalars(touching.distinct()))
    chosen = {pick.choose(o[1], o[2], o[3]) for o in orders} & touches
    routes = _routings(session, position, maps, chosen)
    _ops, _rows, load = _place(routes, orders, wcs)
    wanted = {k for k, code in enumerate(wcs.code) if code in centers}
    first, last = window[0].toordinal(), window[1].toordinal()
    out: dict[tuple[str, date], float] = defaultdict(float)
    for (wc, day), hours in load.rows.items():
        if wc in wanted and first <= day <= last:
            out[(wcs.code[wc], date.fromordinal(day))] += hours
    return out


def _candidates(session: Session, items: Select[int], not_before: date) -> list[_Order]:
    """Open production orders and the current plan's unfirmed make orders that may load
    the window: due on or after its first day, of an item with a routing that touches it
    (a production order's own order BOM's routing counts too)."""
    return loading_orders(
        session,
        production=[ProductionOrder.due_date >= not_before],
        planned=[PlannedOrder.due_date >= not_before, PlannedOrder.item_id.in_(items)],
    )
