"""Production orders on the shop floor: firm, release, issue, complete, scrap, close.

``planned`` (firm, nothing reserved) → ``released`` (components listed and
reserved as far as stock allows; shortages reported) → ``in_progress`` (first
issue or completion) → ``done`` (all completed) → ``closed``. A planned or
released order with nothing issued can be cancelled; a started one is closed
(short) instead.

At release the order's component list is frozen from its BOM: the order BOM of
its sales order when there is one, else the master BOM (the rule the planner
uses). From then on the planner reads what is still *outstanding* per
component (``outstanding``), not the BOM, so a partial issue is never counted
as demand twice.

Completion puts the finished quantity where it is needed next: reserved to the
parent production order when that is released (a sub-assembly for its
assembly), else to the sales order it was made for, else free stock. With
backflush (the default) completion and scrap take the components the finished
and scrapped units consumed that were not issued yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from pegboard import clock
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Item,
    ItemType,
    Pegging,
    PlannedOrder,
    ProductionComponent,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    StockBalance,
    StockMoveKind,
)
from pegboard.model.base import utcnow
from pegboard.services import audit, pins
from pegboard.services._choices import choice
from pegboard.services._tx import for_update, writes
from pegboard.services.actual_cost import completion_value
from pegboard.services.firming import carry_into_plan, firm_days, planned_to_firm
from pegboard.services.inventory import (
    DEFAULT_LOCATION,
    EPS,
    Bucket,
    Consumer,
    InsufficientStockError,
    Refs,
    available_to,
    check_location,
    check_qty,
    lock_items,
    post,
    release_all,
    reserve_available,
    reserved_elsewhere,
    take,
)
from pegboard.services.numbers import next_number
from pegboard.services.outstanding import (
    freeze_component_lists,
    order_needs,
    outstanding,
    unissued_use,
)
from pegboard.services.paging import sorted_page
from pegboard.services.planning import current_run
from pegboard.services.snapshot import PLANNABLE_ORDER_STATUSES
from pegboard.services.wording import counted

P = ProductionStatus
STARTED = (P.RELEASED, P.IN_PROGRESS)


@dataclass(frozen=True)
class ComponentStatus:
    item: str
    qty_per: float
    required: float  # for the whole order
    issued: float
    outstanding: float
    reserved: float  # reserved to this order now
    available: float  # what the order could take now (its reservation, its sales order's, free)

    @property
    def short(self) -> float:
        return max(self.outstanding - self.available, 0.0)


@dataclass(frozen=True)
class ProductionView:
    number: str
    item: str
    qty: float
    completed: float
    scrapped: float
    status: str
    start_date: date | None
    due_date: date
    sales_order: str
    parent: str
    components: list[ComponentStatus]


def get_production(session: Session, number: str, *, lock: bool = False) -> ProductionOrder:
    stmt = select(ProductionOrder).where(ProductionOrder.number == number)
    if lock and for_update(session):
        stmt = stmt.with_for_update(key_share=True)
    mo = session.scalars(stmt.execution_options(populate_existing=True)).first()
    if mo is None:
        raise NotFoundError(f"no production order {number!r}", production_order=number)
    return mo


def _require(mo: ProductionOrder, allowed: tuple[ProductionStatus, ...], action: str) -> None:
    if mo.status in allowed:
        return
    hint = {
        P.PLANNED: "; release it first",
        P.DONE: "; it is done",
    }.get(mo.status, "")
    raise ConflictError(
        f"{mo.number} is {mo.status.value}: cannot {action}{hint}",
        production_order=mo.number,
        status=mo.status.value,
        action=action,
    )


def _consumer(mo: ProductionOrder) -> Consumer:
    return Consumer(mo.sales_order_id, mo.id, mo.number)


def _refs(mo: ProductionOrder, author: str, reason: str = "") -> Refs:
    return Refs(text=mo.number, author=author, reason=reason, production_order_id=mo.id)


@writes
def firm_productions(
    session: Session,
    *,
    planned: Sequence[str] | None = None,
    until: date | None = None,
    since: date | None = None,
    window: str | None = None,
    author: str,
) -> list[str]:
    """Turn planned make orders of the current plan into firm production orders: those
    named in ``planned``, or every unfirmed one released from ``since`` to ``until`` or in
    the release ``window`` as of today (``firm_days``, the planned-orders lists' days)."""
    since, until = firm_days(
        clock.today(), named=bool(planned), since=since, until=until, window=window
    )
    rows = planned_to_firm(session, ItemType.MAKE, planned, until, since)
    return firm_production_rows(session, rows, author)


def firm_production_rows(session: Session, rows: Sequence[PlannedOrder], author: str) -> list[str]:
    """``firm_productions`` of rows already chosen (and locked), inside the caller's
    transaction; the planned orders leave the current plan (``carry_into_plan``)."""
    numbers = []
    firmed: dict[str, ProductionOrder] = {}
    for row in rows:
        mo = ProductionOrder(
            number=next_number(session, "MO", ProductionOrder.number),
            item_id=row.item_id,
            qty=row.qty,
            due_date=row.due_date,
            start_date=row.release_date,
            status=P.PLANNED,
            sales_order_id=row.sales_order_id,
            planned_ref=f"run {row.plan_run_id}/{row.number}",
            completed_qty=0.0,
            scrapped_qty=0.0,
        )
        session.add(mo)
        row.firmed_as = mo.number
        firmed[row.number] = mo
        numbers.append(mo.number)
        audit.record(
            session,
            author=author,
            entity="production_order",
            ref=mo.number,
            action="firm",
            after={"planned": row.number, "qty": row.qty, "due_date": row.due_date},
        )
    session.flush()
    _link_to_demand(session, firmed)
    if rows:
        carry_into_plan(
            session,
            rows[0].plan_run_id,
            {row: firmed[row.number].number for row in rows},
            productions=firmed,
        )
    return numbers


def _link_to_demand(session: Session, firmed: dict[str, ProductionOrder]) -> None:
    """Trace each new order to what it serves, from the plan's pegging: the sales-order
    line it covers, or the parent order (itself firmed) it feeds. An order that serves
    several is left unlinked: pooled supply belongs to none of them."""
    run = current_run(session)
    if run is None or not firmed:
        return
    pegs = session.execute(
        select(Pegging.supply_ref, Pegging.demand_type, Pegging.demand_ref).where(
            Pegging.plan_run_id == run.id,
            Pegging.supply_type == "planned_order",
            Pegging.supply_ref.in_(list(firmed)),
        )
    ).all()
    serves: dict[str, set[tuple[str, str]]] = {}
    for supply, kind, demand in pegs:
        serves.setdefault(supply, set()).add((kind, demand))
    parents = {
        row.number: row.firmed_as
        for row in session.scalars(
            select(PlannedOrder).where(
                PlannedOrder.plan_run_id == run.id,
                PlannedOrder.number.in_(
                    [d for s in serves.values() for k, d in s if k == "planned_order"]
                ),
            )
        )
    }
    for number, mo in firmed.items():
        demands = serves.get(number, set())
        if len(demands) != 1:
            continue
        ((kind, ref),) = demands
        if kind == "sales_order":
            so_number, _, line = ref.rpartition("/")
            mo.sales_order_line_id = session.scalar(
                select(SalesOrderLine.id)
                .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
                .where(SalesOrder.number == so_number, SalesOrderLine.line == int(line))
            )
        else:
            parent = parents.get(ref) if kind == "planned_order" else ref
            if parent:
                mo.parent_id = session.scalar(
                    select(ProductionOrder.id).where(ProductionOrder.number == parent)
                )


def _components(session: Session, mo: ProductionOrder) -> list[ProductionComponent]:
    return list(
        session.scalars(
            select(ProductionComponent)
            .where(ProductionComponent.production_order_id == mo.id)
            .order_by(ProductionComponent.item_id)
            .execution_options(populate_existing=True)
        )
    )


def _outstanding(mo: ProductionOrder, c: ProductionComponent) -> float:
    return float(outstanding(c.qty_per, mo.qty, mo.completed_qty, mo.scrapped_qty, c.issued_qty))


def _reserved(session: Session, mo: ProductionOrder, item_id: int) -> float:
    return float(
        session.scalar(
            select(func.coalesce(func.sum(StockBalance.qty), 0.0)).where(
                StockBalance.item_id == item_id, StockBalance.reserved_mo_id == mo.id
            )
        )
        or 0.0
    )


@writes
def release_production(session: Session, number: str, *, author: str) -> list[ComponentStatus]:
    """Release to the shop floor: freeze the component list, reserve what is in stock,
    report what is short. The order is released even when short (the report says so)."""
    mo = get_production(session, number, lock=True)
    _require(mo, (P.PLANNED,), "release it")
    order = _locked_order(session, mo.sales_order_id)
    if order is not None and order.status not in PLANNABLE_ORDER_STATUSES:
        raise ConflictError(
            f"{order.number} is {order.status.value}: its production orders are not released",
            sales_order=order.number,
        )
    if not _components(session, mo):
        freeze_component_lists(session, order_ids=[mo.id])
    components = _components(session, mo)
    lock_items(session, (c.item_id for c in components))
    sources = [(mo.sales_order_id, None)] if mo.sales_order_id else []
    refs = _refs(mo, author)
    for c in components:
        need = _outstanding(mo, c) - _reserved(session, mo, c.item_id)
        if need > EPS:
            reserve_available(
                session,
                item_id=c.item_id,
                qty=need,
                target=Bucket(c.item_id, "", mo.sales_order_id, mo.id),
                sources=[*sources, (None, None)],
                refs=refs,
            )
    mo.status = P.RELEASED
    mo.released_at = utcnow()
    if order is not None and order.status is SalesOrderStatus.CONFIRMED:
        order.status = SalesOrderStatus.IN_PRODUCTION
        audit.record(
            session,
            author=author,
            entity="sales_order",
            ref=order.number,
            action="status",
            before={"status": "confirmed"},
            after={"status": order.status},
            note=f"{mo.number} released",
        )
    session.flush()
    report = component_status(session, mo)
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="release",
        before={"status": "planned"},
        after={"status": mo.status, "short": {c.item: c.short for c in report if c.short > EPS}},
    )
    return report


