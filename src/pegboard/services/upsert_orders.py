"""An upsert's writers for what hangs off items and orders: routings, the master
schedule's lines, open purchase and production orders, stock counts and templates.

Each adds the bundle's new rows and changes the changed ones in place, by the file's key,
with the bundle's meaning of a row: a purchase or production order's quantity is what is
still open, so a change keeps what was received or completed and sets the open rest. What
would undo the shop floor's or the ledger's records is refused, naming the row: a row whose
key belongs to an order line already received, closed or cancelled (an upsert reopens
nothing), a production order's status changed (releasing and completing are the shop
floor's, with their component lists and issues), a master-schedule line already released.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from pegboard.model import (
    Bom,
    Item,
    Location,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    Routing,
    RoutingOperation,
    SalesOrder,
    WorkCenter,
)
from pegboard.model.enums import (
    OPEN_PRODUCTION_STATUSES,
    OPEN_PURCHASE_STATUSES,
    ProductionStatus,
    PurchaseLineStatus,
    StockMoveKind,
)
from pegboard.services.inventory import (
    Bucket,
    InsufficientStockError,
    Refs,
    lock_items,
    post,
)
from pegboard.services.mps import line_number
from pegboard.services.outstanding import freeze_component_lists
from pegboard.services.templates import define_in_transaction
from pegboard.services.upsert_diff import FileDiff
from pegboard.services.upsert_writer import Writer

ADJUSTMENT = StockMoveKind.ADJUSTMENT


def _order_id(w: Writer, number: str) -> int | None:
    if not number:
        return None
    return w.session.scalar(select(SalesOrder.id).where(SalesOrder.number == number))


def _item_id(w: Writer, code: str) -> int:
    return w.session.scalars(select(Item.id).where(Item.code == code)).one()


# --- routings ----------------------------------------------------------------------------


def _routing(w: Writer, item_id: int, row: Mapping[str, Any]) -> Routing:
    """The item's routing (its engineering one, or its order BOM's), created when none."""
    order_id = _order_id(w, row["sales_order"])
    bom_id: int | None = None
    if order_id is None:
        stmt = select(Routing).where(Routing.item_id == item_id, Routing.bom_id.is_(None))
        base = f"RT-{row['item']}"
    else:
        bom = w.session.scalars(
            select(Bom).where(Bom.item_id == item_id, Bom.sales_order_id == order_id).limit(1)
        ).first()
        if bom is None:
            raise w.refuse(
                "routings",
                dict(row),
                "sales_order",
                "an order routing needs the order's BOM of the item (bom.csv)",
            )
        bom_id = bom.id
        stmt = select(Routing).where(Routing.bom_id == bom_id)
        base = f"RT-{bom.number}"
    routing = w.session.scalars(stmt.order_by(Routing.id).limit(1)).first()
    if routing is None:
        number = w.free_number(Routing.number, base)
        routing = Routing(number=number, item_id=item_id, bom_id=bom_id)
        w.session.add(routing)
        w.session.flush()
    return routing


_OPERATION_FIELDS = ("description", "setup_hours", "run_hours", "queue_days", "move_days")


def routings(w: Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        routing = _routing(w, _item_id(w, row["item"]), row)
        center = w.session.scalars(
            select(WorkCenter.id).where(WorkCenter.code == row["work_center"])
        ).one()
        op = w.session.scalars(
            select(RoutingOperation).where(
                RoutingOperation.routing_id == routing.id,
                RoutingOperation.sequence == row["sequence"],
            )
        ).first()
        if op is None:
            op = RoutingOperation(routing_id=routing.id, sequence=row["sequence"])
            w.session.add(op)
        op.work_center_id = center
        for name in _OPERATION_FIELDS:
            setattr(op, name, row[name])
        w.session.flush()


# --- the master schedule -----------------------------------------------------------------


def mps(w: Writer, d: FileDiff) -> None:
    """A schedule line is a planned production order flagged mps, numbered by its week."""
    for _old, row in w.each(d):
        number = line_number(row["item"], row["date"])
        order = w.session.scalars(
            select(ProductionOrder).where(ProductionOrder.number == number)
        ).first()
        if order is None:
            order = ProductionOrder(
                number=number,
                item_id=_item_id(w, row["item"]),
                status=ProductionStatus.PLANNED,
                components_issued=False,
                mps=True,
                completed_qty=0.0,
                scrapped_qty=0.0,
            )
            w.session.add(order)
        elif order.status is not ProductionStatus.PLANNED:
            raise w.refuse("mps", row, "date", f"{number} is {order.status.value} already")
        order.qty, order.due_date = row["qty"], row["date"]
        w.session.flush()


# --- purchase orders ---------------------------------------------------------------------


def _purchase_header(w: Writer, row: Mapping[str, Any]) -> PurchaseOrder:
    number = row["purchase_order"]
    header = w.session.scalars(select(PurchaseOrder).where(PurchaseOrder.number == number)).first()
    if header is None:
        header = PurchaseOrder(number=number, supplier=row["supplier"])
        w.session.add(header)
        w.session.flush()
    return header


def purchases(w: Writer, d: FileDiff) -> None:
    """A line's qty in the bundle is what is still to come: received stays as it is."""
    for _old, row in w.each(d):
        header = _purchase_header(w, row)
        item_id = _item_id(w, row["item"])
        order_id = _order_id(w, row["sales_order"])
        cost = w.session.scalars(select(Item.unit_cost).where(Item.id == item_id)).one()
        line = w.session.scalars(
            select(PurchaseOrderLine).where(
                PurchaseOrderLine.purchase_order_id == header.id,
                PurchaseOrderLine.line == row["line"],
            )
        ).first()
        if line is None:
            line = PurchaseOrderLine(
                purchase_order_id=header.id, line=row["line"], received_qty=0.0
            )
            w.session.add(line)
        elif line.status not in OPEN_PURCHASE_STATUSES or line.qty <= line.received_qty:
            raise w.refuse("purchase_orders", row, "line", "the line is no longer open")
        line.item_id = item_id
        line.qty = (line.received_qty or 0.0) + row["qty"]
        line.status = PurchaseLineStatus(row["status"])
        line.sales_order_id = order_id
        line.unit_price = cost if row["unit_price"] is None else row["unit_price"]
        line.due_date, line.supplier = row["due_date"], row["supplier"]
        w.session.flush()


