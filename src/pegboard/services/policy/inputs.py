"""What the database knows of the MTS items beside the snapshot: their position
(free stock and open supply), their observed lead times, their own settings and
their item columns, each read in bulk for the selected items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select

from pegboard.model import (
    Item,
    PolicySetting,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    StockBalance,
    StockMove,
)
from pegboard.model.enums import (
    OPEN_PRODUCTION_STATUSES,
    PurchaseLineStatus,
    StockMoveKind,
)
from pegboard.services.money import as_decimal

MIN_OBSERVATIONS = 3


SAMPLE = 10
"""Observed lead times the σL text lists."""


def positions(conn: Connection) -> dict[int, list[float]]:
    """item id -> [free on hand, in transit, on order, in production], free-pool supply only."""
    out: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for item_id, qty in conn.execute(
        select(StockBalance.item_id, func.sum(StockBalance.qty))
        .where(StockBalance.sales_order_id.is_(None), StockBalance.reserved_mo_id.is_(None))
        .group_by(StockBalance.item_id)
    ):
        out[item_id][0] += float(qty or 0.0)
    remaining = PurchaseOrderLine.qty - PurchaseOrderLine.received_qty
    for item_id, status, qty in conn.execute(
        select(PurchaseOrderLine.item_id, PurchaseOrderLine.status, func.sum(remaining))
        .where(
            PurchaseOrderLine.status.in_((PurchaseLineStatus.OPEN, PurchaseLineStatus.IN_TRANSIT)),
            PurchaseOrderLine.sales_order_id.is_(None),
            remaining > 0,
        )
        .group_by(PurchaseOrderLine.item_id, PurchaseOrderLine.status)
    ):
        slot = 1 if str(status) == PurchaseLineStatus.IN_TRANSIT.value else 2
        out[item_id][slot] += float(qty or 0.0)
    to_make = ProductionOrder.qty - ProductionOrder.completed_qty
    for item_id, qty in conn.execute(
        select(ProductionOrder.item_id, func.sum(to_make))
        .where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.sales_order_id.is_(None),
            to_make > 0,
        )
        .group_by(ProductionOrder.item_id)
    ):
        out[item_id][3] += float(qty or 0.0)
    return out


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def _lead_time_history(conn: Connection) -> dict[int, list[int]]:
    """item id -> observed lead times in days (receipts of buy items, completions of make)."""
    out: dict[int, list[int]] = defaultdict(list)
    start = func.coalesce(PurchaseOrder.confirmed_at, PurchaseOrder.created_at)
    for item_id, began, received in conn.execute(
        select(PurchaseOrderLine.item_id, start, func.min(StockMove.created_at))
        .join(PurchaseOrderLine, PurchaseOrderLine.id == StockMove.purchase_order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(StockMove.kind == StockMoveKind.RECEIPT)
        .group_by(PurchaseOrderLine.id, PurchaseOrderLine.item_id, start)
    ):
        out[item_id].append(max((_day(received) - _day(began)).days, 0))
    released = func.coalesce(ProductionOrder.released_at, ProductionOrder.created_at)
    for item_id, began, done in conn.execute(
        select(ProductionOrder.item_id, released, func.min(StockMove.created_at))
        .join(ProductionOrder, ProductionOrder.id == StockMove.production_order_id)
        .where(StockMove.kind == StockMoveKind.COMPLETION)
        .group_by(ProductionOrder.id, ProductionOrder.item_id, released)
    ):
        out[item_id].append(max((_day(done) - _day(began)).days, 0))
    return out


def own_settings(
    conn: Connection, item_ids: Any, position_of_id: Mapping[int, int]
) -> tuple[Any, Any, Any, Any]:
    """The selected items' own ordering cost, holding % and service level (NaN: the
    company default), and the buffer flag of every item of the snapshot."""
    m = len(position_of_id)
    own_cost, own_hold, own_level = (np.full(m, np.nan) for _ in range(3))
    buffer_all = np.zeros(len(item_ids), dtype=np.bool_)
    k_of_id = {int(i): k for k, i in enumerate(item_ids.tolist())}
    for item_id, cost, hold, level, is_buffer in conn.execute(
        select(
            PolicySetting.item_id,
            PolicySetting.ordering_cost,
            PolicySetting.holding_pct,
            PolicySetting.service_level,
            PolicySetting.buffer,
        )
    ):
        if is_buffer and item_id in k_of_id:
            buffer_all[k_of_id[item_id]] = True
        j = position_of_id.get(item_id)
        if j is not None:
            own_cost[j] = np.nan if cost is None else cost
            own_hold[j] = np.nan if hold is None else hold
            own_level[j] = np.nan if level is None else level
    return own_cost, own_hold, own_level, buffer_all


def observed(
    conn: Connection, position_of_id: Mapping[int, int], m: int
) -> tuple[Any, Any, list[str]]:
    """Per selected item: how many lead times were observed, their sample std dev (0 with
    fewer than ``MIN_OBSERVATIONS``), and the first ``SAMPLE`` of them as text."""
    observations = np.zeros(m, dtype=np.int64)
    sigma_lt = np.zeros(m, dtype=np.float64)
    samples = [""] * m
    for item_id, observed in _lead_time_history(conn).items():
        j = position_of_id.get(item_id)
        if j is None:
            continue
        observations[j] = len(observed)
        if len(observed) >= MIN_OBSERVATIONS:
            sigma_lt[j] = float(np.std(np.asarray(observed, dtype=np.float64), ddof=1))
            samples[j] = ", ".join(str(d) for d in observed[:SAMPLE])
    return observations, sigma_lt, samples


def item_columns(
    conn: Connection, position_of_id: Mapping[int, int], m: int
) -> dict[str, list[Any]]:
    """The selected items' columns, in the selection's order."""
    names = (
        "item",
        "description",
        "unit",
        "type",
        "unit_cost",
        "lot_rule",
        "lot_qty",
        "min_qty",
        "multiple",
        "safety_stock",
        "period_days",
    )
    rows = conn.execute(
        select(
            Item.id,
            Item.code,
            Item.description,
            Item.uom,
            Item.type,
            Item.unit_cost,
            Item.lot_rule,
            Item.lot_qty,
            Item.min_qty,
            Item.multiple,
            Item.safety_stock,
            Item.period_days,
        ).where(Item.strategy == "mts")
    ).all()
    found = [(position_of_id.get(r[0], -1), r) for r in rows]
    at = np.asarray([j for j, _ in found if j >= 0], dtype=np.int64)
    kept = [r for j, r in found if j >= 0]
    columns = list(zip(*kept, strict=True)) if kept else [()] * 12
    out: dict[str, list[Any]] = {}
    for k, name in enumerate(names, start=1):
        values = np.full(m, None, dtype=object)
        values[at] = np.asarray(columns[k], dtype=object) if kept else values[at]
        out[name] = values.tolist()
    out["type"] = [str(getattr(v, "value", v)) for v in out["type"]]
    out["lot_rule"] = [str(getattr(v, "value", v)) for v in out["lot_rule"]]
    out["unit_cost"] = [as_decimal(v) for v in out["unit_cost"]]  # money: kept exact
    for name in ("min_qty", "multiple", "safety_stock"):
        out[name] = [float(v) for v in out[name]]
    out["lot_qty"] = [None if v is None else float(v) for v in out["lot_qty"]]
    out["period_days"] = [int(v or 0) for v in out["period_days"]]
    return out
