"""The current plan's rows, read in bulk for export and reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from pegboard.model import (
    Item,
    ItemType,
    Pegging,
    PlanException,
    PlanExceptionSalesOrder,
    PlanLine,
    PlannedOrder,
    PlanRun,
    PlanRunStatus,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
)
from pegboard.services.byte_order import ByteOrdered
from pegboard.services.paging import page_of, sort_clauses, sorted_page

PlannedRow = tuple[str, str, str, float, date, date, str]
PeggingRow = tuple[str, str, str, float, str]
ExceptionRow = tuple[str, str, str, date, str, str]
OrderDateRow = tuple[str, int, str, float, date, date, int]
Row = TypeVarTuple("Row")


def planned_order_rows(session: Session) -> list[PlannedRow]:
    stmt = (
        select(
            PlannedOrder.number,
            Item.code,
            PlannedOrder.type,
            PlannedOrder.qty,
            PlannedOrder.release_date,
            PlannedOrder.due_date,
            SalesOrder.number,
        )
        .join(Item, Item.id == PlannedOrder.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlannedOrder.sales_order_id)
        .order_by(PlannedOrder.number)
    )
    return [(n, i, str(t), q, r, d, so or "") for n, i, t, q, r, d, so in session.execute(stmt)]


def pegging_rows(session: Session) -> list[PeggingRow]:
    stmt = (
        select(Pegging.supply_ref, Pegging.supply_type, Item.code, Pegging.qty, Pegging.demand_ref)
        .join(Item, Item.id == Pegging.item_id)
        .order_by(Pegging.id)
    )
    return [(s, st, i, q, d) for s, st, i, q, d in session.execute(stmt)]


def order_date_rows(session: Session) -> list[OrderDateRow]:
    """``order_dates.csv``: each line in the plan with its projected date (rule 10)."""
    stmt = (
        select(
            SalesOrder.number,
            SalesOrderLine.line,
            Item.code,
            SalesOrderLine.qty - SalesOrderLine.shipped_qty,
            PlanLine.due_date,
            PlanLine.projected_date,
            PlanLine.late_days,
        )
        .join(SalesOrderLine, SalesOrderLine.id == PlanLine.sales_order_line_id)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .where(PlanLine.projected_date.is_not(None))
        .order_by(SalesOrder.number, SalesOrderLine.line)
    )
    rows = session.execute(stmt)
    return [(so, n, i, q, d, p, late) for so, n, i, q, d, p, late in rows if p is not None]


def _shortage_units(*, exact: bool) -> ColumnElement[int]:
    """A narrow shortage row's quantity in millionths, without its sign: as stored
    (``exact``), else rounded up to its item's ``decimals`` places (rule 7: a user is
    told to buy 3 pieces, not 2.2), in whole integers on both databases."""
    units = type_coerce(func.abs(PlanException.qty_millionths), BigInteger)
    if exact:
        return units
    step = type_coerce(
        case(
            *((Item.decimals == places, 10 ** (6 - places)) for places in range(6)),
            else_=1,  # 6 places or more: millionths are already the item's precision
        ),
        BigInteger,
    )
    return type_coerce((units + step - 1) // step * step, BigInteger)


def _shortage_message(*, exact: bool) -> ColumnElement[str]:
    """A narrow shortage row's message, "Q to make" / "Q to buy", from its quantity in
    millionths and its planned order's type, built the same way in SQL on both
    databases. ``exact``: the engine's text (``quantity`` of the quantity rounded to
    millionths), as the plan export writes it; else what a person is told to buy or
    make, rounded up to the item's decimals (``Item`` must be joined)."""
    units = _shortage_units(exact=exact)
    part = units % 1_000_000
    digits = func.substr(cast(part + 1_000_000, String), 2, type_=String)
    fraction = case((part == 0, ""), else_="." + func.rtrim(digits, "0", type_=String))
    sign = case((PlanException.qty_millionths < 0, "-"), else_="")
    whole = cast(units // 1_000_000, String)
    return sign + whole + fraction + " to " + cast(PlannedOrder.type, String)


# a shortage row stores its planned order and quantity: its order, date and message
# come from the planned order (rows stored before migration 0012 carry them)
EXCEPTION_ORDER = func.coalesce(PlanException.order_ref, PlannedOrder.number)
EXCEPTION_DATE = func.coalesce(PlanException.date, PlannedOrder.release_date)
EXCEPTION_MESSAGE = func.coalesce(PlanException.message, _shortage_message(exact=False))
"""The message as reports, pages and the API show it (shortages to the item's decimals)."""
EXACT_EXCEPTION_MESSAGE = func.coalesce(PlanException.message, _shortage_message(exact=True))
"""The message as the plan export writes it (``exceptions.csv``: the engine's text)."""


def exception_query(
    kinds: tuple[str, ...] | None = None,
    sales_order: str | None = None,
    *,
    exact: bool = False,
) -> Select[str, str, str, date, str | None, str]:
    """Exceptions in their stored (report) order, as the export (``exact``) and the
    reports read them."""
    stmt = (
        select(
            PlanException.kind,
            Item.code,
            EXCEPTION_ORDER,
            EXCEPTION_DATE,
            SalesOrder.number,
            EXACT_EXCEPTION_MESSAGE if exact else EXCEPTION_MESSAGE,
        )
        .join(Item, Item.id == PlanException.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlanException.sales_order_id)
        .outerjoin(PlannedOrder, PlannedOrder.id == PlanException.planned_order_id)
        .order_by(PlanException.id)
    )
    if kinds is not None:
        stmt = stmt.where(PlanException.kind.in_(kinds))
    if sales_order is not None:
        stmt = of_sales_order(stmt, sales_order)
    return stmt


class _PackedIds(FunctionElement[Any]):
    """The ids of a JSON array of integers as a table of one column ``value``: SQLite's
    ``json_each``, PostgreSQL's ``json_array_elements_text`` (its column is ``value``
    too). Only ever applied to a column we wrote, never to a user's text."""

    name = "packed_ids"
    inherit_cache = True


@compiles(_PackedIds, "sqlite")
def _packed_ids_sqlite(element: _PackedIds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(_PackedIds, "postgresql")
def _packed_ids_postgresql(element: _PackedIds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array_elements_text(CAST({compiler.process(element.clauses, **kw)} AS json))"


def of_sales_order(stmt: Select[*Row], sales_order: str) -> Select[*Row]:
    """``stmt`` (over ``PlanException``) kept to the exceptions naming ``sales_order``:
    its row of ``PlanExceptionSalesOrder`` (by its key), its packed ids unpacked, then
    each exception by its id; ``plan_exception`` has no index on the sales order (#18)."""
    side = PlanExceptionSalesOrder
    order_id = select(SalesOrder.id).where(SalesOrder.number == sales_order).scalar_subquery()
    packed = _PackedIds(side.exception_ids).table_valued("value").alias("packed")
    named = (
        select(cast(packed.c.value, Integer).label("id"))
        .select_from(side)
        .join(packed, true())
        .where(side.sales_order_id == order_id)
        .subquery("named")
    )
    return stmt.join(named, named.c.id == PlanException.id)


def exception_rows(session: Session) -> list[ExceptionRow]:
    """``exceptions.csv`` of the plan export: the engine's messages, exact."""
    stmt = exception_query(exact=True)
    return [(k, i, o, d, so or "", m) for k, i, o, d, so, m in session.execute(stmt)]


# --- filtered, sortable queries of the current plan (the API pages them) -------------------

PLANNED_ORDER_SORT: dict[str, Any] = {
    "number": PlannedOrder.number,
    "item": Item.code,
    "type": PlannedOrder.type,
    "qty": PlannedOrder.qty,
    "release_date": PlannedOrder.release_date,
    "due_date": PlannedOrder.due_date,
    "earliest_completion": PlannedOrder.earliest_completion,
    "sales_order": SalesOrder.number,
    "supplier": Item.supplier,
}
PLANNED_ORDER_DEFAULT_ORDER = (PlannedOrder.release_date, PlannedOrder.number, PlannedOrder.id)


def planned_order_query(
    *,
    kind: ItemType | None = None,
    item: str | None = None,
    sales_order: str | None = None,
    until: date | None = None,
    late: bool | None = None,
    firmed: bool | None = None,
    since: date | None = None,
) -> Select[*tuple[Any, ...]]:
    """Planned orders with their item, unordered: ``since`` and ``until`` are the first
    and last release dates, ``firmed`` whether they became a real order already."""
    stmt = (
        select(
            PlannedOrder.number,
            Item.code,
            Item.description,
            PlannedOrder.type,
            PlannedOrder.qty,
            Item.uom,
            Item.supplier,
            PlannedOrder.release_date,
            PlannedOrder.due_date,
            PlannedOrder.earliest_completion,
            PlannedOrder.is_late,
            SalesOrder.number,
            PlannedOrder.firmed_as,
        )
        .join(Item, Item.id == PlannedOrder.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PlannedOrder.sales_order_id)
    )
    if kind is not None:
        stmt = stmt.where(PlannedOrder.type == kind)
    if item is not None:
        stmt = stmt.where(Item.code == item)
    if sales_order is not None:
        stmt = stmt.where(SalesOrder.number == sales_order)
    if until is not None:
        stmt = stmt.where(PlannedOrder.release_date <= until)
    if since is not None:
        stmt = stmt.where(PlannedOrder.release_date >= since)
    if late is not None:
        stmt = stmt.where(PlannedOrder.is_late.is_(late))
    if firmed is not None:
        has = PlannedOrder.firmed_as.is_not(None)
        stmt = stmt.where(has if firmed else PlannedOrder.firmed_as.is_(None))
    return stmt


PEGGING_SORT: dict[str, Any] = {
    # in the order of their indexes (``byte_order``): a page of millions of rows sorted
    # by a ref reads the index instead of sorting them all
    "supply": ByteOrdered(Pegging.supply_ref),
    "supply_type": Pegging.supply_type,
    "demand": ByteOrdered(Pegging.demand_ref),
    "demand_type": Pegging.demand_type,
    "item": Item.code,
    "qty": Pegging.qty,
}
PEGGING_DEFAULT_ORDER = (Pegging.id,)


def pegging_query(
    *,
    sales_order_lines: list[str] | None = None,
    supply: str | None = None,
    demand: str | None = None,
    item: str | None = None,
) -> Select[*tuple[Any, ...]]:
    """Pegging rows, unordered. ``sales_order_lines`` (``SO/line`` refs, see
    ``sales_order_lines``) keeps the rows whose demand is one of them: a sales order's
    own rows (its whole supply tree is ``reports.sales_order_pegging``)."""
    stmt = select(
        Pegging.supply_type,
        Pegging.supply_ref,
        Item.code,
        Pegging.qty,
        Pegging.demand_type,
        Pegging.demand_ref,
    ).join(Item, Item.id == Pegging.item_id)
    if sales_order_lines is not None:
        stmt = stmt.where(
            Pegging.demand_type == "sales_order", Pegging.demand_ref.in_(sales_order_lines)
        )
    if supply is not None:
        stmt = stmt.where(Pegging.supply_ref == supply)
    if demand is not None:
        stmt = stmt.where(Pegging.demand_ref == demand)
    if item is not None:
        stmt = stmt.where(Item.code == item)
    return stmt


EXCEPTION_SORT: dict[str, Any] = {
    "kind": PlanException.kind,
    "item": Item.code,
    "order": EXCEPTION_ORDER,
    "date": EXCEPTION_DATE,
    "sales_order": SalesOrder.number,
}
EXCEPTION_DEFAULT_ORDER = (PlanException.id,)


def exception_filter_query(
    *, kind: str | None = None, item: str | None = None, sales_order: str | None = None
) -> Select[*tuple[Any, ...]]:
    """Exceptions, unordered (``EXCEPTION_DEFAULT_ORDER`` is the report order)."""
    stmt = exception_query(None if kind is None else (kind,), sales_order).order_by(None)
    if item is not None:
        stmt = stmt.where(Item.code == item)
    return stmt


def exception_counts(session: Session) -> dict[str, int]:
    """How many exceptions of each kind the current plan has."""
    stmt = select(PlanException.kind, func.count()).group_by(PlanException.kind)
    return {kind: int(n) for kind, n in session.execute(stmt)}


# --- counts of a plan run, counted once ----------------------------------------------------
# A run's rows never change once it is done (firming only fills ``firmed_as``), so what is
# counted over them is kept in process, keyed by the database and the run.

_RUN_COUNTS: dict[tuple[str, int, str, str], Any] = {}
_RUN_COUNTS_LIMIT = 512


def _run_key(session: Session, run: PlanRun, what: str) -> tuple[str, int, str, str]:
    return (str(session.get_bind().engine.url), run.id, run.started_at.isoformat(), what)


def _cached(session: Session, run: PlanRun, what: str, count: Callable[[], Any]) -> Any:
    key = _run_key(session, run, what)
    if key in _RUN_COUNTS:
        return _RUN_COUNTS[key]
    value = count()
    if len(_RUN_COUNTS) >= _RUN_COUNTS_LIMIT:
        _RUN_COUNTS.clear()
    _RUN_COUNTS[key] = value
    return value


def _stored(run: PlanRun, what: str) -> Any:
    """What the run counted when it was stored (``None`` for runs stored before)."""
    return (run.counts or {}).get(what)


def run_exception_counts(session: Session, run: PlanRun) -> dict[str, int]:
    """``exception_counts`` of ``run`` (the current one), as stored with it."""
    stored = _stored(run, "exceptions")
    if stored is not None:
        return {str(kind): int(n) for kind, n in stored.items()}
    counts: dict[str, int] = _cached(session, run, "exceptions", lambda: exception_counts(session))
    return dict(counts)


def run_count_late(session: Session, run: PlanRun) -> int:
    """Sales-order lines of ``run`` projected late, as stored with it."""
    stored = _stored(run, "late")
    if stored is not None:
        return int(stored)

    def count() -> int:
        stmt = select(func.count()).select_from(PlanLine).where(PlanLine.late_days > 0)
        return int(session.scalar(stmt) or 0)

    return int(_cached(session, run, "late", count))


def run_count_planned(
    session: Session, run: PlanRun, kind: str, *, until: date | None = None
) -> int:
    """Planned orders of ``kind`` of ``run`` still to release by ``until``, from the counts
    per release day stored with the run (firming takes its orders out of them)."""
    stored = _stored(run, "release")
    if stored is not None:
        days: dict[str, int] = stored.get(kind, {})
        last = until.isoformat() if until is not None else None
        return sum(int(n) for day, n in days.items() if last is None or day <= last)

    # a run stored before the counts: counted from its rows, not kept (firming changes it)
    stmt = (
        select(func.count())
        .select_from(PlannedOrder)
        .where(PlannedOrder.type == kind, PlannedOrder.firmed_as.is_(None))
    )
    if until is not None:
        stmt = stmt.where(PlannedOrder.release_date <= until)
    return int(session.scalar(stmt) or 0)


def _type_count(session: Session, run: PlanRun, kind: str) -> int:
    """Planned orders of ``kind`` in ``run``, firmed or not: a run's types never change,
    so they are counted once (a run stores only the counts still to release)."""

    def count() -> int:
        stmt = select(func.count()).select_from(PlannedOrder).where(PlannedOrder.type == kind)
        return int(session.scalar(stmt) or 0)

    return int(_cached(session, run, f"type:{kind}", count))


def planned_total(
    session: Session,
    run: PlanRun | None,
    kind: ItemType | None,
    *,
    until: date | None = None,
    firmed: bool | None = None,
    since: date | None = None,
) -> int | None:
    """How many planned orders of ``run`` (the current one) are of ``kind`` (``None``:
    any), released from ``since`` to ``until`` and ``firmed`` or not (``None``: either),
    from what the run stored: still to release, its release counts (firming keeps them);
    in all, its size. ``None`` when the rows must be counted (a run stored before the
    counts, or firmed ones by a day: firming does not record the day)."""
    if run is None:
        return None
    if since is not None and until is not None and since > until:
        return 0  # no day is in both
    kinds = (kind.value,) if kind is not None else tuple(t.value for t in ItemType)
    stored = _stored(run, "release") is not None
    if firmed is False and stored:
        before = since - timedelta(days=1) if since is not None else None
        return sum(
            run_count_planned(session, run, k, until=until)
            - (run_count_planned(session, run, k, until=before) if before is not None else 0)
            for k in kinds
        )
    if firmed is False or until is not None or since is not None:
        return None
    every = run.planned_orders if kind is None else _type_count(session, run, kind.value)
    if firmed is None:
        return every
    return every - sum(run_count_planned(session, run, k) for k in kinds) if stored else None


def exception_page_start(session: Session, kind: str | None, offset: int) -> int | None:
    """The id of the ``offset``-th exception (of ``kind``) in report order, ``None`` when
    there are not that many: the page starts there (``id >=``), so a deep page need not
    join the rows it skips."""
    stmt = select(PlanException.id).order_by(PlanException.id).limit(1).offset(offset)
    if kind is not None:
        stmt = stmt.where(PlanException.kind == kind)
    found = session.scalar(stmt)
    return None if found is None else int(found)


# --- pages of a list screen -----------------------------------------------------------------


def planned_order_page(
    session: Session,
    *,
    kind: ItemType | None = None,
    item: str | None = None,
    sales_order: str | None = None,
    until: date | None = None,
    late: bool | None = None,
    firmed: bool | None = None,
    sort: str | None = None,
    limit: int,
    offset: int = 0,
    since: date | None = None,
) -> tuple[list[Any], int]:
    """A page of ``planned_order_query``'s rows sorted by ``sort`` (names of
    ``PLANNED_ORDER_SORT``, ``-`` descending) then in report order (by release date),
    and how many there are in all.

    Filtered by type, release day and firmed state alone (the list as it opens), the
    total is what the run stored (``planned_total``), not a count over a join of every
    planned order (a quarter of a second at 1.6 M rows); the report order's first rows
    are read along ``ix_planned_order_release`` without sorting them all."""
    stmt = planned_order_query(
        kind=kind,
        item=item,
        sales_order=sales_order,
        until=until,
        late=late,
        firmed=firmed,
        since=since,
    )
    total = None
    if item is None and sales_order is None and late is None:
        run = current_run(session)
        total = planned_total(session, run, kind, until=until, firmed=firmed, since=since)
    if total is None:
        return sorted_page(
            session,
            stmt,
            sort=sort,
            sorts=PLANNED_ORDER_SORT,
            tie=PLANNED_ORDER_DEFAULT_ORDER,
            limit=limit,
            offset=offset,
        )
    ordered = stmt.order_by(
        *sort_clauses(stmt, sort, PLANNED_ORDER_SORT), *PLANNED_ORDER_DEFAULT_ORDER
    )
    if offset >= total:
        return [], total
    return list(session.execute(ordered.limit(limit).offset(offset)).all()), total


def sales_order_lines(session: Session, sales_order: str) -> list[str]:
    """The plan's refs (``SO/line``) of a sales order's lines, from the plan's 75 k lines:
    the pegging is then read through ``ix_pegging_demand``. A prefix match on the
    pegging itself read all its millions of rows on both databases (SQLite's LIKE with
    an escape, PostgreSQL's under a collation other than "C")."""
    return list(
        session.scalars(
            select(PlanLine.demand_ref).where(
                PlanLine.demand_ref.startswith(f"{sales_order}/", autoescape=True)
            )
        )
    )


def pegging_page(
    session: Session,
    *,
    sales_order: str | None = None,
    supply: str | None = None,
    demand: str | None = None,
    item: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of ``pegging_query``'s rows sorted by ``sort`` (names of ``PEGGING_SORT``)
    then in the plan's order, and how many there are in all."""
    lines = None if sales_order is None else sales_order_lines(session, sales_order)
    stmt = pegging_query(sales_order_lines=lines, supply=supply, demand=demand, item=item)
    return sorted_page(
        session,
        stmt,
        sort=sort,
        sorts=PEGGING_SORT,
        tie=PEGGING_DEFAULT_ORDER,
        limit=limit,
        offset=offset,
    )


def sorted_exception_page(
    session: Session,
    *,
    kind: str | None = None,
    item: str | None = None,
    sales_order: str | None = None,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of the current plan's exceptions ``(kind, item, order, date, sales_order,
    message)`` sorted by ``sort`` (names of ``EXCEPTION_SORT``) then in report order, and
    how many there are in all (``exception_page`` is the report's quicker walk)."""
    stmt = exception_filter_query(kind=kind, item=item, sales_order=sales_order)
    return sorted_page(
        session,
        stmt,
        sort=sort,
        sorts=EXCEPTION_SORT,
        tie=EXCEPTION_DEFAULT_ORDER,
        limit=limit,
        offset=offset,
    )


def exception_page(
    session: Session,
    run: PlanRun,
    *,
    kind: str | None = None,
    item: str | None = None,
    sales_order: str | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[Any], int]:
    """A page of the exceptions of ``run`` (the current one) in report order, each
    ``(kind, item, order, date, sales_order, message, item_type)``, and how many there
    are in all. Unfiltered (but for the kind), the total is the run's count, counted
    once, and the page starts at the id of its first row (no long offset over the join)."""
    stmt = (
        exception_filter_query(kind=kind, item=item, sales_order=sales_order)
        .add_columns(Item.type)
        .order_by(*EXCEPTION_DEFAULT_ORDER)
    )
    if item is not None or sales_order is not None:
        return page_of(session, stmt, limit, offset)
    counts = run_exception_counts(session, run)
    total = counts.get(kind, 0) if kind is not None else sum(counts.values())
    first = exception_page_start(session, kind, offset) if offset < total else None
    if first is None:
        return [], total
    rows = session.execute(stmt.where(PlanException.id >= first).limit(limit)).all()
    return list(rows), total


def item_supply_refs(session: Session, item_id: int, run_id: int) -> list[str]:
    """Every supply ref the plan can have pegged the item's rows to: its planned
    orders, purchase lines and production orders, and the locations of its stock.

    With the item they find all its pegging rows through ``ix_pegging_supply``
    (supply ref, item): there is no index on the item alone, which would cost
    every plan run a third index over millions of rows."""
    planned = select(PlannedOrder.number).where(
        PlannedOrder.plan_run_id == run_id, PlannedOrder.item_id == item_id
    )
    lines = (
        select(PurchaseOrder.number + "/" + cast(PurchaseOrderLine.line, String))
        .select_from(PurchaseOrderLine)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrderLine.item_id == item_id)
    )
    from pegboard.model import StockBalance  # declared here only: the late report never needs it

    made = select(ProductionOrder.number).where(ProductionOrder.item_id == item_id)
    places = select(StockBalance.location).where(StockBalance.item_id == item_id).distinct()
    return [str(r) for stmt in (planned, lines, made, places) for r in session.scalars(stmt)]


def plan_runs(session: Session, *, limit: int, offset: int) -> tuple[list[PlanRun], int]:
    """Every recorded plan run, newest first (one page of them), and how many there are."""
    rows, total = page_of(session, select(PlanRun).order_by(PlanRun.id.desc()), limit, offset)
    return [row[0] for row in rows], total


def current_run(session: Session) -> PlanRun | None:
    """The newest finished plan run, whose rows are the current plan (here, not in
    ``planning``, so that a report loads neither the engine nor numpy)."""
    stmt = (
        select(PlanRun)
        .where(PlanRun.status == PlanRunStatus.DONE)
        .order_by(PlanRun.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
