"""What changes from one company's plan to another's: the answer to "what if…".

Two companies (the live one and a scenario, or two scenarios) are read side by side,
each from its own database, never written: their current plans (order lines'
projected dates, planned purchases and production), the load their production orders
put on the work centers, and the estimated and actual cost of their open sales orders.
A comparison keeps only what differs, so one due date moved gives exactly the lines it
moved; what could not be compared like with like is said in ``notes`` (one plan
scheduled at finite capacity and the other not, too many orders to cost).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Float, String, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from pegboard import clock, db
from pegboard.errors import ConflictError, PegboardError
from pegboard.model import Item, PlanLine, PlannedOrder, SalesOrder, SalesOrderStatus, WorkCenter
from pegboard.services import load as load_service
from pegboard.services import money, variance
from pegboard.services.plan_age import plan_age
from pegboard.services.plan_results import current_run
from pegboard.services.scenarios import LIVE, require, url_of
from pegboard.services.schedule import current_schedule
from pegboard.services.wording import plural

MAX_COSTED_ORDERS = 100
"""Open sales orders costed per side at most: an order's estimate takes a fraction of a
second, so a company with thousands of them is compared without cost (said in the notes)."""
EPS = 1e-9
OPEN_ORDERS = (SalesOrderStatus.DRAFT, SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)


@dataclass(frozen=True)
class LineChange:
    demand: str
    """The order line (SO-1042/1)."""
    due: date
    before: date | None
    """Projected date in A (None: not in A's plan, or beyond its horizon)."""
    after: date | None
    late_before: int
    late_after: int

    @property
    def moved_days(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return (self.after - self.before).days

    @property
    def order(self) -> str:
        return self.demand.rsplit("/", 1)[0]


@dataclass(frozen=True)
class SupplyChange:
    item: str
    type: str
    """buy or make"""
    week: str
    """ISO week of the due date, with its year (2027-W03)."""
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def kind(self) -> str:
        """added (none in A), removed (none in B) or changed."""
        if self.before <= EPS:
            return "added"
        if self.after <= EPS:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class WeekLoad:
    """One work center's hours in one ISO week on both sides (None: no load that week)."""

    work_center: str
    week: str
    required_before: float
    required_after: float
    available_before: float | None
    available_after: float | None

    @property
    def over_before(self) -> bool:
        return _over(self.required_before, self.available_before)

    @property
    def over_after(self) -> bool:
        return _over(self.required_after, self.available_after)


def _over(required: float, available: float | None) -> bool:
    return available is not None and required > available + 1e-6


@dataclass(frozen=True)
class LoadChange:
    """A work center whose load or hours differ: totals over the weeks loaded on either
    side, overloaded weeks, and the weeks that differ."""

    work_center: str
    required_before: float
    required_after: float
    available_before: float
    available_after: float
    overloaded_before: int
    overloaded_after: int
    weeks: tuple[WeekLoad, ...]


@dataclass(frozen=True)
class CostChange:
    """An open sales order whose estimated or actual cost differs (None: not on that side)."""

    order: str
    estimated_before: Decimal | None
    estimated_after: Decimal | None
    actual_before: Decimal | None
    actual_after: Decimal | None

    @property
    def estimated_change(self) -> Decimal:
        return (self.estimated_after or Decimal(0)) - (self.estimated_before or Decimal(0))

    @property
    def actual_change(self) -> Decimal:
        return (self.actual_after or Decimal(0)) - (self.actual_before or Decimal(0))


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    moved: list[LineChange]
    """Lines in both plans whose projected date changed, most delayed first."""
    newly_late: list[LineChange]
    no_longer_late: list[LineChange]
    added: list[LineChange]
    """Lines only in B (a new order, say)."""
    removed: list[LineChange]
    """Lines only in A (cancelled or shipped in B)."""
    supply: list[SupplyChange]
    """Planned purchases and production per item, type and week that differ."""
    load: list[LoadChange] = field(default_factory=list)
    """Work centers whose load or hours differ (empty without work centers)."""
    costs: list[CostChange] = field(default_factory=list)
    currency: str = ""
    capacity: bool = False
    """Either side has work centers."""
    loaded: bool = False
    """The load per work center was compared (work centers exist and it was asked for:
    it is the slow part of a comparison at full size, a schedule of each side)."""
    costed: bool = False
    """The open orders' costs were compared (not too many of them)."""
    notes: list[str] = field(default_factory=list)

    @property
    def later(self) -> list[LineChange]:
        return [c for c in self.moved if (c.moved_days or 0) > 0]

    @property
    def earlier(self) -> list[LineChange]:
        return [c for c in self.moved if (c.moved_days or 0) < 0]

    @property
    def unchanged(self) -> bool:
        return not (
            self.moved or self.added or self.removed or self.supply or self.load or self.costs
        )


@dataclass(frozen=True)
class _Costs:
    estimated: Decimal
    actual: Decimal


@dataclass
class _Side:
    name: str
    lines: dict[str, tuple[date, date | None, int]]
    supply: dict[tuple[str, str, str], float]
    finite: bool
    centers: bool
    """The company has work centers."""
    weeks: dict[tuple[str, str], tuple[float, float]] | None
    """(work center, week) → (required, available); None: no work centers, or the load
    not asked for."""
    costs: dict[str, _Costs] | None
    """Open order → its costs; None: too many open orders to cost."""
    open_orders: int
    currency: str
    notes: list[str]


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _lines(session: Session, run_id: int) -> dict[str, tuple[date, date | None, int]]:
    rows = session.execute(
        select(
            PlanLine.demand_ref, PlanLine.due_date, PlanLine.projected_date, PlanLine.late_days
        ).where(PlanLine.plan_run_id == run_id)
    )
    return {ref: (due, projected, late) for ref, due, projected, late in rows}


def _supply(session: Session, run_id: int) -> dict[tuple[str, str, str], float]:
    """Planned quantity per (item, type, ISO week), summed in the database per due date.
    A full-size plan has hundreds of thousands of rows a side: dates come back as ISO text
    and sums as floats (no per-row date or Decimal objects), each date's week is worked
    out once, and item codes are read once instead of joined into every row."""
    planned_items = (
        select(PlannedOrder.item_id).where(PlannedOrder.plan_run_id == run_id).distinct()
    )
    codes: dict[int, str] = dict(
        session.execute(
            select(Item.id, Item.code).where(Item.id.in_(planned_items.scalar_subquery()))
        ).all()
    )
    rows = session.connection().execute(  # Core: no ORM row objects
        select(
            PlannedOrder.item_id,
            type_coerce(PlannedOrder.type, String),  # its value, as stored
            cast(PlannedOrder.due_date, String),
            cast(func.sum(PlannedOrder.qty), Float),
        )
        .where(PlannedOrder.plan_run_id == run_id)
        .group_by(PlannedOrder.item_id, PlannedOrder.type, PlannedOrder.due_date)
    )
    weeks: dict[str, str] = {}
    supply: dict[tuple[str, str, str], float] = {}
    for item_id, kind, due, qty in rows:
        week = weeks.get(due)
        if week is None:
            week = weeks[due] = _iso_week(date.fromisoformat(due[:10]))
        key = (codes[item_id], kind, week)
        supply[key] = supply.get(key, 0.0) + qty
    return supply


def _has_centers(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(WorkCenter)))


def _weeks(session: Session) -> dict[tuple[str, str], tuple[float, float]]:
    report = load_service.capacity_load(session)
    return {(p.work_center, p.label): (p.required, p.available) for p in report.weeks}


def _costs(session: Session, notes: list[str]) -> tuple[dict[str, _Costs] | None, int]:
    numbers = session.scalars(
        select(SalesOrder.number)
        .where(SalesOrder.status.in_(OPEN_ORDERS))
        .order_by(SalesOrder.number)
    ).all()
    if len(numbers) > MAX_COSTED_ORDERS:
        return None, len(numbers)
    out: dict[str, _Costs] = {}
    for number in numbers:
        try:
            found = variance.order_variance(session, number)
        except PegboardError as e:  # one order that cannot be costed does not hide the rest
            notes.append(f"{number} cannot be costed: {e}")
            continue
        out[number] = _Costs(found.estimated.total, found.actual.total)
    return out, len(numbers)


def _read_side(name: str, *, costs: bool, loads: bool, live: str | None) -> _Side:
    engine = db.make_engine(url_of(name, live=live))
    notes: list[str] = []
    try:
        with db.session_scope(engine) as session:
            run = current_run(session)
            if run is None:
                where = "" if name == LIVE else f"--scenario {name} "
                raise ConflictError(
                    f"{name} has no plan yet: run `pegboard {where}plan` first", scenario=name
                )
            _out_of_date(session, name, notes)
            order_costs, open_orders = _costs(session, notes) if costs else (None, 0)
            centers = _has_centers(session)
            return _Side(
                name=name,
                lines=_lines(session, run.id),
                supply=_supply(session, run.id),
                finite=current_schedule(session) is not None,
                centers=centers,
                weeks=_weeks(session) if centers and loads else None,
                costs=order_costs,
                open_orders=open_orders,
                currency=money.currency(session),
                notes=notes,
            )
    finally:
        engine.dispose()


def _out_of_date(session: Session, name: str, notes: list[str]) -> None:
    """Say so when a side's plan is older than changes made to that company since it
    ran: its dates and late lines are then the old plan's, and a difference between the
    two sides may be only that one was not planned again (``services.plan_age``)."""
    age = plan_age(session, clock.today())
    if age.changes <= 0:
        return
    where = "" if name == LIVE else f"--scenario {name} "
    last = f", last: {age.last_change}" if age.last_change else ""
    notes.append(
        f"{name}'s plan is older than its changes ({plural(age.changes, 'change')} since "
        f"it ran{last}), so its dates are the old plan's: plan it again "
        f"(`pegboard {where}plan`) to compare like with like"
    )


def _line_changes(
    before: _Side, after: _Side
) -> tuple[
    list[LineChange], list[LineChange], list[LineChange], list[LineChange], list[LineChange]
]:
    moved: list[LineChange] = []
    newly_late: list[LineChange] = []
    no_longer_late: list[LineChange] = []
    added: list[LineChange] = []
    removed: list[LineChange] = []
    for ref in sorted(set(before.lines) | set(after.lines)):
        due_a, proj_a, late_a = before.lines.get(ref, (None, None, 0))
        due_b, proj_b, late_b = after.lines.get(ref, (None, None, 0))
        change = LineChange(ref, due_b or due_a or date.min, proj_a, proj_b, late_a, late_b)
        if ref not in before.lines:
            added.append(change)
        elif ref not in after.lines:
            removed.append(change)
        else:
            if proj_a != proj_b:
                moved.append(change)
            if late_a <= 0 < late_b:
                newly_late.append(change)
            elif late_a > 0 >= late_b:
                no_longer_late.append(change)
    moved.sort(key=lambda c: (-(c.moved_days or 0), c.demand))
    return moved, newly_late, no_longer_late, added, removed


def _supply_changes(before: _Side, after: _Side) -> list[SupplyChange]:
    a, b = before.supply, after.supply
    changed = [k for k in a.keys() | b.keys() if abs(a.get(k, 0.0) - b.get(k, 0.0)) > EPS]
    return [SupplyChange(*k, before=a.get(k, 0.0), after=b.get(k, 0.0)) for k in sorted(changed)]


def _load_changes(before: _Side, after: _Side) -> list[LoadChange]:
    a, b = before.weeks or {}, after.weeks or {}
    by_center: dict[str, list[WeekLoad]] = {}
    for wc, week in sorted(set(a) | set(b)):
        req_a, avail_a = a.get((wc, week), (0.0, None))
        req_b, avail_b = b.get((wc, week), (0.0, None))
        by_center.setdefault(wc, []).append(WeekLoad(wc, week, req_a, req_b, avail_a, avail_b))
    out = []
    for wc, weeks in by_center.items():
        changed = tuple(w for w in weeks if _differs(w))
        if not changed:
            continue
        out.append(
            LoadChange(
                work_center=wc,
                required_before=sum(w.required_before for w in weeks),
                required_after=sum(w.required_after for w in weeks),
                available_before=sum(w.available_before or 0.0 for w in weeks),
                available_after=sum(w.available_after or 0.0 for w in weeks),
                overloaded_before=sum(1 for w in weeks if w.over_before),
                overloaded_after=sum(1 for w in weeks if w.over_after),
                weeks=changed,
            )
        )
    return out


def _differs(w: WeekLoad) -> bool:
    if abs(w.required_before - w.required_after) > 1e-6:
        return True
    if w.available_before is None or w.available_after is None:
        return False  # loaded on one side only: its required hours differ already
    return abs(w.available_before - w.available_after) > 1e-6


def _cost_changes(before: _Side, after: _Side) -> list[CostChange]:
    a, b = before.costs or {}, after.costs or {}
    out = []
    for number in sorted(set(a) | set(b)):
        ca, cb = a.get(number), b.get(number)
        if ca is not None and cb is not None and ca == cb:
            continue
        out.append(
            CostChange(
                number,
                ca.estimated if ca else None,
                cb.estimated if cb else None,
                ca.actual if ca else None,
                cb.actual if cb else None,
            )
        )
    out.sort(key=lambda c: (-abs(c.estimated_change), c.order))
    return out


def _notes(before: _Side, after: _Side, costs: bool) -> list[str]:
    notes = [*before.notes, *after.notes]
    if before.finite != after.finite:
        finite, plain = (before, after) if before.finite else (after, before)
        where = "" if plain.name == LIVE else f"--scenario {plain.name} "
        notes.append(
            f"{finite.name}'s dates come from a finite schedule and {plain.name}'s do not, "
            "so capacity alone moves dates between them: plan both the same way "
            f"(`pegboard {where}plan --finite`)"
        )
    if costs and (before.costs is None or after.costs is None):
        count = max(before.open_orders, after.open_orders)
        notes.append(
            f"cost not compared: {count} open orders, more than the {MAX_COSTED_ORDERS} "
            "a comparison costs (`pegboard cost order SO-…` on each side)"
        )
    return notes


def compare(
    a: str, b: str, *, costs: bool = True, loads: bool = True, live: str | None = None
) -> Comparison:
    """What changes from A's plan to B's (``live`` as a name is the live company):
    order lines, planned supply and, unless turned off, the load per work center
    (``loads``) and the cost of the open orders (``costs``), the two slow parts;
    ``live`` is the live company's URL (default: configured)."""
    for name in (a, b):
        require(name, live=live)
    before = _read_side(a, costs=costs, loads=loads, live=live)
    after = _read_side(b, costs=costs, loads=loads, live=live)
    moved, newly_late, no_longer_late, added, removed = _line_changes(before, after)
    costed = costs and before.costs is not None and after.costs is not None
    return Comparison(
        a=a,
        b=b,
        moved=moved,
        newly_late=newly_late,
        no_longer_late=no_longer_late,
        added=added,
        removed=removed,
        supply=_supply_changes(before, after),
        load=_load_changes(before, after),
        costs=_cost_changes(before, after) if costed else [],
        currency=after.currency,
        capacity=before.centers or after.centers,
        loaded=before.weeks is not None or after.weeks is not None,
        costed=costed,
        notes=_notes(before, after, costs),
    )


def lines_of(result: Comparison) -> Iterable[tuple[str, LineChange]]:
    """Every line change with its kind, as one list (CSV, API)."""
    for kind, changes in (
        ("later", result.later),
        ("earlier", result.earlier),
        ("newly late", result.newly_late),
        ("no longer late", result.no_longer_late),
        ("only in " + result.b, result.added),
        ("only in " + result.a, result.removed),
    ):
        for c in changes:
            yield kind, c
