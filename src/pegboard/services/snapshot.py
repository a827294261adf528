"""The only bridge between the database and the planning engine.

Each table is read with one Core select of plain columns through the DBAPI
cursor and turned into NumPy columns; the engine never sees an ORM object.
Database ids are mapped to engine positions with a dense lookup array, so the
mapping of millions of BOM rows is one vectorised indexing operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, literal, select
from sqlalchemy.sql import Executable
from sqlalchemy.orm import aliased

from pegboard.engine import types as et
from pegboard.model import (
    Bom,
    BomLine,
    CompanySetting,
    Item,
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
    SalesOrderStatus,
)

PLANNABLE_ORDER_STATUSES = (SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)
_LOT_RULES = {LotRule.LFL.value: et.LFL, LotRule.FOQ.value: et.FOQ, LotRule.POQ.value: et.POQ}


@dataclass(frozen=True)
class Snapshot:
    """The engine input plus what is needed to write the result back."""

    input: et.PlanInput
    item_ids: et.IntArray  # engine position -> item.id
    sales_order_ids: et.IntArray  # engine position -> sales_order.id
    demand_refs: list[str]  # "SO/line" per demand


def _rows(conn: Connection, stmt: Executable) -> list[tuple[Any, ...]]:
    return list(conn.execute(stmt))


def _column(rows: list[tuple[Any, ...]], i: int, dtype: Any) -> Any:
    return np.fromiter((r[i] for r in rows), dtype=dtype, count=len(rows))


def _lookup(ids: et.IntArray) -> et.IntArray:
    """Dense array: database id -> engine position (-1 where absent)."""
    size = int(ids.max()) + 1 if len(ids) else 1
    table = np.full(size + 1, -1, dtype=np.int64)
    table[ids] = np.arange(len(ids), dtype=np.int64)
    return table


def _map(table: et.IntArray, ids: et.IntArray) -> et.IntArray:
    return table[ids]


def _so_positions(table: et.IntArray, raw: list[tuple[Any, ...]], i: int) -> et.IntArray:
    ids = np.fromiter((r[i] if r[i] is not None else -1 for r in raw), np.int64, count=len(raw))
    out = np.full(len(raw), et.NO_ORDER, dtype=np.int64)
    has = ids >= 0
    out[has] = table[ids[has]]
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
    )


def _items(conn: Connection) -> tuple[et.Items, et.IntArray]:
    raw = _rows(
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
        ).order_by(Item.code),
    )
    items = et.Items(
        code=[r[1] for r in raw],
        is_make=np.fromiter((r[2] == "make" for r in raw), np.bool_, count=len(raw)),
        is_mto=np.fromiter((r[3] == "mto" for r in raw), np.bool_, count=len(raw)),
        lead_time=_column(raw, 4, np.int64),
        lot_rule=np.fromiter((_LOT_RULES[str(r[5])] for r in raw), np.int64, count=len(raw)),
        lot_qty=np.fromiter((r[6] or 0.0 for r in raw), np.float64, count=len(raw)),
        period_days=np.fromiter((r[7] or 0 for r in raw), np.int64, count=len(raw)),
        min_qty=_column(raw, 8, np.float64),
        multiple=_column(raw, 9, np.float64),
        safety_stock=_column(raw, 10, np.float64),
    )
    return items, _column(raw, 0, np.int64)


def load_snapshot(conn: Connection, *, planning_date: date | None = None, today: date) -> Snapshot:
    """Read everything the engine needs, one select per table."""
    settings = read_settings(conn, planning_date, today)
    items, item_ids = _items(conn)
    item_pos = _lookup(item_ids)

    so_raw = conn.execute(select(SalesOrder.id, SalesOrder.number).order_by(SalesOrder.number))
    so_rows = so_raw.all()
    so_ids = np.fromiter((r[0] for r in so_rows), np.int64, count=len(so_rows))
    so_pos = _lookup(so_ids)

    bom_raw = _rows(
        conn,
        select(
            Bom.item_id,
            BomLine.component_id,
            BomLine.qty_per,
            BomLine.scrap_pct,
            Bom.sales_order_id,
        ).join(Bom, Bom.id == BomLine.bom_id),
    )
    bom = et.Bom(
        parent=_map(item_pos, _column(bom_raw, 0, np.int64)),
        component=_map(item_pos, _column(bom_raw, 1, np.int64)),
        qty_per=_column(bom_raw, 2, np.float64),
        scrap_pct=_column(bom_raw, 3, np.float64),
        sales_order=_so_positions(so_pos, bom_raw, 4),
    )

    stock_raw = _rows(
        conn,
        select(
            StockBalance.item_id,
            StockBalance.qty,
            StockBalance.location,
            StockBalance.sales_order_id,
        ).where(StockBalance.qty > 0),
    )
    stock = et.Stock(
        item=_map(item_pos, _column(stock_raw, 0, np.int64)),
        qty=_column(stock_raw, 1, np.float64),
        location=[r[2] for r in stock_raw],
        sales_order=_so_positions(so_pos, stock_raw, 3),
    )
    purchases = _purchases(conn, item_pos, so_pos)
    productions = _productions(conn, item_pos, so_pos, items)
    demands, demand_refs = _demands(conn, item_pos, so_pos)
    plan_input = et.PlanInput(
        settings=settings,
        items=items,
        sales_orders=[r[1] for r in so_rows],
        bom=bom,
        stock=stock,
        purchases=purchases,
        productions=productions,
        demands=demands,
    )
    return Snapshot(plan_input, item_ids, so_ids, demand_refs)


def _purchases(conn: Connection, item_pos: et.IntArray, so_pos: et.IntArray) -> et.PurchaseLines:
    ref = PurchaseOrder.number + literal("/") + func.cast(PurchaseOrderLine.line, Item.code.type)
    raw = _rows(
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
        ref=[r[0] for r in raw],
        item=_map(item_pos, _column(raw, 1, np.int64)),
        qty=_column(raw, 2, np.float64),
        due=np.fromiter((r[3].toordinal() for r in raw), np.int64, count=len(raw)),
        sales_order=_so_positions(so_pos, raw, 4),
    )


def _productions(
    conn: Connection, item_pos: et.IntArray, so_pos: et.IntArray, items: et.Items
) -> et.ProductionOrders:
    raw = _rows(
        conn,
        select(
            ProductionOrder.number,
            ProductionOrder.item_id,
            ProductionOrder.qty - ProductionOrder.completed_qty,
            ProductionOrder.due_date,
            ProductionOrder.start_date,
            ProductionOrder.components_issued,
            ProductionOrder.sales_order_id,
        ).where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.qty > ProductionOrder.completed_qty,
        ),
    )
    item = _map(item_pos, _column(raw, 1, np.int64))
    due = np.fromiter((r[3].toordinal() for r in raw), np.int64, count=len(raw))
    given = np.fromiter(
        (r[4].toordinal() if r[4] is not None else -1 for r in raw), np.int64, count=len(raw)
    )
    start = np.where(given >= 0, given, due - items.lead_time[item])
    return et.ProductionOrders(
        ref=[r[0] for r in raw],
        item=item,
        qty=_column(raw, 2, np.float64),
        due=due,
        start=start,
        components_issued=np.fromiter((bool(r[5]) for r in raw), np.bool_, count=len(raw)),
        sales_order=_so_positions(so_pos, raw, 6),
    )


def _demands(
    conn: Connection, item_pos: et.IntArray, so_pos: et.IntArray
) -> tuple[et.Demands, list[str]]:
    so = aliased(SalesOrder)
    raw = _rows(
        conn,
        select(
            SalesOrderLine.sales_order_id,
            SalesOrderLine.line,
            SalesOrderLine.item_id,
            SalesOrderLine.qty - SalesOrderLine.shipped_qty,
            SalesOrderLine.due_date,
            SalesOrderLine.priority,
            so.number,
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
        sales_order=_map(so_pos, _column(raw, 0, np.int64)),
        line=_column(raw, 1, np.int64),
        item=_map(item_pos, _column(raw, 2, np.int64)),
        qty=_column(raw, 3, np.float64),
        due=np.fromiter((r[4].toordinal() for r in raw), np.int64, count=len(raw)),
        priority=_column(raw, 5, np.int64),
    )
    return demands, [f"{r[6]}/{r[1]}" for r in raw]