def _locked_order(session: Session, order_id: int | None) -> SalesOrder | None:
    """The sales order re-read under lock: a cancel running at the same time either
    lands first (and the release is refused) or waits for the release."""
    if order_id is None:
        return None
    stmt = select(SalesOrder).where(SalesOrder.id == order_id)
    if for_update(session):
        stmt = stmt.with_for_update(key_share=True)
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


def component_status(session: Session, mo: ProductionOrder) -> list[ComponentStatus]:
    """Each component of the order (its frozen list, else its BOM) with what is still to
    issue, reserved to it and available to it."""
    needs = order_needs(session, mo)
    codes = _codes(session, [n.item_id for n in needs])
    consumer = _consumer(mo)
    return [
        ComponentStatus(
            item=codes[n.item_id],
            qty_per=n.qty_per,
            required=n.qty_per * mo.qty,
            issued=n.issued,
            outstanding=n.outstanding,
            reserved=_reserved(session, mo, n.item_id),
            available=available_to(session, n.item_id, consumer),
        )
        for n in needs
    ]


def _codes(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(ids))).all())


def _issue(
    session: Session,
    mo: ProductionOrder,
    wanted: dict[int, float],
    location: str | None,
    author: str,
    reason: str = "",
) -> dict[str, float]:
    """Take ``{component: qty}`` for the order, all or nothing, naming every shortage."""
    consumer = _consumer(mo)
    codes = _codes(session, list(wanted))
    short = []
    for item_id, qty in sorted(wanted.items()):
        have = available_to(session, item_id, consumer, location)
        if have < qty - EPS:
            held = reserved_elsewhere(session, item_id, consumer, location)
            detail = "".join(f", {q:g} reserved for {who}" for who, q in held)
            short.append(f"{codes[item_id]} {qty:g} needed, {have:g} available{detail}")
    if short:
        raise InsufficientStockError(
            f"{mo.number}: not enough components: " + "; ".join(short),
            production_order=mo.number,
            short=short,
        )
    by_item = {c.item_id: c for c in _components(session, mo)}
    refs = _refs(mo, author, reason)
    for item_id, qty in sorted(wanted.items()):
        take(
            session,
            item_id=item_id,
            qty=qty,
            consumer=consumer,
            kind=StockMoveKind.ISSUE,
            refs=refs,
            location=location,
        )
        c = by_item[item_id]
        c.issued_qty = round(c.issued_qty + qty, 9)
    return {codes[i]: q for i, q in sorted(wanted.items())}