# --- production orders -------------------------------------------------------------------


def productions(w: Writer, d: FileDiff) -> None:
    """An order's qty in the bundle is what is still to make: completed stays as it is;
    its status is the shop floor's to change."""
    for _old, row in w.each(d):
        number = row["production_order"]
        item_id, order_id = _item_id(w, row["item"]), _order_id(w, row["sales_order"])
        order = w.session.scalars(
            select(ProductionOrder).where(ProductionOrder.number == number)
        ).first()
        if order is None:
            order = ProductionOrder(
                number=number,
                status=ProductionStatus(row["status"]),
                completed_qty=0.0,
                scrapped_qty=0.0,
            )
            w.session.add(order)
        elif order.status not in OPEN_PRODUCTION_STATUSES or order.mps:
            raise w.refuse("production_orders", row, "production_order", "no longer open")
        elif order.status.value != row["status"]:
            raise w.refuse(
                "production_orders",
                row,
                "status",
                f"is {order.status.value}: its status changes on the shop floor (release, "
                "complete), not by an upsert",
            )
        order.item_id = item_id
        order.qty = (order.completed_qty or 0.0) + row["qty"]
        order.due_date, order.start_date = row["due_date"], row["start_date"]
        order.components_issued = row["components_issued"]
        order.sales_order_id = order_id
        w.session.flush()
    # a released order added comes without its component list: frozen from its BOM
    freeze_component_lists(w.session)


# --- stock -------------------------------------------------------------------------------


def stock(w: Writer, d: FileDiff) -> None:
    """A balance in the bundle is a count: the difference from what the company shows is
    posted to the ledger as an adjustment (as ``pegboard stock adjust`` posts one), valued
    as the ledger values any, with the file's line as its reason; a count that would take
    a bucket below zero is refused, naming the line."""
    at = list(d.names).index("qty")
    for old, row in w.each(d):
        delta = row["qty"] - (0.0 if old is None else float(old[at]))
        if abs(delta) < 1e-9:
            continue
        item_id, order_id = _item_id(w, row["item"]), _order_id(w, row["sales_order"])
        if w.session.get(Location, row["location"]) is None:
            w.session.add(Location(code=row["location"], description=""))
            w.session.flush()
        lock_items(w.session, [item_id])
        place = w.place("stock", row)
        refs = Refs(text=f"upsert {row['item']}", author=w.author, reason=f"counted: {place}")
        try:
            post(w.session, Bucket(item_id, row["location"], order_id), delta, ADJUSTMENT, refs)
        except InsufficientStockError as e:
            raise w.refuse("stock", row, "qty", e.message) from e
        w.session.flush()


# --- templates ---------------------------------------------------------------------------


def templates(definitions: list[dict[str, Any]], w: Writer, d: FileDiff) -> None:
    """A template added or changed is defined again, as the template editor saves it."""
    wanted = {str(r[0]) for r in [*d.added, *(new for _old, new in d.changed)]}
    list(w.each(d))  # the audit of each
    define_in_transaction(
        w.session, [t for t in definitions if str(t.get("item", "")) in wanted], author=w.author
    )
