"""An order's lines as a user reads them: each with its order BOM tree, its production
orders and when the plan sees it complete (``pegboard order show``, the order page, the
API's order tree).

The read side of ``services.order_bom``, in a module of its own so that showing an order
loads none of what configuring, editing or releasing one needs (the configurator, the
templates, routings, the audit trail, stock: issue #18, start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.model import (
    Bom,
    BomLine,
    Item,
    PlanLine,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderLine,
)
from pegboard.services.lookups import get_order
from pegboard.services.quantities import MAX_DECIMALS, shown

UNRELEASED = (ProductionStatus.PLANNED,)
"""Production orders not released to the shop floor yet."""


def line_orders(session: Session, row: SalesOrderLine) -> list[ProductionOrder]:
    """The production orders of a sales-order line, by number."""
    return list(
        session.scalars(
            select(ProductionOrder)
            .where(ProductionOrder.sales_order_line_id == row.id)
            .order_by(ProductionOrder.number)
        )
    )


@dataclass(frozen=True)
class ProductionOrderView:
    number: str
    item: str
    qty: float
    start: date
    due: date
    status: str
    parent: str | None
    bom: str | None
    start_in_past: bool
    needs_review: bool


@dataclass(frozen=True)
class BomLineView:
    position: int
    component: str
    description: str
    qty_per: float
    scrap_pct: float
    child: BomView | None
    decimals: int = MAX_DECIMALS
    """The component's decimal places (rule 7): what ``qty_shown`` rounds to."""

    @property
    def qty_shown(self) -> str:
        """The qty per as a user reads and edits it: "1.12", never 1.1199999999999999."""
        return shown(self.qty_per, self.decimals)

    @property
    def scrap_shown(self) -> str:
        return shown(self.scrap_pct, 0)


@dataclass(frozen=True)
class BomView:
    number: str
    item: str
    description: str
    configuration: Mapping[str, object]
    lines: tuple[BomLineView, ...]


@dataclass(frozen=True)
class LineTree:
    ref: str
    item: str
    qty: float
    due: date
    status: str
    bom: BomView | None
    production_orders: tuple[ProductionOrderView, ...] = field(default=())
    projected: date | None = None
    """When the stored plan sees the line complete (None: not in the plan)."""
    late_days: int = 0


def configured_values(bom: Bom) -> dict[str, object]:
    """The parameter values an order BOM was configured with (without its stored lines)."""
    return {k: v for k, v in (bom.configuration or {}).items() if not k.startswith("_")}


def top_bom(session: Session, row: SalesOrderLine) -> Bom | None:
    return session.scalar(
        select(Bom).where(Bom.sales_order_line_id == row.id, Bom.parent_bom_id.is_(None))
    )


def order_views(
    session: Session, orders: list[ProductionOrder], today: date
) -> tuple[ProductionOrderView, ...]:
    if not orders:
        return ()
    ids = {o.id: o.number for o in orders}
    items = dict(
        session.execute(
            select(Item.id, Item.code).where(Item.id.in_({o.item_id for o in orders}))
        ).all()
    )
    boms = dict(
        session.execute(
            select(Bom.id, Bom.number).where(Bom.id.in_({o.bom_id for o in orders if o.bom_id}))
        ).all()
    )
    return tuple(
        ProductionOrderView(
            number=o.number,
            item=items[o.item_id],
            qty=o.qty,
            start=o.start_date or o.due_date,
            due=o.due_date,
            status=o.status.value,
            parent=ids.get(o.parent_id) if o.parent_id else None,
            bom=boms.get(o.bom_id) if o.bom_id else None,
            start_in_past=(o.start_date or o.due_date) < today and o.status in UNRELEASED,
            needs_review=o.needs_review,
        )
        for o in sorted(orders, key=lambda o: o.number)
    )


def bom_view(session: Session, bom: Bom) -> BomView:
    item_code, item_desc = session.execute(
        select(Item.code, Item.description).where(Item.id == bom.item_id)
    ).one()
    children = {
        b.item_id: b for b in session.scalars(select(Bom).where(Bom.parent_bom_id == bom.id))
    }
    rows = session.execute(
        select(BomLine, Item.code, Item.description, Item.decimals)
        .join(Item, Item.id == BomLine.component_id)
        .where(BomLine.bom_id == bom.id)
        .order_by(BomLine.position)
    ).all()
    lines = tuple(
        BomLineView(
            line.position,
            code,
            desc,
            line.qty_per,
            line.scrap_pct,
            bom_view(session, children[line.component_id])
            if line.component_id in children
            else None,
            decimals,
        )
        for line, code, desc, decimals in rows
    )
    return BomView(bom.number, item_code, item_desc, configured_values(bom), lines)


def line_tree(session: Session, order: SalesOrder, row: SalesOrderLine, today: date) -> LineTree:
    top = top_bom(session, row)
    item = session.scalars(select(Item.code).where(Item.id == row.item_id)).one()
    projected, late = session.execute(
        select(func.max(PlanLine.projected_date), func.max(PlanLine.late_days)).where(
            PlanLine.sales_order_line_id == row.id
        )
    ).one()
    return LineTree(
        ref=f"{order.number}/{row.line}",
        item=item,
        qty=row.qty,
        due=row.due_date,
        status=row.status.value,
        bom=bom_view(session, top) if top is not None else None,
        production_orders=order_views(session, line_orders(session, row), today),
        projected=projected,
        late_days=int(late or 0),
    )


def order_tree(session: Session, number: str, *, today: date) -> list[LineTree]:
    """Every line of an order with its order BOM tree and production orders."""
    order = get_order(session, number)
    rows = session.scalars(
        select(SalesOrderLine)
        .where(SalesOrderLine.sales_order_id == order.id)
        .order_by(SalesOrderLine.line)
    )
    return [line_tree(session, order, row, today) for row in rows]
