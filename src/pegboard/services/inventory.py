"""The stock ledger: every movement a row, every balance kept in step with it.

Stock sits in *buckets*: an item at a location, free, reserved for a sales
order, or reserved for one production order (see ``model.stock``). Each
movement posts a signed ``stock_move`` row to one bucket and adjusts that
bucket's cached balance in the same transaction; a balance may never go below
zero, so an issue of stock that is not there is refused with what *is* there.

Consumers take stock in a fixed order of buckets, so reserved stock is only
ever used by the order it is reserved for: a production order takes its own
reservation, then its sales order's, then free stock; a shipment of sales
order S takes S's reservation, then free stock. Nothing else can reach stock
reserved for S.

Concurrency: the caller runs in ``_tx.writes``. On PostgreSQL the rows of the
items touched are locked (``FOR NO KEY UPDATE``, in id order, before any
balance is read), which makes the read-check-write of their balances atomic
without blocking the foreign-key checks of unrelated inserts. SQLite's
``BEGIN IMMEDIATE`` already admits one writer at a time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, ValidationError
from pegboard.model import (
    Item,
    ProductionOrder,
    SalesOrder,
    StockBalance,
    StockMove,
    StockMoveKind,
)
from pegboard.services import valuation
from pegboard.services._tx import for_update
from pegboard.services.locations import DEFAULT_LOCATION as DEFAULT_LOCATION
from pegboard.services.locations import require_known
from pegboard.services.money import ZERO

EPS = 1e-9
"""Quantities closer than this are equal (sums of decimal floats drift by ~1e-16)."""
MAX_QTY = 1e9
"""No single movement is larger: a typo of six zeros is refused, not booked."""


class InsufficientStockError(ConflictError):
    code = "insufficient_stock"


@dataclass(frozen=True)
class Bucket:
    item_id: int
    location: str
    sales_order_id: int | None = None
    reserved_mo_id: int | None = None


@dataclass(frozen=True)
class Refs:
    """Which document a movement belongs to; ``text`` is what people read."""

    text: str
    author: str
    reason: str = ""
    purchase_order_line_id: int | None = None
    production_order_id: int | None = None
    sales_order_line_id: int | None = None
    shipment_id: int | None = None


@dataclass(frozen=True)
class Consumer:
    """Who takes stock: the buckets it may use, in order, are derived from this."""

    sales_order_id: int | None = None
    production_order_id: int | None = None
    label: str = ""


@dataclass
class Taken:
    item_id: int
    qty: float
    moves: list[StockMove] = field(default_factory=list)


def check_qty(value: object, field_name: str = "qty", *, allow_negative: bool = False) -> float:
    """A quantity a person typed: a finite number, > 0 (or non-zero), not absurdly large."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{field_name} must be a number, not {value!r}", field=field_name)
    qty = float(value)
    if math.isnan(qty) or math.isinf(qty):
        raise ValidationError(f"{field_name} must be a finite number, not {qty}", field=field_name)
    if allow_negative and qty == 0:
        raise ValidationError(f"{field_name} must not be 0", field=field_name, value=qty)
    if not allow_negative and qty <= 0:
        raise ValidationError(
            f"{field_name} must be greater than 0, not {qty:g}", field=field_name, value=qty
        )
    if abs(qty) > MAX_QTY:
        raise ValidationError(
            f"{field_name} {qty:g} is larger than the limit {MAX_QTY:g}", field=field_name
        )
    return qty


def check_location(location: str) -> str:
    location = location.strip()
    if not location:
        raise ValidationError("location must not be blank", field="location")
    if len(location) > 100:
        raise ValidationError("location is longer than 100 characters", field="location")
    return location


def lock_items(session: Session, item_ids: Iterable[int]) -> None:
    """Take the stock lock of these items, in id order (so two writers never deadlock)."""
    ids = sorted(set(item_ids))
    if ids and for_update(session):
        session.execute(
            select(Item.id)
            .where(Item.id.in_(ids))
            .order_by(Item.id)
            .with_for_update(key_share=True)
        ).all()


def _bucket_filter(bucket: Bucket) -> list[object]:
    def eq(column: object, value: int | None) -> object:
        return column.is_(None) if value is None else column == value  # type: ignore[attr-defined]

    return [
        StockBalance.item_id == bucket.item_id,
        StockBalance.location == bucket.location,
        eq(StockBalance.sales_order_id, bucket.sales_order_id),
        eq(StockBalance.reserved_mo_id, bucket.reserved_mo_id),
    ]