def _after_issue(session: Session, mo: ProductionOrder) -> None:
    mo.status = P.IN_PROGRESS if mo.status is P.RELEASED else mo.status
    mo.components_issued = all(_outstanding(mo, c) <= EPS for c in _components(session, mo))


@writes
def issue_components(
    session: Session,
    number: str,
    *,
    quantities: Mapping[str, float] | None = None,
    location: str | None = None,
    author: str,
) -> dict[str, float]:
    """Issue components to the order: ``{item: qty}``, or everything outstanding."""
    mo = get_production(session, number, lock=True)
    _require(mo, STARTED, "issue components")
    location = check_location(location) if location is not None else None
    components = _components(session, mo)
    by_code = {code: i for i, code in _codes(session, [c.item_id for c in components]).items()}
    if quantities is None:
        wanted = {c.item_id: _outstanding(mo, c) for c in components}
        wanted = {i: q for i, q in wanted.items() if q > EPS}
        if not wanted:
            raise ConflictError(
                f"{number} has nothing outstanding to issue", production_order=number
            )
    else:
        if not quantities:
            raise ValidationError("name at least one component to issue", field="quantities")
        wanted = {}
        for code, qty in quantities.items():
            if code not in by_code:
                raise ValidationError(
                    f"{code} is not a component of {number}", item=code, production_order=number
                )
            wanted[by_code[code]] = check_qty(qty, f"{code} qty")
    lock_items(session, wanted)
    issued = _issue(session, mo, wanted, location, author)
    _after_issue(session, mo)
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="issue",
        after={"issued": issued, "location": location},
    )
    return issued


