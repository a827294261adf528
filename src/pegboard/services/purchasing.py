"""Purchase orders: firmed from the plan, confirmed, shipped by the supplier, received.

A purchase order starts as a ``draft`` (firmed from planned buy orders, one per
supplier, or entered by hand) and is already supply for the next plan. The
buyer confirms it; the supplier ships lines (``in_transit``, with the expected
arrival as the new due date); goods are received fully or partly, within the
over-receipt tolerance (company setting ``receipt_tolerance_pct``, default 5).
What is not coming any more is cancelled. A receipt for a line bought for a
sales order goes straight into that order's reservation.

Every action is one transaction: a 20-line receipt with one bad line writes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    CompanySetting,
    Item,
    ItemType,
    PlannedOrder,
    PurchaseLineStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    SalesOrder,
    StockMoveKind,
)
from pegboard.model.base import utcnow
from pegboard.services import audit, money
from pegboard.services._choices import choice
from pegboard.services._tx import for_update, writes
from pegboard.services.bounds import check_day
from pegboard.services.firming import carry_into_plan, firm_days, planned_to_firm
from pegboard.services.inventory import (
    DEFAULT_LOCATION,
    EPS,
    Bucket,
    Refs,
    check_location,
    check_qty,
    lock_items,
    post,
)
from pegboard.services.money import as_decimal
from pegboard.services.numbers import next_number
from pegboard.services.paging import sorted_page
from pegboard.services.sales import get_item, get_order
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES

DEFAULT_TOLERANCE_PCT = 5.0
OPEN_LINES = (PurchaseLineStatus.OPEN, PurchaseLineStatus.IN_TRANSIT)


@dataclass(frozen=True)
class NewLine:
    item: str
    qty: float
    due_date: date
    sales_order: str | None = None
    unit_price: Decimal | str | float | None = None
    """Exact (4 decimals); a float from a JSON number is read by its shortest form."""


@dataclass(frozen=True)
class LineView:
    line: int
    item: str
    qty: float
    received_qty: float
    due_date: date
    status: str
    sales_order: str
    ship_date: date | None
    unit_price: Decimal

    @property
    def open_qty(self) -> float:
        return max(self.qty - self.received_qty, 0.0) if self.status in OPEN_LINES else 0.0


@dataclass(frozen=True)
class PurchaseView:
    number: str
    supplier: str
    status: str
    lines: list[LineView]


def tolerance_pct(session: Session) -> float:
    value = session.scalar(
        select(CompanySetting.value).where(CompanySetting.key == "receipt_tolerance_pct")
    )
    return float(value) if value is not None else DEFAULT_TOLERANCE_PCT


def get_purchase(session: Session, number: str, *, lock: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.number == number)
    if lock and for_update(session):
        stmt = stmt.with_for_update(key_share=True)
    po = session.scalars(stmt.execution_options(populate_existing=True)).first()
    if po is None:
        raise NotFoundError(f"no purchase order {number!r}", purchase_order=number)
    return po


def _lines(session: Session, po: PurchaseOrder, *, lock: bool = False) -> list[PurchaseOrderLine]:
    stmt = (
        select(PurchaseOrderLine)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(PurchaseOrderLine.line)
    )
    if lock and for_update(session):
        stmt = stmt.with_for_update(key_share=True)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def _pick_lines(
    po: PurchaseOrder, lines: list[PurchaseOrderLine], numbers: Sequence[int] | None
) -> list[PurchaseOrderLine]:
    if numbers is None:
        return [line for line in lines if line.status in OPEN_LINES]
    by_number = {line.line: line for line in lines}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        raise NotFoundError(f"{po.number} has no line {missing[0]}", purchase_order=po.number)
    return [by_number[n] for n in numbers]


def _require_status(
    po: PurchaseOrder, allowed: tuple[PurchaseOrderStatus, ...], action: str
) -> None:
    if po.status not in allowed:
        hint = "; confirm it first" if po.status is PurchaseOrderStatus.DRAFT else ""
        raise ConflictError(
            f"{po.number} is {po.status.value}: cannot {action}{hint}",
            purchase_order=po.number,
            status=po.status.value,
        )


def _require_open_line(po: PurchaseOrder, line: PurchaseOrderLine, action: str) -> None:
    if line.status not in OPEN_LINES:
        raise ConflictError(
            f"{po.number}/{line.line} is {line.status.value}: cannot {action}",
            purchase_order=po.number,
            line=line.line,
            status=line.status.value,
        )


def _close_if_done(po: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    if all(line.status not in OPEN_LINES for line in lines):
        received = any(line.received_qty > 0 for line in lines)
        po.status = PurchaseOrderStatus.CLOSED if received else PurchaseOrderStatus.CANCELLED


@writes
def firm_purchases(
    session: Session,
    *,
    planned: Sequence[str] | None = None,
    until: date | None = None,
    since: date | None = None,
    window: str | None = None,
    author: str,
) -> list[str]:
    """Turn planned buy orders of the current plan into draft purchase orders, one per
    supplier (the item's default supplier): those named in ``planned``, or every unfirmed
    one released from ``since`` to ``until`` or in the release ``window`` as of today
    (``firm_days``, the planned-orders lists' days). Returns the new purchase order
    numbers."""
    since, until = firm_days(
        clock.today(), named=bool(planned), since=since, until=until, window=window
    )
    return firm_purchase_rows(
        session, planned_to_firm(session, ItemType.BUY, planned, until, since), author
    )


def firm_purchase_rows(session: Session, rows: Sequence[PlannedOrder], author: str) -> list[str]:
    """``firm_purchases`` of rows already chosen (and locked), inside the caller's
    transaction; the planned orders leave the current plan (``carry_into_plan``)."""
    if not rows:
        return []
    items = {
        i.id: i for i in session.scalars(select(Item).where(Item.id.in_({r.item_id for r in rows})))
    }
    by_supplier: dict[str, list[PlannedOrder]] = {}
    for row in rows:
        by_supplier.setdefault(items[row.item_id].supplier, []).append(row)
    numbers = []
    firmed: dict[PlannedOrder, str] = {}
    for supplier in sorted(by_supplier):
        group = sorted(
            by_supplier[supplier], key=lambda r: (r.due_date, items[r.item_id].code, r.number)
        )
        po = PurchaseOrder(
            number=next_number(session, "PO", PurchaseOrder.number),
            supplier=supplier,
            status=PurchaseOrderStatus.DRAFT,
        )
        session.add(po)
        session.flush()
        for n, row in enumerate(group, start=1):
            session.add(
                PurchaseOrderLine(
                    purchase_order_id=po.id,
                    line=n,
                    item_id=row.item_id,
                    qty=row.qty,
                    due_date=row.due_date,
                    status=PurchaseLineStatus.OPEN,
                    sales_order_id=row.sales_order_id,
                    supplier=supplier,
                    unit_price=items[row.item_id].unit_cost,
                    planned_ref=f"run {row.plan_run_id}/{row.number}",
                )
            )
            row.firmed_as = f"{po.number}/{n}"
            firmed[row] = row.firmed_as
        audit.record(
            session,
            author=author,
            entity="purchase_order",
            ref=po.number,
            action="firm",
            after={"supplier": supplier, "planned": [r.number for r in group]},
        )
        numbers.append(po.number)
    session.flush()
    carry_into_plan(session, rows[0].plan_run_id, firmed)
    return numbers


def _exact(value: Decimal | str | float) -> Decimal | str:
    """A typed price as exact text: a float (a JSON number) by its shortest form, so that
    12.5 is 12.5 and a tenth decimal is still seen and refused."""
    if isinstance(value, bool):
        return str(value)
    return repr(value) if isinstance(value, float) else value


@writes
def create_purchase(
    session: Session, *, supplier: str, lines: Sequence[NewLine], author: str
) -> str:
    """A purchase order entered by hand (a draft, like a firmed one)."""
    if not lines:
        raise ValidationError("a purchase order needs at least one line", field="lines")
    if len(supplier) > 200:
        raise ValidationError("supplier is longer than 200 characters", field="supplier")
    po = PurchaseOrder(
        number=next_number(session, "PO", PurchaseOrder.number),
        supplier=supplier.strip(),
        status=PurchaseOrderStatus.DRAFT,
    )
    session.add(po)
    session.flush()
    for n, new in enumerate(lines, start=1):
        item = get_item(session, new.item)
        if item.type is not ItemType.BUY:
            raise ValidationError(f"line {n}: {new.item} is a make item; it is not bought")
        qty = check_qty(new.qty, f"line {n} qty")
        check_day(new.due_date, f"line {n} due_date")
        price = (
            item.unit_cost
            if new.unit_price is None
            else money.unit_cost(_exact(new.unit_price), f"line {n} unit_price")
        )
        so = get_order(session, new.sales_order).id if new.sales_order else None
        session.add(
            PurchaseOrderLine(
                purchase_order_id=po.id,
                line=n,
                item_id=item.id,
                qty=qty,
                due_date=new.due_date,
                status=PurchaseLineStatus.OPEN,
                sales_order_id=so,
                supplier=po.supplier,
                unit_price=price,
            )
        )
    audit.record(
        session,
        author=author,
        entity="purchase_order",
        ref=po.number,
        action="create",
        after={"supplier": po.supplier, "lines": len(lines)},
    )
    return po.number


@writes
def confirm_purchase(session: Session, number: str, *, author: str) -> None:
    po = get_purchase(session, number, lock=True)
    _require_status(po, (PurchaseOrderStatus.DRAFT,), "confirm it")
    po.status = PurchaseOrderStatus.CONFIRMED
    po.confirmed_at = utcnow()
    audit.record(
        session,
        author=author,
        entity="purchase_order",
        ref=number,
        action="confirm",
        before={"status": "draft"},
        after={"status": po.status},
    )


@writes
def ship_purchase(
    session: Session,
    number: str,
    *,
    ship_date: date,
    arrival: date,
    lines: Sequence[int] | None = None,
    author: str,
) -> list[int]:
    """The supplier has shipped these lines (all open ones by default): they are in
    transit and due on ``arrival``. Returns the line numbers."""
    check_day(ship_date, "ship_date")
    check_day(arrival, "arrival")
    if arrival < ship_date:
        raise ValidationError(
            f"arrival {arrival} is before the ship date {ship_date}", field="arrival"
        )
    po = get_purchase(session, number, lock=True)
    _require_status(po, (PurchaseOrderStatus.CONFIRMED,), "mark it in transit")
    chosen = _pick_lines(po, _lines(session, po, lock=True), lines)
    if not chosen:
        raise ConflictError(f"{number} has no open lines to ship", purchase_order=number)
    for line in chosen:
        _require_open_line(po, line, "mark it in transit")
        before = {"status": line.status, "due_date": line.due_date}
        line.status = PurchaseLineStatus.IN_TRANSIT
        line.ship_date = ship_date
        line.due_date = arrival
        audit.record(
            session,
            author=author,
            entity="purchase_order_line",
            ref=f"{number}/{line.line}",
            action="in_transit",
            before=before,
            after={"status": line.status, "due_date": arrival, "ship_date": ship_date},
        )
    return [line.line for line in chosen]


@writes
def receive_purchase(
    session: Session,
    number: str,
    *,
    quantities: Mapping[int, float] | None = None,
    location: str = DEFAULT_LOCATION,
    author: str,
) -> dict[int, float]:
    """Receive goods: ``{line: qty}``, or every open line in full. All lines or none.

    Returns what was received per line.
    """
    location = check_location(location)
    po = get_purchase(session, number, lock=True)
    _require_status(po, (PurchaseOrderStatus.CONFIRMED,), "receive goods")
    lines = _lines(session, po, lock=True)
    if quantities is None:
        wanted = {
            line.line: line.qty - line.received_qty for line in lines if line.status in OPEN_LINES
        }
        if not wanted:
            raise ConflictError(f"{number} has no open lines to receive", purchase_order=number)
    else:
        wanted = dict(quantities)
        if not wanted:
            raise ValidationError("nothing to receive: give at least one line", field="lines")
    chosen = _pick_lines(po, lines, sorted(wanted))
    tolerance = tolerance_pct(session)
    for line in chosen:
        _check_receipt(po, line, wanted[line.line], tolerance)
    lock_items(session, (line.item_id for line in chosen))
    open_orders = _open_orders(session, {line.sales_order_id for line in chosen})
    for line in sorted(chosen, key=lambda r: (r.item_id, r.line)):
        qty = float(wanted[line.line])
        so = line.sales_order_id if line.sales_order_id in open_orders else None
        post(
            session,
            Bucket(line.item_id, location, so),
            qty,
            StockMoveKind.RECEIPT,
            Refs(
                text=f"{number}/{line.line}",
                author=author,
                purchase_order_line_id=line.id,
            ),
            value=as_decimal(qty) * as_decimal(line.unit_price),
        )
        line.received_qty = round(line.received_qty + qty, 9)
        if line.received_qty >= line.qty - EPS:
            line.status = PurchaseLineStatus.RECEIVED
    _close_if_done(po, lines)
    audit.record(
        session,
        author=author,
        entity="purchase_order",
        ref=number,
        action="receive",
        after={"location": location, "lines": {str(k): v for k, v in sorted(wanted.items())}},
    )
    return {line.line: float(wanted[line.line]) for line in chosen}


def _check_receipt(
    po: PurchaseOrder, line: PurchaseOrderLine, qty: object, tolerance: float
) -> None:
    ref = f"{po.number}/{line.line}"
    _require_open_line(po, line, "receive goods")
    value = check_qty(qty, f"{ref} qty")
    limit = line.qty * (1 + tolerance / 100)
    if line.received_qty + value > limit + EPS:
        total, most = line.received_qty + value, max(limit - line.received_qty, 0.0)
        raise ValidationError(
            f"{ref}: receiving {value:g} makes {total:g} of {line.qty:g} ordered, over the "
            f"{tolerance:g}% tolerance (at most {most:g} more)",
            line=line.line,
            qty=value,
            rule="over_receipt",
        )


def _open_orders(session: Session, ids: set[int | None]) -> set[int]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(SalesOrder.id).where(
                SalesOrder.id.in_(wanted), SalesOrder.status.in_(PLANNABLE_ORDER_STATUSES)
            )
        )
    )


@writes
def cancel_purchase(
    session: Session, number: str, *, lines: Sequence[int] | None = None, author: str
) -> list[int]:
    """Nothing more is coming on these lines (all open ones by default)."""
    po = get_purchase(session, number, lock=True)
    _require_status(po, (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CONFIRMED), "cancel lines")
    all_lines = _lines(session, po, lock=True)
    chosen = _pick_lines(po, all_lines, lines)
    if not chosen:
        raise ConflictError(f"{number} has no open lines to cancel", purchase_order=number)
    for line in chosen:
        _require_open_line(po, line, "cancel it")
        line.status = PurchaseLineStatus.CANCELLED
    _close_if_done(po, all_lines)
    audit.record(
        session,
        author=author,
        entity="purchase_order",
        ref=number,
        action="cancel",
        after={"lines": [line.line for line in chosen], "status": po.status},
    )
    return [line.line for line in chosen]


def purchase_view(session: Session, number: str) -> PurchaseView:
    po = get_purchase(session, number)
    rows = session.execute(
        select(PurchaseOrderLine, Item.code, SalesOrder.number)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PurchaseOrderLine.sales_order_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id)
        .order_by(PurchaseOrderLine.line)
    ).all()
    return PurchaseView(
        po.number,
        po.supplier,
        po.status.value,
        [
            LineView(
                r.line,
                code,
                r.qty,
                r.received_qty,
                r.due_date,
                r.status.value,
                so or "",
                r.ship_date,
                r.unit_price,
            )
            for r, code, so in rows
        ],
    )


@dataclass(frozen=True)
class PurchaseRow:
    number: str
    supplier: str
    status: str
    lines: int
    open_lines: int
    next_due: date | None


def purchase_query(
    *,
    status: PurchaseOrderStatus | None = None,
    supplier: str | None = None,
    item: str | None = None,
) -> Select[*tuple[Any, ...]]:
    """Purchase orders with their line counts and next open due date, filtered, in no
    order (for a caller that sorts and pages). Columns: ``id``, ``number``, ``supplier``,
    ``status``, ``created_at``, ``lines``, ``open_lines``, ``next_due``. ``supplier``
    matches part of the name in any case; ``item`` keeps orders with a line of that item."""
    of_order = PurchaseOrderLine.purchase_order_id == PurchaseOrder.id
    is_open = PurchaseOrderLine.status.in_(OPEN_LINES)
    lines = select(func.count()).select_from(PurchaseOrderLine).where(of_order)
    stmt = select(
        PurchaseOrder.id,
        PurchaseOrder.number,
        PurchaseOrder.supplier,
        PurchaseOrder.status,
        PurchaseOrder.created_at,
        lines.scalar_subquery().label("lines"),
        lines.where(is_open).scalar_subquery().label("open_lines"),
        select(func.min(PurchaseOrderLine.due_date))
        .where(of_order, is_open)
        .scalar_subquery()
        .label("next_due"),
    )
    if status is not None:
        stmt = stmt.where(PurchaseOrder.status == status)
    if supplier:
        stmt = stmt.where(
            func.lower(PurchaseOrder.supplier).contains(supplier.lower(), autoescape=True)
        )
    if item:
        stmt = stmt.where(
            PurchaseOrder.id.in_(
                select(PurchaseOrderLine.purchase_order_id)
                .join(Item, Item.id == PurchaseOrderLine.item_id)
                .where(Item.code == item)
            )
        )
    return stmt


PURCHASE_SORT = ("number", "supplier", "status", "created_at", "lines", "open_lines", "next_due")
"""What a list of purchase orders can be sorted by (columns of ``purchase_query``)."""


def purchase_page(
    session: Session,
    *,
    status: PurchaseOrderStatus | None = None,
    supplier: str | None = None,
    item: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[Row[Any]], int]:
    """A page of the purchase orders (``purchase_query``'s columns, filtered like it),
    sorted by ``sort`` (names of ``PURCHASE_SORT``, ``-`` descending) then newest first,
    and how many there are in all."""
    stmt = purchase_query(status=status, supplier=supplier, item=item)
    return sorted_page(
        session, stmt, sort=sort, sorts=PURCHASE_SORT, tie="-id", limit=limit, offset=offset
    )


def purchases_in_transit(session: Session, *, limit: int = 100) -> list[Row[Any]]:
    """The newest purchase orders with a line on its way (``purchase_query``'s columns)."""
    on_the_way = select(PurchaseOrderLine.purchase_order_id).where(
        PurchaseOrderLine.status == PurchaseLineStatus.IN_TRANSIT
    )
    stmt = purchase_query().where(PurchaseOrder.id.in_(on_the_way))
    return list(session.execute(stmt.order_by(PurchaseOrder.id.desc()).limit(limit)).all())


def purchases_overdue(session: Session, today: date, *, limit: int = 100) -> list[Row[Any]]:
    """The newest purchase orders with an open line due before ``today``."""
    late = select(PurchaseOrderLine.purchase_order_id).where(
        PurchaseOrderLine.status.in_(OPEN_LINES), PurchaseOrderLine.due_date < today
    )
    stmt = purchase_query().where(PurchaseOrder.id.in_(late))
    return list(session.execute(stmt.order_by(PurchaseOrder.id.desc()).limit(limit)).all())


def list_purchases(
    session: Session, *, status: str | None = None, limit: int = 200
) -> list[PurchaseRow]:
    """The newest purchase orders first, with their line counts and next open due date."""
    wanted = choice(PurchaseOrderStatus, status)
    stmt = purchase_query(status=wanted).order_by(PurchaseOrder.id.desc()).limit(limit)
    return [
        PurchaseRow(r.number, r.supplier, r.status.value, r.lines, r.open_lines, r.next_due)
        for r in session.execute(stmt)
    ]
