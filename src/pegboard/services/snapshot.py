"""The only bridge between the database and the planning engine.

Each table is read with one Core select of plain columns through the DBAPI
cursor and turned into NumPy columns; the engine never sees an ORM object.
Database ids are mapped to engine positions with a dense lookup array, so the
mapping of millions of BOM rows is one vectorised indexing operation.

The engine's whole-company computations on those arrays run here too (``plan``,
``levels``, ``backlog``), so that an engine error about the data becomes a domain
error in one place: a BOM cycle is a ``PlanningError`` naming its items, the same for
a plan run and a policy run. The rule the services keep (an import-linter contract,
"Services reach the engine through its bridge"): only this module builds engine
input from tables or runs the engine on it. Other services may use the engine's
pure helpers (working-day arithmetic in ``engine.calendar``, rounding in
``engine.lots``, the records of ``engine.types``), and the one service that owns a
computation on records it builds itself from what is not a table (a promise or a
cost roll-up of a configuration in memory, an MPS record, a capacity load, an item's
policy figures) calls that computation's engine module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable

from pegboard.engine import policy as ep
from pegboard.engine import types as et
from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.errors import BomCycleError
from pegboard.engine.levels import low_level_codes
from pegboard.engine.run import plan as run_plan
from pegboard.errors import PlanningError
from pegboard.model import (
    Bom,
    BomLine,
    CompanySetting,
    Item,
    ProductionComponent,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockBalance,
)
from pegboard.model.enums import (
    OPEN_PRODUCTION_STATUSES,
    OPEN_PURCHASE_STATUSES,
    LotRule,
    ProductionStatus,
    SalesOrderStatus,
)
from pegboard.services._heap import arrays_reused
from pegboard.services.calendar import load_calendar
from pegboard.services.cursor_rows import matrix
from pegboard.services.mps_fence import FENCE_KEY, fence_days_of
from pegboard.services.outstanding import outstanding

PLANNABLE_ORDER_STATUSES = (SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)
_LOT_RULES = {LotRule.LFL.value: et.LFL, LotRule.FOQ.value: et.FOQ, LotRule.POQ.value: et.POQ}


@dataclass(frozen=True)
class Snapshot:
    """The engine input plus what is needed to write the result back."""

    input: et.PlanInput
    item_ids: et.IntArray  # engine position -> item.id
    sales_order_ids: et.IntArray  # engine position -> sales_order.id
    demand_refs: list[str]  # "SO/line" per demand
    demand_line_ids: et.IntArray  # demand position -> sales_order_line.id
    production_ids: et.IntArray  # production position -> production_order.id


Columns = list[tuple[Any, ...]]


def _fetch(conn: Connection, stmt: Executable) -> tuple[list[tuple[Any, ...]], int]:
    """Plain tuples straight from the DBAPI cursor, and the number of columns.

    Building Row objects would cost more than the query itself at this size.
    """
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        rows = list(cursor.fetchall()) if cursor is not None else []
    finally:
        result.close()
    width: int = len(stmt.selected_columns)  # type: ignore[attr-defined]
    return rows, width


def _columns(conn: Connection, stmt: Executable) -> Columns:
    """The result as columns; ``zip(*rows)`` transposes in C. SQLite hands back dates
    as ISO text, which ``_ordinals`` reads as well as dates."""
    rows, width = _fetch(conn, stmt)
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _ordinals(values: tuple[Any, ...], missing: int = -1) -> et.IntArray:
    """A date column as day ordinals (``missing`` for NULL), converting each distinct day once."""
    cache: dict[Any, int] = {None: missing}
    out = np.empty(len(values), dtype=np.int64)
    for k, value in enumerate(values):
        day = cache.get(value)
        if day is None:
            as_date = value if isinstance(value, date) else date.fromisoformat(value)
            day = cache[value] = as_date.toordinal()
        out[k] = day
    return out


def _array(values: tuple[Any, ...], dtype: Any) -> Any:
    return np.array(values, dtype=dtype) if values else np.empty(0, dtype=dtype)


def _lookup(ids: et.IntArray) -> et.IntArray:
    """Dense array: database id -> engine position (-1 where absent)."""
    size = int(ids.max()) + 1 if len(ids) else 1
    table = np.full(size + 1, -1, dtype=np.int64)
    table[ids] = np.arange(len(ids), dtype=np.int64)
    return table


def _positions(ids: et.IntArray, wanted: et.IntArray) -> et.IntArray:
    """Where each of ``wanted`` is in ``ids`` (every one is there), by a binary search of
    the sorted ids: no table as long as the largest id, which on PostgreSQL grows with
    every import (a company's BOMs are written anew, their sequence goes on)."""
    order = np.argsort(ids, kind="stable")
    return order[np.searchsorted(ids[order], wanted)]


def _map(table: et.IntArray, ids: et.IntArray) -> et.IntArray:
    return table[ids]


def _so_positions(table: et.IntArray, values: tuple[Any, ...]) -> et.IntArray:
    """Sales order ids (or NULL) to engine positions (NO_ORDER for NULL)."""
    ids = np.array(values, dtype=object) if values else np.empty(0, dtype=object)
    out = np.full(len(values), et.NO_ORDER, dtype=np.int64)
    has = np.array([v is not None for v in values], dtype=np.bool_)
    out[has] = table[ids[has].astype(np.int64)]
    return out


def read_settings(conn: Connection, planning_date: date | None, today: date) -> et.Settings:
    values = dict(conn.execute(select(CompanySetting.key, CompanySetting.value)).all())
    day = planning_date or (
        date.fromisoformat(values["planning_date"]) if "planning_date" in values else today
    )
    return et.Settings(
        planning_date=day.toordinal(),
        horizon_days=int(values.get("horizon_days", 365)),
        reschedule_in_days=int(values.get("reschedule_in_days", 7)),
        defer_days=int(values.get("defer_days", 7)),
        calendar=load_calendar(conn),
        mps_fence_days=fence_days_of(values.get(FENCE_KEY)),
    )


def _items(conn: Connection) -> tuple[et.Items, et.IntArray]:
    raw = _columns(
        conn,
        select(
            Item.id,
            Item.code,
            Item.type,
            Item.strategy,
            Item.lead_time_days,
            Item.lot_rule,
            Item.lot_qty,
            Item.period_days,
            Item.min_qty,
            Item.multiple,
            Item.safety_stock,
            Item.decimals,
            Item.mps,
        ).order_by(Item.code),
    )
    items = et.Items(
        code=list(raw[1]),
        is_make=np.array([t == "make" for t in raw[2]], dtype=np.bool_),
        is_mto=np.array([t == "mto" for t in raw[3]], dtype=np.bool_),
        lead_time=_array(raw[4], np.int64),
        lot_rule=np.array([_LOT_RULES[str(r)] for r in raw[5]], dtype=np.int64),
        lot_qty=np.array([q or 0.0 for q in raw[6]], dtype=np.float64),
        period_days=np.array([d or 0 for d in raw[7]], dtype=np.int64),
        min_qty=_array(raw[8], np.float64),
        multiple=_array(raw[9], np.float64),
        safety_stock=_array(raw[10], np.float64),
        decimals=_array(raw[11], np.int64),
        mps=np.array([bool(v) for v in raw[12]], dtype=np.bool_),
    )
    return items, _array(raw[0], np.int64)


def load_snapshot(conn: Connection, *, planning_date: date | None = None, today: date) -> Snapshot:
    """Read everything the engine needs, one select per table."""
    settings = read_settings(conn, planning_date, today)
    items, item_ids = _items(conn)
    item_pos = _lookup(item_ids)

    so_raw = conn.execute(select(SalesOrder.id, SalesOrder.number).order_by(SalesOrder.number))
    so_rows = so_raw.all()
    so_ids = np.fromiter((r[0] for r in so_rows), np.int64, count=len(so_rows))
    so_pos = _lookup(so_ids)

    bom = _bom(conn, item_pos, so_pos)

    stock_raw = _columns(
        conn,
        select(
            StockBalance.item_id,
            StockBalance.qty,
            StockBalance.location,
            StockBalance.sales_order_id,
        ).where(StockBalance.qty > 0),
    )
    stock = et.Stock(
        item=_map(item_pos, _array(stock_raw[0], np.int64)),
        qty=_array(stock_raw[1], np.float64),
        location=list(stock_raw[2]),
        sales_order=_so_positions(so_pos, stock_raw[3]),
    )
    purchases = _purchases(conn, item_pos, so_pos)
    productions, production_ids = _productions(conn, item_pos, so_pos, items, settings.calendar)
    components = _production_components(conn, item_pos, productions.ref)
    demands, demand_refs, line_ids = _demands(conn, item_pos, so_pos)
    plan_input = et.PlanInput(
        settings=settings,
        items=items,
        sales_orders=[r[1] for r in so_rows],
        bom=bom,
        stock=stock,
        purchases=purchases,
        productions=productions,
        demands=demands,
        production_components=components,
    )
    return Snapshot(plan_input, item_ids, so_ids, demand_refs, line_ids, production_ids)


def _bom(conn: Connection, item_pos: et.IntArray, so_pos: et.IntArray) -> et.Bom:
    """The largest table, read as one float matrix (ids are exact in float64 up to 2**53),
    its BOMs' parent and sales order looked up by BOM id in arrays: joining each of
    millions of lines to its BOM in the query cost a B-tree search a line."""
    lines = matrix(
        conn,
        select(BomLine.bom_id, BomLine.component_id, BomLine.qty_per, BomLine.scrap_pct),
        np.float64,
    )
    heads = matrix(
        conn, select(Bom.id, Bom.item_id, func.coalesce(Bom.sales_order_id, -1)), np.float64
    )
    head_of = _positions(heads[:, 0].astype(np.int64), lines[:, 0].astype(np.int64))
    so_ids = heads[:, 2].astype(np.int64)[head_of]
    sales_order = np.full(len(lines), et.NO_ORDER, dtype=np.int64)
    has = so_ids >= 0
    sales_order[has] = so_pos[so_ids[has]]
    return et.Bom(
        parent=_map(item_pos, heads[:, 1].astype(np.int64)[head_of]),
        component=_map(item_pos, lines[:, 1].astype(np.int64)),
        qty_per=np.ascontiguousarray(lines[:, 2]),
        scrap_pct=np.ascontiguousarray(lines[:, 3]),
        sales_order=sales_order,
    )


def _purchases(conn: Connection, item_pos: et.IntArray, so_pos: et.IntArray) -> et.PurchaseLines:
    ref = PurchaseOrder.number + literal("/") + func.cast(PurchaseOrderLine.line, Item.code.type)
    raw = _columns(
        conn,
        select(
            ref,
            PurchaseOrderLine.item_id,
            PurchaseOrderLine.qty - PurchaseOrderLine.received_qty,
            PurchaseOrderLine.due_date,
            PurchaseOrderLine.sales_order_id,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(
            PurchaseOrderLine.status.in_(OPEN_PURCHASE_STATUSES),
            PurchaseOrderLine.qty > PurchaseOrderLine.received_qty,
        ),
    )
    return et.PurchaseLines(
        ref=list(raw[0]),
        item=_map(item_pos, _array(raw[1], np.int64)),
        qty=_array(raw[2], np.float64),
        due=_ordinals(raw[3]),
        sales_order=_so_positions(so_pos, raw[4]),
    )


def _productions(
    conn: Connection,
    item_pos: et.IntArray,
    so_pos: et.IntArray,
    items: et.Items,
    calendar: WorkCalendar,
) -> tuple[et.ProductionOrders, et.IntArray]:
    """Open production orders, and their ids; a missing start is back(due, lead time)."""
    raw = _columns(
        conn,
        select(
            ProductionOrder.number,
            ProductionOrder.item_id,
            ProductionOrder.qty - ProductionOrder.completed_qty,
            ProductionOrder.due_date,
            ProductionOrder.start_date,
            ProductionOrder.components_issued,
            ProductionOrder.sales_order_id,
            ProductionOrder.id,
            ProductionOrder.mps,
        )
        .outerjoin(SalesOrder, SalesOrder.id == ProductionOrder.sales_order_id)
        .where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.qty > ProductionOrder.completed_qty,
            # a planned (unreleased) order of a draft or cancelled sales order is not
            # supply yet: planning it would buy parts for a quote
            or_(
                ProductionOrder.status != ProductionStatus.PLANNED,
                ProductionOrder.sales_order_id.is_(None),
                SalesOrder.status.in_(PLANNABLE_ORDER_STATUSES),
            ),
        ),
    )
    item = _map(item_pos, _array(raw[1], np.int64))
    due = _ordinals(raw[3])
    given = _ordinals(raw[4])
    start = np.where(given >= 0, given, calendar.back(due, items.lead_time[item]))
    orders = et.ProductionOrders(
        ref=list(raw[0]),
        item=item,
        qty=_array(raw[2], np.float64),
        due=due,
        start=start,
        components_issued=np.array([bool(v) for v in raw[5]], dtype=np.bool_),
        sales_order=_so_positions(so_pos, raw[6]),
        mps=np.array([bool(v) for v in raw[8]], dtype=np.bool_),
    )
    return orders, _array(raw[7], np.int64)


def _production_components(
    conn: Connection, item_pos: et.IntArray, refs: list[str]
) -> et.ProductionComponents:
    """What released orders still need per component (their frozen component lists),
    so a partial issue is not demanded again."""
    raw = _columns(
        conn,
        select(
            ProductionOrder.number,
            ProductionComponent.item_id,
            ProductionComponent.qty_per,
            ProductionOrder.qty,
            ProductionOrder.completed_qty,
            ProductionOrder.scrapped_qty,
            ProductionComponent.issued_qty,
        )
        .join(ProductionOrder, ProductionOrder.id == ProductionComponent.production_order_id)
        .where(ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES)),
    )
    position = {ref: k for k, ref in enumerate(refs)}
    keep = np.array([n in position for n in raw[0]], dtype=np.bool_)
    columns = [_array(values, np.float64)[keep] for values in raw[2:]]
    return et.ProductionComponents(
        order=np.array([position[n] for n in raw[0] if n in position], dtype=np.int64),
        item=_map(item_pos, _array(raw[1], np.int64)[keep]),
        qty=outstanding(*columns),
    )


