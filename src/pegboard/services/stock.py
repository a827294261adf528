"""Stock actions people take by hand, and what they look at: the position of an item.

Adjustments need a reason, transfers move one bucket between locations, and a
reservation pegs free stock to a sales order (and a release gives it back).
Every one is a pair or a single row in the ledger (``services.inventory``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import (
    Item,
    ProductionOrder,
    PurchaseLineStatus,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.model.enums import OPEN_PRODUCTION_STATUSES
from pegboard.services import audit, money, valuation
from pegboard.services._tx import writes
from pegboard.services.inventory import (
    EPS,
    Bucket,
    Consumer,
    InsufficientStockError,
    Refs,
    check_location,
    check_qty,
    lock_items,
    move_between,
    post,
    reserve_available,
    shortage_error,
)
from pegboard.services.money import ZERO
from pegboard.services.paging import sorted_page
from pegboard.services.sales import get_item, get_order
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError("a reason is required (why does the stock change?)", field="reason")
    if len(reason) > 500:
        raise ValidationError("reason is longer than 500 characters", field="reason")
    return reason


def _open_order(session: Session, number: str) -> int:
    order = get_order(session, number)
    if order.status not in PLANNABLE_ORDER_STATUSES:
        raise ValidationError(
            f"{number} is {order.status.value}; stock is reserved only for open orders",
            sales_order=number,
        )
    return order.id


@writes
def adjust_stock(
    session: Session,
    *,
    item: str,
    qty: float,
    reason: str,
    location: str = "main",
    sales_order: str | None = None,
    author: str,
) -> float:
    """Count correction: add (qty > 0) or remove (qty < 0) stock. Returns the new balance."""
    qty = check_qty(qty, allow_negative=True)
    reason = _reason(reason)
    location = check_location(location)
    row = get_item(session, item)
    so_id = _open_order(session, sales_order) if sales_order else None
    lock_items(session, [row.id])
    bucket = Bucket(row.id, location, so_id)
    refs = Refs(text=f"adjust {item}", author=author, reason=reason)
    post(session, bucket, qty, StockMoveKind.ADJUSTMENT, refs)
    session.flush()
    return _bucket_qty(session, bucket)


@writes
def transfer_stock(
    session: Session,
    *,
    item: str,
    qty: float,
    from_location: str,
    to_location: str,
    sales_order: str | None = None,
    reason: str = "",
    author: str,
) -> None:
    """Move stock of one bucket (free, or reserved for ``sales_order``) to another location."""
    qty = check_qty(qty)
    source, target = check_location(from_location), check_location(to_location)
    if source == target:
        raise ValidationError(f"from and to are both {source!r}", field="to_location")
    row = get_item(session, item)
    so_id = get_order(session, sales_order).id if sales_order else None
    lock_items(session, [row.id])
    refs = Refs(text=f"transfer {source} -> {target}", author=author, reason=reason.strip())
    move_between(
        session,
        Bucket(row.id, source, so_id),
        Bucket(row.id, target, so_id),
        qty,
        StockMoveKind.TRANSFER,
        refs,
    )


@writes
def reserve_stock(
    session: Session, *, item: str, qty: float, sales_order: str, author: str
) -> None:
    """Peg free stock to a sales order: only that order can then use it (all or nothing)."""
    qty = check_qty(qty)
    row = get_item(session, item)
    order_id = _open_order(session, sales_order)
    lock_items(session, [row.id])
    refs = Refs(text=f"reserve for {sales_order}", author=author)
    got = reserve_available(
        session,
        item_id=row.id,
        qty=qty,
        target=Bucket(row.id, "", order_id),
        sources=[(None, None)],
        refs=refs,
    )
    if got < qty - EPS:
        raise shortage_error(session, row.id, qty, got, Consumer(label=sales_order), None)
    audit.record(
        session,
        author=author,
        entity="stock",
        ref=item,
        action="reserve",
        after={"sales_order": sales_order, "qty": qty},
    )


@writes
def unreserve_stock(
    session: Session, *, item: str, sales_order: str, qty: float | None = None, author: str
) -> float:
    """Give stock reserved for a sales order back to free stock (all of it when qty is None)."""
    row = get_item(session, item)
    order = get_order(session, sales_order)
    lock_items(session, [row.id])
    balances = session.scalars(
        select(StockBalance)
        .where(
            StockBalance.item_id == row.id,
            StockBalance.sales_order_id == order.id,
            StockBalance.reserved_mo_id.is_(None),
            StockBalance.qty > 0,
        )
        .order_by(StockBalance.location)
        .execution_options(populate_existing=True)
    ).all()
    held = sum(b.qty for b in balances)
    want = held if qty is None else check_qty(qty)
    if want > held + EPS or held <= EPS:
        raise InsufficientStockError(
            f"{sales_order} holds {held:g} of {item}; cannot release {want:g}",
            item=item,
            sales_order=sales_order,
            available=held,
        )
    refs = Refs(text=f"release from {sales_order}", author=author)
    left = want
    for balance in balances:
        part = min(left, balance.qty)
        if part <= EPS:
            break
        move_between(
            session,
            Bucket(row.id, balance.location, order.id),
            Bucket(row.id, balance.location),
            part,
            StockMoveKind.RELEASE,
            refs,
        )
        left -= part
    return want


def _bucket_qty(session: Session, bucket: Bucket) -> float:
    stmt = select(func.coalesce(func.sum(StockBalance.qty), 0.0)).where(
        StockBalance.item_id == bucket.item_id,
        StockBalance.location == bucket.location,
        StockBalance.sales_order_id.is_(None)
        if bucket.sales_order_id is None
        else StockBalance.sales_order_id == bucket.sales_order_id,
        StockBalance.reserved_mo_id.is_(None),
    )
    return float(session.scalar(stmt) or 0.0)


@dataclass(frozen=True)
class BucketRow:
    location: str
    holder: str  # "" for free stock, else the sales order or production order it is reserved for
    qty: float


@dataclass(frozen=True)
class StockPosition:
    item: str
    description: str
    uom: str
    safety_stock: float
    buckets: list[BucketRow]
    on_hand: float
    reserved: float
    on_order: float  # open purchase lines not yet shipped by the supplier
    in_transit: float  # purchase lines the supplier has shipped
    in_production: float  # open production orders, still to be completed
    demand: float  # open sales-order lines of the item, still to be shipped

    @property
    def free(self) -> float:
        return self.on_hand - self.reserved


def position(session: Session, item: str) -> StockPosition:
    row = get_item(session, item)
    buckets = [
        BucketRow(loc, mo or so or "", float(qty))
        for loc, so, mo, qty in session.execute(
            select(
                StockBalance.location, SalesOrder.number, ProductionOrder.number, StockBalance.qty
            )
            .select_from(StockBalance)
            .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
            .outerjoin(ProductionOrder, ProductionOrder.id == StockBalance.reserved_mo_id)
            .where(StockBalance.item_id == row.id, StockBalance.qty > EPS)
            .order_by(StockBalance.location, SalesOrder.number, ProductionOrder.number)
        )
    ]
    open_po = PurchaseOrderLine.qty - PurchaseOrderLine.received_qty

    def po_sum(status: PurchaseLineStatus) -> float:
        stmt = select(func.coalesce(func.sum(open_po), 0.0)).where(
            PurchaseOrderLine.item_id == row.id,
            PurchaseOrderLine.status == status,
            open_po > 0,
        )
        return float(session.scalar(stmt) or 0.0)

    remaining = ProductionOrder.qty - ProductionOrder.completed_qty
    in_production = session.scalar(
        select(func.coalesce(func.sum(remaining), 0.0)).where(
            ProductionOrder.item_id == row.id,
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            remaining > 0,
        )
    )
    open_line = SalesOrderLine.qty - SalesOrderLine.shipped_qty
    demand = session.scalar(
        select(func.coalesce(func.sum(open_line), 0.0))
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .where(
            SalesOrderLine.item_id == row.id,
            SalesOrder.status.in_(PLANNABLE_ORDER_STATUSES),
            SalesOrderLine.status.in_(PLANNABLE_ORDER_STATUSES),
            open_line > 0,
        )
    )
    return StockPosition(
        item=row.code,
        description=row.description,
        uom=row.uom,
        safety_stock=row.safety_stock,
        buckets=buckets,
        on_hand=sum(b.qty for b in buckets),
        reserved=sum(b.qty for b in buckets if b.holder),
        on_order=po_sum(PurchaseLineStatus.OPEN),
        in_transit=po_sum(PurchaseLineStatus.IN_TRANSIT),
        in_production=float(in_production or 0.0),
        demand=float(demand or 0.0),
    )


@dataclass(frozen=True)
class MoveRow:
    at: datetime
    kind: str
    location: str
    holder: str
    qty: float
    reference: str
    reason: str
    author: str
    value: Decimal = ZERO
    """What the movement is worth (``services.valuation``), signed like ``qty``."""


def moves_query(
    session: Session,
    item: str,
    *,
    kind: StockMoveKind | None = None,
    location: str | None = None,
) -> Select[*tuple[Any, ...]]:
    """The ledger rows of an item (``NotFoundError`` for an unknown item), filtered, in no
    order (for a caller that sorts and pages). Columns: ``id``, ``at``, ``kind``,
    ``location``, ``holder`` (the production order or sales order it is reserved for, or
    ""), ``qty``, ``value`` (what it is worth), ``reference``, ``reason``, ``author``."""
    row = get_item(session, item)
    stmt = (
        select(
            StockMove.id,
            StockMove.created_at.label("at"),
            StockMove.kind,
            StockMove.location,
            func.coalesce(ProductionOrder.number, SalesOrder.number, "").label("holder"),
            StockMove.qty,
            StockMove.value,
            StockMove.reference,
            StockMove.reason,
            StockMove.author,
        )
        .select_from(StockMove)
        .outerjoin(SalesOrder, SalesOrder.id == StockMove.sales_order_id)
        .outerjoin(ProductionOrder, ProductionOrder.id == StockMove.reserved_mo_id)
        .where(StockMove.item_id == row.id)
    )
    if kind is not None:
        stmt = stmt.where(StockMove.kind == kind)
    if location is not None:
        stmt = stmt.where(StockMove.location == location)
    return stmt


MOVE_SORT = ("at", "kind", "location", "holder", "qty", "value", "reference", "author")
"""What an item's stock ledger can be sorted by (columns of ``moves_query``)."""


