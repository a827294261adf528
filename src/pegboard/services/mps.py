"""The master production schedule: common, stocked items made to a schedule the planner
keeps, instead of lot for lot whenever an order needs them.

An item flagged ``mps`` has its schedule as production orders flagged ``mps``: one per
week, due on the week's first working day, made for stock. They are firm supply
like any open production order, so the plan explodes their components and pegs the
orders they serve to them. Within the planning time fence (the setting
``mps_time_fence_days``, 14 by default, ``mps_fence``) the schedule is frozen: a line
is not changed without ``force`` (the shop has started preparing it), and MRP never
changes it either: it adds no supply of the item due inside the fence, asks no
expedite, defer or cancel of a line due there, and a demand the schedule does not
cover there waits for the first supply beyond the fence (its order line is late, its
chain says the fence holds it back) while ``mps_flags`` says which week is short by
how much. Beyond the fence the plan's planned orders and exceptions suggest changes
as for any item.

The MPS record (``engine.mps``) puts, per week, the item's backlog (what the orders
of the current plan need of it: its sales-order lines and its parents' component
needs, from the pegging), the schedule, the projected available balance and what is
still available to promise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.engine import mps as engine_mps
from pegboard.errors import ConflictError, NotFoundError, PegboardError, ValidationError
from pegboard.model import (
    Item,
    ItemType,
    Pegging,
    PlanLine,
    PlannedOrder,
    PlanRun,
    ProductionOrder,
    ProductionStatus,
    StockBalance,
)
from pegboard.services import audit, mps_fence
from pegboard.services._tx import writes
from pegboard.services.bounds import check_day
from pegboard.services.calendar import fwd_date, load_calendar
from pegboard.services.plan_results import item_supply_refs
from pegboard.services.planning import current_run
from pegboard.services.wording import plural

_CHUNK = 5_000
"""Supply refs in one ``IN`` list (well under either database's bound parameters)."""

FENCE_KEY = mps_fence.FENCE_KEY
DEFAULT_FENCE_DAYS = mps_fence.DEFAULT_FENCE_DAYS
MAX_WEEKS = 104
MAX_QTY = 1e9


@dataclass(frozen=True)
class MpsWeek:
    start: date
    """The week's Monday."""
    label: str
    """ISO week with its year: 2027-W02."""
    backlog: float
    mps: float
    receipts: float
    """Other firm supply due in the week (open production orders off the schedule)."""
    pab: float
    atp: float
    cumulative_atp: float
    in_fence: bool


@dataclass(frozen=True)
class MpsView:
    item: str
    on_hand: float
    safety_stock: float
    weeks: list[MpsWeek]
    planned_on: date | None
    """The planning date of the plan the backlog comes from (None: no plan yet)."""
    fence_end: date

    @property
    def short_weeks(self) -> list[MpsWeek]:
        return [w for w in self.weeks if w.pab < -engine_mps.EPS]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def line_number(item: str, day: date) -> str:
    """The number of the item's schedule line of the week of ``day``, the same whoever
    writes it (``pegboard mps set``, a bundle's ``mps.csv``): ``MPS-<item>-2027-W02``."""
    return f"MPS-{item}-{week_label(week_start(day))}"


def _item(session: Session, code: str) -> Item:
    item = session.scalars(select(Item).where(Item.code == code)).first()
    if item is None:
        raise NotFoundError(f"no item {code!r}", item=code)
    return item


def mps_items(session: Session) -> list[str]:
    """The codes of the items on the master schedule."""
    return list(session.scalars(select(Item.code).where(Item.mps.is_(True)).order_by(Item.code)))


def fence_days(session: Session) -> int:
    return mps_fence.fence_setting(session)


def check_flag(item: str, item_type: ItemType, on: bool, *, field: str = "mps") -> None:
    """The rule of the flag, wherever it is set (``pegboard mps item``, the item editor,
    the API, a bundle): only a made item has a master schedule, so a flagged item must
    stay made. ``field`` is the one the person changed, named in the refusal."""
    if on and item_type != ItemType.MAKE:
        if field == "type":
            raise ValidationError(
                f"{item} is on the master schedule, so it must stay make (take it off first)",
                field="type",
                value=item_type.value,
            )
        raise ValidationError(
            f"{item} is bought: only made items have a master schedule", field="mps", value=on
        )


@writes
def set_mps_item(session: Session, item: str, on: bool, *, author: str) -> None:
    """Put a make item on the master schedule (or take it off)."""
    row = _item(session, item)
    check_flag(item, row.type, on)
    if row.mps == on:
        return
    row.mps = on
    audit.record(
        session,
        author=author,
        entity="item",
        ref=item,
        action="mps" if on else "mps off",
        before={"mps": not on},
        after={"mps": on},
    )


def week_line(session: Session, item_id: int, monday: date) -> ProductionOrder | None:
    return session.scalars(
        select(ProductionOrder).where(
            ProductionOrder.item_id == item_id,
            ProductionOrder.mps.is_(True),
            ProductionOrder.status.in_(
                (ProductionStatus.PLANNED, ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
            ),
            ProductionOrder.due_date >= monday,
            ProductionOrder.due_date < monday + timedelta(days=7),
        )
    ).first()


@writes
def set_mps(
    session: Session, item: str, week_of: date, qty: float, *, author: str, force: bool = False
) -> str | None:
    """Schedule ``qty`` of ``item`` in the week of ``week_of`` (0: none); returns the
    schedule line's number. Within the time fence only with ``force``."""
    return set_line(session, item, week_of, qty, author=author, force=force)


def scheduled_item(session: Session, item: str) -> Item:
    """The item, if it is on the master schedule."""
    row = _item(session, item)
    if not row.mps:
        raise ValidationError(f"{item} is not on the master schedule (pegboard mps item {item})")
    return row


def fence_end(session: Session, today: date | None = None) -> date:
    """The first day beyond the planning time fence (from ``today``, else the clock's)."""
    return (today or clock.today()) + timedelta(days=fence_days(session))


def refusal(
    row: Item, monday: date, qty: float, line: ProductionOrder | None, *, fence: date, force: bool
) -> PegboardError | None:
    """Why ``qty`` may not be scheduled in the week of ``monday`` (None: it may): the one
    rule of a schedule cell, for one week (``set_mps``) and a whole grid alike."""
    if not 0 <= qty <= MAX_QTY:
        return ValidationError(f"quantity {qty:g}: 0 to {MAX_QTY:g}", field="qty", value=qty)
    if row.decimals == 0 and qty != int(qty):
        return ValidationError(f"{row.code} is counted in whole units: {qty:g}", field="qty")
    if row.decimals > 0 and round(qty, row.decimals) != qty:
        return ValidationError(
            f"{row.code} has {plural(row.decimals, 'decimal')}: {qty:g}", field="qty", value=qty
        )
    if monday < fence and not force:
        return ConflictError(
            f"the week of {monday.isoformat()} is within the planning time fence (until "
            f"{fence.isoformat()}): the shop may be preparing it; confirm to change it",
            week=monday.isoformat(),
        )
    if line is not None and line.status != ProductionStatus.PLANNED:
        return ConflictError(
            f"{line.number} is {line.status.value}: change it on the shop floor", order=line.number
        )
    return None


def set_line(
    session: Session, item: str, week_of: date, qty: float, *, author: str, force: bool
) -> str | None:
    """``set_mps`` inside a write transaction the caller holds (a grid saved at once)."""
    check_day(week_of, "week_of")
    row = scheduled_item(session, item)
    monday = week_start(week_of)
    line = week_line(session, row.id, monday)
    if line is None and qty == 0:
        return None  # nothing scheduled, nothing asked: unchanged
    if line is not None and line.qty == qty:
        return line.number  # unchanged: nothing to write or audit
    problem = refusal(row, monday, qty, line, fence=fence_end(session), force=force)
    if problem is not None:
        raise problem
    before = {"qty": line.qty} if line is not None else None
    if qty == 0:
        if line is None:
            return None
        line.status = ProductionStatus.CANCELLED
        audit.record(
            session, author=author, entity="mps", ref=line.number, action="remove", before=before
        )
        return line.number
    if line is None:
        due = fwd_date(load_calendar(session.connection()), monday)
        line = ProductionOrder(
            number=line_number(item, monday),
            item_id=row.id,
            qty=qty,
            due_date=due,
            status=ProductionStatus.PLANNED,
            mps=True,
        )
        existing = session.scalars(
            select(ProductionOrder).where(ProductionOrder.number == line.number)
        ).first()
        if existing is not None:  # a cancelled line of that week: schedule it again
            line = existing
            line.status, line.qty, line.due_date = ProductionStatus.PLANNED, qty, due
        else:
            session.add(line)
    else:
        line.qty = qty
    session.flush()
    audit.record(
        session,
        author=author,
        entity="mps",
        ref=line.number,
        action="change" if before else "add",
        before=before,
        after={"qty": qty, "due": line.due_date},
    )
    return line.number


def _demand_dates(session: Session, run_id: int, item_id: int) -> list[tuple[date, float]]:
    """(day needed, quantity) of every demand on the item in the plan, from its pegging.

    The rows are found through the item's supplies (``ix_pegging_supply``: supply ref,
    item), a chunk of refs at a time: there is no index on the item alone, and reading
    by it walked every pegging row of the plan (4.6 M on the reference company), once
    per master-scheduled item when the plan flags the schedule's shortfalls."""
    summed: dict[tuple[str, str], float] = defaultdict(float)
    supplies = item_supply_refs(session, item_id, run_id)
    for lo in range(0, len(supplies), _CHUNK):
        for kind, ref, qty in session.execute(
            select(Pegging.demand_type, Pegging.demand_ref, func.sum(Pegging.qty))
            .where(
                Pegging.plan_run_id == run_id,
                Pegging.supply_ref.in_(supplies[lo : lo + _CHUNK]),
                Pegging.item_id == item_id,
            )
            .group_by(Pegging.demand_type, Pegging.demand_ref)
        ):
            summed[(kind, ref)] += qty
    rows = [(kind, ref, qty) for (kind, ref), qty in summed.items()]
    refs: dict[str, set[str]] = defaultdict(set)
    for kind, ref, _ in rows:
        refs[kind].add(ref)
    days: dict[tuple[str, str], date] = {}
    if refs["sales_order"]:
        for ref, due in session.execute(
            select(PlanLine.demand_ref, PlanLine.due_date).where(
                PlanLine.plan_run_id == run_id, PlanLine.demand_ref.in_(refs["sales_order"])
            )
        ):
            days[("sales_order", ref)] = due
    if refs["planned_order"]:
        for ref, release in session.execute(
            select(PlannedOrder.number, PlannedOrder.release_date).where(
                PlannedOrder.plan_run_id == run_id,
                PlannedOrder.number.in_(refs["planned_order"]),
            )
        ):
            days[("planned_order", ref)] = release
    if refs["production_order"]:
        for ref, start, due in session.execute(
            select(
                ProductionOrder.number, ProductionOrder.start_date, ProductionOrder.due_date
            ).where(ProductionOrder.number.in_(refs["production_order"]))
        ):
            days[("production_order", ref)] = start or due
    return [(days[(kind, ref)], float(qty)) for kind, ref, qty in rows if (kind, ref) in days]


def mps_record(
    session: Session, item: str, *, weeks: int = 12, run: PlanRun | None = None
) -> MpsView:
    """The item's MPS record, week by week from the current week, the backlog from the
    current plan; or, given ``run`` (a plan being stored), from that plan and its
    planning date's week, with the time fence counted from its planning date."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationError(f"weeks {weeks}: 1 to {MAX_WEEKS}", field="weeks")
    row = _item(session, item)
    today = run.planning_date if run is not None else clock.today()
    first = week_start(today)
    periods = [first + timedelta(weeks=k) for k in range(weeks)]
    end = periods[-1] + timedelta(days=7)

    def period(day: date) -> int | None:
        if day >= end:
            return None
        return max(0, (day - first).days // 7)  # anything overdue is needed now

    backlog = [0.0] * weeks
    run = run if run is not None else current_run(session)
    if run is not None:
        for day, qty in _demand_dates(session, run.id, row.id):
            k = period(day)
            if k is not None:
                backlog[k] += qty
    scheduled = [0.0] * weeks
    receipts = [0.0] * weeks
    for due, qty, done, scrapped, on_schedule in session.execute(
        select(
            ProductionOrder.due_date,
            ProductionOrder.qty,
            ProductionOrder.completed_qty,
            ProductionOrder.scrapped_qty,
            ProductionOrder.mps,
        ).where(
            ProductionOrder.item_id == row.id,
            ProductionOrder.sales_order_id.is_(None),
            ProductionOrder.status.in_(
                (ProductionStatus.PLANNED, ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
            ),
        )
    ):
        k = period(due)
        if k is not None:
            (scheduled if on_schedule else receipts)[k] += max(0.0, qty - done - scrapped)
    on_hand = float(
        session.scalar(
            select(func.coalesce(func.sum(StockBalance.qty), 0.0)).where(
                StockBalance.item_id == row.id, StockBalance.sales_order_id.is_(None)
            )
        )
        or 0.0
    )
    rec = engine_mps.record(on_hand, backlog, scheduled, receipts)
    fence = fence_end(session, today)
    return MpsView(
        item=item,
        on_hand=on_hand,
        safety_stock=row.safety_stock,
        weeks=[
            MpsWeek(
                start=monday,
                label=week_label(monday),
                backlog=rec.backlog[k],
                mps=rec.mps[k],
                receipts=receipts[k],
                pab=rec.pab[k],
                atp=rec.atp[k],
                cumulative_atp=rec.cumulative_atp[k],
                in_fence=monday < fence,
            )
            for k, monday in enumerate(periods)
        ],
        planned_on=run.planning_date if run is not None else None,
        fence_end=fence,
    )


def propose(
    session: Session,
    item: str,
    *,
    weeks: int = 12,
    minimum: float = 0.0,
    maximum: float | None = None,
) -> list[tuple[date, float]]:
    """A levelled schedule beyond the time fence: the same quantity each week, the
    smallest that keeps the projected balance at the item's safety stock (the weeks in
    the fence keep what they have)."""
    view = mps_record(session, item, weeks=weeks)
    row = _item(session, item)
    step = row.multiple if row.multiple > 0 else 10.0**-row.decimals
    inside = [w for w in view.weeks if w.in_fence]
    outside = [w for w in view.weeks if not w.in_fence]
    start_balance = inside[-1].pab if inside else view.on_hand
    quantities = engine_mps.level(
        start_balance,
        [w.backlog - w.receipts for w in outside],
        target=row.safety_stock,
        minimum=minimum,
        maximum=maximum if maximum is not None else float("inf"),
        multiple=step,
    )
    return [(w.start, q) for w, q in zip(outside, quantities, strict=True)]


@writes
def accept(
    session: Session, item: str, schedule: list[tuple[date, float]], *, author: str
) -> list[str]:
    """Write a proposed schedule, all weeks or none (outside the fence only)."""
    numbers = [
        set_line(session, item, week, qty, author=author, force=False) for week, qty in schedule
    ]
    return [n for n in numbers if n is not None]