def _backflush(
    session: Session, mo: ProductionOrder, location: str | None, author: str
) -> dict[str, float]:
    """Issue what the completed and scrapped units consumed beyond what was issued."""
    wanted = {}
    for c in _components(session, mo):
        need = unissued_use(c.qty_per, mo.completed_qty, mo.scrapped_qty, c.issued_qty)
        if need > EPS:
            wanted[c.item_id] = round(need, 9)
    return _issue(session, mo, wanted, location, author, reason="backflush") if wanted else {}


def _destination(session: Session, mo: ProductionOrder) -> Bucket:
    """Where finished units go: the released parent order, the sales order, or free stock."""
    if mo.parent_id is not None:
        parent = session.get(ProductionOrder, mo.parent_id)
        if parent is not None and parent.status in STARTED:
            return Bucket(mo.item_id, "", parent.sales_order_id, parent.id)
    if mo.sales_order_id is not None:
        order = session.get(SalesOrder, mo.sales_order_id)
        if order is not None and order.status in PLANNABLE_ORDER_STATUSES:
            return Bucket(mo.item_id, "", order.id)
    return Bucket(mo.item_id, "")


@writes
def complete_production(
    session: Session,
    number: str,
    qty: float,
    *,
    location: str = DEFAULT_LOCATION,
    backflush: bool = True,
    author: str,
) -> float:
    """Report ``qty`` finished units into stock. Returns the total completed."""
    mo = get_production(session, number, lock=True)
    _require(mo, STARTED, "report completion")
    qty = check_qty(qty)
    location = check_location(location)
    left = mo.qty - mo.completed_qty
    if qty > left + EPS:
        raise ValidationError(
            f"{number}: {mo.qty:g} ordered, {mo.completed_qty:g} completed; "
            f"at most {left:g} more can be completed, not {qty:g}",
            production_order=number,
            rule="over_completion",
        )
    components = _components(session, mo)
    lock_items(session, [mo.item_id, *(c.item_id for c in components)])
    mo.completed_qty = round(mo.completed_qty + qty, 9)
    flushed = _backflush(session, mo, None, author) if backflush else {}
    target = _destination(session, mo)
    post(
        session,
        Bucket(mo.item_id, location, target.sales_order_id, target.reserved_mo_id),
        qty,
        StockMoveKind.COMPLETION,
        _refs(mo, author),
        value=completion_value(session, mo, qty),
    )
    mo.status = P.DONE if mo.completed_qty >= mo.qty - EPS else P.IN_PROGRESS
    _after_issue(session, mo)
    if mo.status is P.DONE:
        _return_reservations(session, mo, author)
        pins.drop_when_closed(session, mo, author=author)
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="complete",
        after={
            "qty": qty,
            "completed": mo.completed_qty,
            "backflushed": flushed,
            "status": mo.status,
        },
    )
    return mo.completed_qty