def _demands(
    conn: Connection, item_pos: et.IntArray, so_pos: et.IntArray
) -> tuple[et.Demands, list[str], et.IntArray]:
    so = aliased(SalesOrder)
    raw = _columns(
        conn,
        select(
            SalesOrderLine.sales_order_id,
            SalesOrderLine.line,
            SalesOrderLine.item_id,
            SalesOrderLine.qty - SalesOrderLine.shipped_qty,
            SalesOrderLine.due_date,
            SalesOrderLine.priority,
            so.number,
            SalesOrderLine.id,
        )
        .join(so, so.id == SalesOrderLine.sales_order_id)
        .where(
            and_(
                so.status.in_(PLANNABLE_ORDER_STATUSES),
                SalesOrderLine.status.in_(PLANNABLE_ORDER_STATUSES),
                SalesOrderLine.qty > SalesOrderLine.shipped_qty,
            )
        ),
    )
    demands = et.Demands(
        sales_order=_map(so_pos, _array(raw[0], np.int64)),
        line=_array(raw[1], np.int64),
        item=_map(item_pos, _array(raw[2], np.int64)),
        qty=_array(raw[3], np.float64),
        due=_ordinals(raw[4]),
        priority=_array(raw[5], np.int64),
    )
    refs = [f"{number}/{line}" for number, line in zip(raw[6], raw[1], strict=True)]
    return demands, refs, _array(raw[7], np.int64)