def moves_page(
    session: Session,
    item: str,
    *,
    kind: StockMoveKind | None = None,
    location: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``moves_query``'s rows of ``item`` (``NotFoundError`` for an unknown
    one), sorted by ``sort`` (names of ``MOVE_SORT``, ``-`` descending) then newest
    first, and how many there are in all."""
    stmt = moves_query(session, item, kind=kind, location=location)
    return sorted_page(
        session, stmt, sort=sort, sorts=MOVE_SORT, tie="-id", limit=limit, offset=offset
    )


def moves(session: Session, item: str, *, limit: int = 50) -> list[MoveRow]:
    """The newest ledger rows of an item, newest first."""
    stmt = moves_query(session, item).order_by(StockMove.id.desc()).limit(limit)
    return [
        MoveRow(
            r.at,
            StockMoveKind(r.kind).value,
            r.location,
            r.holder,
            r.qty,
            r.reference,
            r.reason,
            r.author,
            r.value,
        )
        for r in session.execute(stmt)
    ]


@dataclass(frozen=True)
class Mismatch:
    item: str
    location: str
    holder: str  # "" for free stock, else the sales order or production order number
    ledger: float
    balance: float


def check_ledger(session: Session) -> list[Mismatch]:
    """Every cached balance against the sum of its ledger rows; empty when they agree."""
    key = (
        StockMove.item_id,
        StockMove.location,
        StockMove.sales_order_id,
        StockMove.reserved_mo_id,
    )
    ledger = {
        (i, loc, so, mo): float(q)
        for i, loc, so, mo, q in session.execute(
            select(*key, func.sum(StockMove.qty)).group_by(*key)
        )
    }
    balances = {
        (i, loc, so, mo): float(q)
        for i, loc, so, mo, q in session.execute(
            select(
                StockBalance.item_id,
                StockBalance.location,
                StockBalance.sales_order_id,
                StockBalance.reserved_mo_id,
                func.sum(StockBalance.qty),
            ).group_by(
                StockBalance.item_id,
                StockBalance.location,
                StockBalance.sales_order_id,
                StockBalance.reserved_mo_id,
            )
        )
    }
    keys = sorted(set(ledger) | set(balances), key=lambda k: (k[0], k[1], k[2] or 0, k[3] or 0))
    wrong = [k for k in keys if abs(ledger.get(k, 0.0) - balances.get(k, 0.0)) > 1e-6]
    codes = _numbers(session, Item.id, Item.code, {k[0] for k in wrong})
    orders = _numbers(session, SalesOrder.id, SalesOrder.number, {k[2] for k in wrong})
    mos = _numbers(session, ProductionOrder.id, ProductionOrder.number, {k[3] for k in wrong})
    return [
        Mismatch(
            codes[k[0]],
            k[1],
            mos.get(k[3] or 0) or orders.get(k[2] or 0) or "",
            ledger.get(k, 0.0),
            balances.get(k, 0.0),
        )
        for k in wrong
    ]


def _numbers(session: Session, id_: Any, label: Any, ids: set[Any]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(id_, label).where(id_.in_(wanted))).all())


@dataclass(frozen=True)
class StockCheck:
    """Quantities and values of every bucket against the ledger (``pegboard stock check``)."""

    quantities: list[Mismatch]
    values: list[valuation.ValueMismatch]

    @property
    def ok(self) -> bool:
        return not self.quantities and not self.values


def check_stock(session: Session) -> StockCheck:
    """Every cached balance's quantity and value against the ledger's sums, and no value
    left in an empty bucket or below zero."""
    return StockCheck(check_ledger(session), valuation.check_values(session))


@dataclass(frozen=True)
class Valuation:
    currency: str
    rows: list[valuation.ValueRow]

    @property
    def total(self) -> Decimal:
        return valuation.total(self.rows)


def valuation_report(
    session: Session, *, item: str | None = None, location: str | None = None
) -> Valuation:
    """The inventory valuation per item and location (an unknown item is refused)."""
    if item is not None:
        get_item(session, item)
    rows = valuation.stock_value(session, item=item, location=location)
    return Valuation(money.currency(session), rows)