@writes
def scrap_production(
    session: Session,
    number: str,
    qty: float,
    *,
    reason: str,
    backflush: bool = True,
    author: str,
) -> float:
    """Units lost in production: they consumed components and must be made again."""
    mo = get_production(session, number, lock=True)
    _require(mo, STARTED, "scrap")
    qty = check_qty(qty)
    reason = reason.strip()
    if not reason:
        raise ValidationError("scrap needs a reason", field="reason")
    left = mo.qty - mo.completed_qty
    if qty > left + EPS:
        raise ValidationError(
            f"{number}: only {left:g} {counted(left, 'unit')} {counted(left, 'is')} still in "
            f"production; cannot scrap {qty:g}",
            production_order=number,
        )
    lock_items(session, (c.item_id for c in _components(session, mo)))
    mo.scrapped_qty = round(mo.scrapped_qty + qty, 9)
    flushed = _backflush(session, mo, None, author) if backflush else {}
    mo.status = P.IN_PROGRESS
    _after_issue(session, mo)
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="scrap",
        after={"qty": qty, "scrapped": mo.scrapped_qty, "backflushed": flushed},
        note=reason,
    )
    return mo.scrapped_qty


def _return_reservations(session: Session, mo: ProductionOrder, author: str) -> None:
    """Components still reserved to a finished or closed order go back to its sales
    order (or free stock)."""
    release_all(
        session,
        item_ids=None,
        sales_order_id=mo.sales_order_id,
        reserved_mo_id=mo.id,
        to_sales_order_id=mo.sales_order_id,
        refs=_refs(mo, author, "order finished"),
    )


@writes
def close_production(session: Session, number: str, *, author: str) -> None:
    """Nothing more will be made on this order: done, or short-closed after a start."""
    mo = get_production(session, number, lock=True)
    _require(mo, (*STARTED, P.DONE), "close it")
    before = mo.status
    mo.status = P.CLOSED
    _return_reservations(session, mo, author)
    pins.drop_when_closed(session, mo, author=author)
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="close",
        before={"status": before},
        after={"status": mo.status, "completed": mo.completed_qty},
    )


@writes
def cancel_production(session: Session, number: str, *, author: str) -> None:
    """Drop an order nothing was done on yet; its reservations are given back."""
    mo = get_production(session, number, lock=True)
    if mo.status is P.IN_PROGRESS:
        raise ConflictError(
            f"{number} is in_progress: cannot cancel it; close it instead",
            production_order=number,
            status=mo.status.value,
        )
    _require(mo, (P.PLANNED, P.RELEASED), "cancel it")
    if any(c.issued_qty > 0 for c in _components(session, mo)):
        raise ConflictError(
            f"{number} has components issued; close it instead", production_order=number
        )
    before = mo.status
    mo.status = P.CANCELLED
    _return_reservations(session, mo, author)
    pins.drop_when_closed(session, mo, author=author)
    audit.record(
        session,
        author=author,
        entity="production_order",
        ref=number,
        action="cancel",
        before={"status": before},
        after={"status": mo.status},
    )