# --- the engine's computations on a snapshot ----------------------------------------------------


@contextmanager
def _cycles_named(snap: Snapshot) -> Iterator[None]:
    """A BOM cycle the engine found, as a ``PlanningError`` naming its items in BOM order."""
    try:
        yield
    except BomCycleError as e:
        names = [snap.input.items.code[i] for i in e.cycle]
        cycle = " -> ".join([*names, names[0]])
        raise PlanningError(f"the BOM has a cycle: {cycle}", cycle=names) from e


def plan(snap: Snapshot) -> et.PlanResult:
    """The engine's plan of everything open in the snapshot, its big arrays' memory
    reused rather than mapped afresh each time (``services._heap``)."""
    with _cycles_named(snap), arrays_reused():
        return run_plan(snap.input)


def levels(snap: Snapshot) -> et.IntArray:
    """Every item's low-level code over master and order BOM lines (explosion order)."""
    inp = snap.input
    with _cycles_named(snap):
        return low_level_codes(len(inp.items.code), inp.bom.parent, inp.bom.component)


def backlog(snap: Snapshot, window_days: int | None, min_window_days: int) -> ep.Backlog:
    """What the open backlog asks of every item: gross needs and usage over each item's
    window (``window_days`` for all, else its lead-time cover, at least ``min_window_days``)."""
    return ep.backlog(snap.input, levels(snap), window_days, min_window_days)