def _balance(session: Session, bucket: Bucket) -> StockBalance:
    """The bucket's balance row; a new one only at a known location (``services.locations``):
    every receipt, completion, transfer and adjustment into a location passes here."""
    row = session.scalars(
        select(StockBalance)
        .where(*_bucket_filter(bucket))  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        require_known(session, bucket.location)
        row = StockBalance(
            item_id=bucket.item_id,
            location=bucket.location,
            sales_order_id=bucket.sales_order_id,
            reserved_mo_id=bucket.reserved_mo_id,
            qty=0.0,
            value=ZERO,
        )
        session.add(row)
    return row


def post(
    session: Session,
    bucket: Bucket,
    qty: float,
    kind: StockMoveKind,
    refs: Refs,
    value: Decimal | None = None,
) -> StockMove:
    """One ledger row and the balance it changes; refuses to go below zero.

    Stock coming in is worth ``value`` (a receipt's price, a completion's actual cost,
    what the other half of a transfer took), or the item's moving average when none is
    given; stock going out is worth its bucket's moving average (``services.valuation``).
    The caller holds the item's lock (``lock_items``).
    """
    balance = _balance(session, bucket)
    new = balance.qty + qty
    if new < -EPS:
        code = item_code(session, bucket.item_id)
        raise InsufficientStockError(
            f"not enough {code} at {bucket.location}: {-qty:g} needed, {balance.qty:g} there",
            item=code,
            location=bucket.location,
            needed=-qty,
            available=balance.qty,
        )
    emptied = abs(new) < EPS
    if qty < 0:
        worth = -valuation.leaving(balance, -qty, emptied)
    elif value is not None:
        worth = valuation.exact(value)
    else:
        worth = valuation.incoming(session, bucket.item_id, qty)
    balance.qty = 0.0 if emptied else round(new, 9)
    balance.value = (balance.value or ZERO) + worth
    move = StockMove(
        value=worth,
        item_id=bucket.item_id,
        location=bucket.location,
        sales_order_id=bucket.sales_order_id,
        reserved_mo_id=bucket.reserved_mo_id,
        qty=qty,
        kind=kind,
        reference=refs.text,
        reason=refs.reason,
        author=refs.author,
        purchase_order_line_id=refs.purchase_order_line_id,
        production_order_id=refs.production_order_id,
        sales_order_line_id=refs.sales_order_line_id,
        shipment_id=refs.shipment_id,
    )
    session.add(move)
    return move


def item_code(session: Session, item_id: int) -> str:
    return session.scalars(select(Item.code).where(Item.id == item_id)).one()


def _usable(
    session: Session, item_id: int, consumer: Consumer, location: str | None
) -> list[StockBalance]:
    """The consumer's buckets with stock, in the order it takes them."""
    stmt = select(StockBalance).where(StockBalance.item_id == item_id, StockBalance.qty > 0)
    if location is not None:
        stmt = stmt.where(StockBalance.location == location)
    rows = session.scalars(stmt.execution_options(populate_existing=True)).all()

    def rank(b: StockBalance) -> int | None:
        if b.reserved_mo_id is not None:
            return 0 if b.reserved_mo_id == consumer.production_order_id else None
        if b.sales_order_id is not None:
            return 1 if b.sales_order_id == consumer.sales_order_id else None
        return 2

    ranked = [(r, b) for b in rows if (r := rank(b)) is not None]
    ranked.sort(key=lambda rb: (rb[0], rb[1].location, rb[1].id))
    return [b for _, b in ranked]


def available_to(
    session: Session, item_id: int, consumer: Consumer, location: str | None = None
) -> float:
    """How much of the item this consumer could take now."""
    return float(sum(b.qty for b in _usable(session, item_id, consumer, location)))


def take(
    session: Session,
    *,
    item_id: int,
    qty: float,
    consumer: Consumer,
    kind: StockMoveKind,
    refs: Refs,
    location: str | None = None,
) -> Taken:
    """Consume ``qty`` from the consumer's buckets (all or nothing), at ``location`` when
    given (a known location: an unknown one is refused as such, not as a shortage)."""
    if location is not None:
        location = require_known(session, location)
    buckets = _usable(session, item_id, consumer, location)
    available = sum(b.qty for b in buckets)
    if available < qty - EPS:
        raise shortage_error(session, item_id, qty, available, consumer, location)
    taken = Taken(item_id, qty)
    left = qty
    for balance in buckets:
        if left <= EPS:
            break
        part = min(left, balance.qty)
        bucket = Bucket(item_id, balance.location, balance.sales_order_id, balance.reserved_mo_id)
        taken.moves.append(post(session, bucket, -part, kind, refs))
        left -= part
    return taken


def shortage_error(
    session: Session,
    item_id: int,
    needed: float,
    available: float,
    consumer: Consumer,
    location: str | None,
) -> InsufficientStockError:
    """Say what is there and who holds what is not free."""
    code = item_code(session, item_id)
    where = f" at {location}" if location else ""
    on_hand = on_hand_qty(session, item_id, location)
    held = reserved_elsewhere(session, item_id, consumer, location)
    detail = f"{on_hand:g} on hand"
    if held:
        detail += ", " + ", ".join(f"{q:g} reserved for {who}" for who, q in held)
    who = f" to {consumer.label}" if consumer.label else ""
    return InsufficientStockError(
        f"not enough {code}{where}: {needed:g} needed, {available:g} available{who} ({detail})",
        item=code,
        needed=needed,
        available=available,
        on_hand=on_hand,
    )


def on_hand_qty(session: Session, item_id: int, location: str | None = None) -> float:
    stmt = select(func.coalesce(func.sum(StockBalance.qty), 0.0)).where(
        StockBalance.item_id == item_id
    )
    if location is not None:
        stmt = stmt.where(StockBalance.location == location)
    return float(session.scalar(stmt) or 0.0)


def reserved_elsewhere(
    session: Session, item_id: int, consumer: Consumer, location: str | None
) -> list[tuple[str, float]]:
    """Reservations of this item the consumer may not use, as (holder, qty)."""
    stmt = (
        select(
            StockBalance.sales_order_id,
            StockBalance.reserved_mo_id,
            SalesOrder.number,
            ProductionOrder.number,
            StockBalance.qty,
        )
        .select_from(StockBalance)
        .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
        .outerjoin(ProductionOrder, ProductionOrder.id == StockBalance.reserved_mo_id)
        .where(
            StockBalance.item_id == item_id,
            StockBalance.qty > 0,
            StockBalance.sales_order_id.is_not(None) | StockBalance.reserved_mo_id.is_not(None),
        )
    )
    if location is not None:
        stmt = stmt.where(StockBalance.location == location)
    held: dict[str, float] = {}
    for so_id, mo_id, so_number, mo_number, qty in session.execute(stmt):
        if mo_id is not None:
            if mo_id != consumer.production_order_id:
                held[mo_number] = held.get(mo_number, 0.0) + qty
        elif so_id != consumer.sales_order_id:
            held[so_number] = held.get(so_number, 0.0) + qty
    return sorted(held.items())


def move_between(
    session: Session,
    source: Bucket,
    target: Bucket,
    qty: float,
    kind: StockMoveKind,
    refs: Refs,
) -> None:
    """Two ledger rows that move ``qty`` from one bucket to another (reserve, release,
    transfer); the value the first takes out, the second brings in."""
    out = post(session, source, -qty, kind, refs)
    post(session, target, qty, kind, refs, value=-out.value)


def reserve_available(
    session: Session,
    *,
    item_id: int,
    qty: float,
    target: Bucket,
    sources: Sequence[tuple[int | None, int | None]],
    refs: Refs,
) -> float:
    """Move up to ``qty`` into ``target``'s reservation from the ``(sales order, MO)``
    buckets in ``sources`` (in that order, every location); returns what it moved."""
    left = qty
    for so, mo in sources:
        stmt = (
            select(StockBalance)
            .where(
                StockBalance.item_id == item_id,
                StockBalance.qty > 0,
                StockBalance.sales_order_id.is_(None)
                if so is None
                else StockBalance.sales_order_id == so,
                StockBalance.reserved_mo_id.is_(None)
                if mo is None
                else StockBalance.reserved_mo_id == mo,
            )
            .order_by(StockBalance.location, StockBalance.id)
        )
        for balance in session.scalars(stmt.execution_options(populate_existing=True)).all():
            if left <= EPS:
                return qty
            part = min(left, balance.qty)
            source = Bucket(item_id, balance.location, so, mo)
            move_between(
                session,
                source,
                Bucket(item_id, balance.location, target.sales_order_id, target.reserved_mo_id),
                part,
                StockMoveKind.RESERVATION,
                refs,
            )
            left -= part
    return qty - max(left, 0.0)


def release_all(
    session: Session,
    *,
    item_ids: Iterable[int] | None,
    sales_order_id: int | None,
    reserved_mo_id: int | None,
    to_sales_order_id: int | None,
    refs: Refs,
) -> dict[int, float]:
    """Move every reservation of one holder back (to the sales order's pool or free stock)."""
    stmt = select(StockBalance).where(
        StockBalance.qty > 0,
        StockBalance.sales_order_id.is_(None)
        if sales_order_id is None
        else StockBalance.sales_order_id == sales_order_id,
        StockBalance.reserved_mo_id.is_(None)
        if reserved_mo_id is None
        else StockBalance.reserved_mo_id == reserved_mo_id,
    )
    if item_ids is not None:
        stmt = stmt.where(StockBalance.item_id.in_(list(item_ids)))
    freed: dict[int, float] = {}
    lock_items(session, session.scalars(stmt.with_only_columns(StockBalance.item_id)).all())
    stmt = stmt.order_by(StockBalance.item_id, StockBalance.location)
    for balance in session.scalars(stmt.execution_options(populate_existing=True)).all():
        qty = balance.qty
        if qty <= EPS:
            continue
        move_between(
            session,
            Bucket(balance.item_id, balance.location, sales_order_id, reserved_mo_id),
            Bucket(balance.item_id, balance.location, to_sales_order_id, None),
            qty,
            StockMoveKind.RELEASE,
            refs,
        )
        freed[balance.item_id] = freed.get(balance.item_id, 0.0) + qty
    return freed