def production_view(session: Session, number: str) -> ProductionView:
    mo = get_production(session, number)
    item_code = _codes(session, [mo.item_id])[mo.item_id]
    so = session.get(SalesOrder, mo.sales_order_id) if mo.sales_order_id else None
    parent = session.get(ProductionOrder, mo.parent_id) if mo.parent_id else None
    components = sorted(component_status(session, mo), key=lambda c: c.item)
    return ProductionView(
        mo.number,
        item_code,
        mo.qty,
        mo.completed_qty,
        mo.scrapped_qty,
        mo.status.value,
        mo.start_date,
        mo.due_date,
        so.number if so else "",
        parent.number if parent else "",
        components,
    )


@dataclass(frozen=True)
class ProductionRow:
    number: str
    item: str
    qty: float
    completed: float
    status: str
    start_date: date | None
    due_date: date
    sales_order: str


def production_query(
    *,
    status: ProductionStatus | None = None,
    sales_order: str | None = None,
    item: str | None = None,
) -> Select[*tuple[Any, ...]]:
    """Production orders, filtered, in no order (for a caller that sorts and pages).
    Columns: ``id``, ``number``, ``item``, ``qty``, ``completed``, ``scrapped``, ``status``,
    ``start_date``, ``due_date``, ``sales_order`` and ``parent`` (None when there is none)."""
    parent = aliased(ProductionOrder)
    stmt = (
        select(
            ProductionOrder.id,
            ProductionOrder.number,
            Item.code.label("item"),
            ProductionOrder.qty,
            ProductionOrder.completed_qty.label("completed"),
            ProductionOrder.scrapped_qty.label("scrapped"),
            ProductionOrder.status,
            ProductionOrder.start_date,
            ProductionOrder.due_date,
            SalesOrder.number.label("sales_order"),
            parent.number.label("parent"),
        )
        .join(Item, Item.id == ProductionOrder.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == ProductionOrder.sales_order_id)
        .outerjoin(parent, parent.id == ProductionOrder.parent_id)
    )
    if status is not None:
        stmt = stmt.where(ProductionOrder.status == status)
    if sales_order:
        stmt = stmt.where(SalesOrder.number == sales_order)
    if item:
        stmt = stmt.where(Item.code == item)
    return stmt


PRODUCTION_SORT = (
    "number",
    "item",
    "qty",
    "completed",
    "scrapped",
    "status",
    "start_date",
    "due_date",
    "sales_order",
)
"""What a list of production orders can be sorted by (columns of ``production_query``)."""


def production_page(
    session: Session,
    *,
    status: ProductionStatus | None = None,
    sales_order: str | None = None,
    item: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``production_query``'s rows, sorted by ``sort`` (names of
    ``PRODUCTION_SORT``, ``-`` descending) then by due date and number, and the total."""
    stmt = production_query(status=status, sales_order=sales_order, item=item)
    return sorted_page(
        session,
        stmt,
        sort=sort,
        sorts=PRODUCTION_SORT,
        tie=["due_date", "number"],
        limit=limit,
        offset=offset,
    )


def list_productions(
    session: Session,
    *,
    status: str | None = None,
    sales_order: str | None = None,
    limit: int = 200,
) -> list[ProductionRow]:
    wanted = choice(ProductionStatus, status)
    stmt = (
        production_query(status=wanted, sales_order=sales_order)
        .order_by(ProductionOrder.due_date, ProductionOrder.number)
        .limit(limit)
    )
    return [
        ProductionRow(
            r.number,
            r.item,
            r.qty,
            r.completed,
            r.status.value,
            r.start_date,
            r.due_date,
            r.sales_order or "",
        )
        for r in session.execute(stmt)
    ]


def named_productions(session: Session, numbers: Sequence[str]) -> list[ProductionRow]:
    """The production orders named (what a firm just created, for the page that says
    so: each with its item, quantity, dates and sales order, to open it), in the order
    named; a number that is not an order (any more) is left out."""
    wanted = list(dict.fromkeys(numbers))
    found = (
        {
            r.number: ProductionRow(
                r.number,
                r.item,
                r.qty,
                r.completed,
                r.status.value,
                r.start_date,
                r.due_date,
                r.sales_order or "",
            )
            for r in session.execute(production_query().where(ProductionOrder.number.in_(wanted)))
        }
        if wanted
        else {}
    )
    return [found[n] for n in wanted if n in found]
