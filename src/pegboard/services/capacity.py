"""Work centers and routings as master data: read, create, change, every change audited.

The rules live here so that the CLI, the API and the pages refuse the same things:
hours within a day, at least one unit, an efficiency between 1 and 500 %, an exact
cost rate in cents, operations on known work centers with unique sequence numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Bom, Item, Routing, RoutingOperation, WorkCenter, WorkCenterClosedDay
from pegboard.services import audit
from pegboard.services._tx import writes
from pegboard.services.bounds import check_day
from pegboard.services.codes import check_code
from pegboard.services.cost_inputs import ORDER_SCOPE

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_CODE = 50
"""A work center's code follows ``services.codes`` in at most 50 characters."""
MAX_UNITS = 1000
MAX_OPERATIONS = 200
MAX_OPERATION_HOURS = 10_000.0
MAX_DAYS = 365
CENT = Decimal("0.01")


@dataclass(frozen=True)
class WorkCenterView:
    code: str
    description: str
    hours_per_day: float
    weekday_hours: tuple[float, ...] | None
    units: int
    efficiency_pct: float
    cost_rate: Decimal
    closed_days: list[date] = field(default_factory=list)

    @property
    def hours_text(self) -> str:
        """``8``, or runs of weekdays with the same hours: ``mon-thu 8, fri 4``."""
        if self.weekday_hours is None:
            return f"{self.hours_per_day:g}"
        runs: list[tuple[int, int, float]] = []
        for day, hours in enumerate(self.weekday_hours):
            if runs and runs[-1][2] == hours and runs[-1][1] == day - 1:
                runs[-1] = (runs[-1][0], day, hours)
            else:
                runs.append((day, day, hours))
        return ", ".join(
            f"{WEEKDAYS[a]}{'-' + WEEKDAYS[b] if b > a else ''} {h:g}" for a, b, h in runs if h > 0
        )


@dataclass(frozen=True)
class OperationIn:
    sequence: int
    work_center: str
    setup_hours: float = 0.0
    run_hours: float = 0.0
    queue_days: int = 0
    move_days: int = 0
    description: str = ""


@dataclass(frozen=True)
class RoutingView:
    number: str
    item: str
    order_bom: str | None
    operations: list[OperationIn]


def parse_weekday_hours(text: str) -> tuple[float, ...]:
    """``mon=8,tue=8,wed=8,thu=8,fri=6`` (weekdays not named: 0) or seven numbers."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text.strip()) if p.strip()]
    if parts and all("=" not in p for p in parts):
        if len(parts) != 7:
            raise ValidationError(
                f"weekday hours {text!r}: give seven numbers (Monday first) or mon=8,tue=8,…",
                field="weekday_hours",
                value=text,
            )
        return tuple(_hours(p, "weekday_hours") for p in parts)
    hours = [0.0] * 7
    for part in parts:
        name, _, value = part.partition("=")
        if name.lower() not in WEEKDAYS:
            raise ValidationError(
                f"weekday hours {text!r}: {name!r} is not one of {', '.join(WEEKDAYS)}",
                field="weekday_hours",
                value=text,
            )
        hours[WEEKDAYS.index(name.lower())] = _hours(value, "weekday_hours")
    return tuple(hours)


def format_weekday_hours(week: Sequence[float]) -> str:
    """The canonical text of hours per weekday: ``mon=8,tue=8,wed=8,thu=8,fri=6`` (weekdays
    at 0 left out), numbers in their shortest exact form; ``parse_weekday_hours`` reads it."""
    return ",".join(
        f"{WEEKDAYS[day]}={_number(hours)}" for day, hours in enumerate(week) if hours > 0
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _hours(text: str | float, name: str) -> float:
    try:
        value = float(text) if isinstance(text, float | int) else float(str(text).strip())
    except ValueError:
        raise ValidationError(f"{name} {text!r} is not a number", field=name, value=text) from None
    if not 0 <= value <= 24:
        raise ValidationError(f"{name} {value:g}: between 0 and 24", field=name, value=text)
    return value


def _code(code: str) -> str:
    return check_code(code, "code", max_length=MAX_CODE)


def _rate(value: Decimal | str | float) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(
            f"cost rate {value!r} is not an amount", field="cost_rate", value=str(value)
        ) from None
    if not rate.is_finite() or rate < 0 or rate > Decimal("1000000"):
        raise ValidationError(
            f"cost rate {value}: between 0 and 1,000,000 per hour", field="cost_rate"
        )
    if rate != rate.quantize(CENT):
        raise ValidationError(
            f"cost rate {value}: at most two decimals (cents)", field="cost_rate", value=str(value)
        )
    return rate.quantize(CENT)


def _view(wc: WorkCenter, closed: list[date]) -> WorkCenterView:
    return WorkCenterView(
        code=wc.code,
        description=wc.description,
        hours_per_day=wc.hours_per_day,
        weekday_hours=tuple(wc.weekday_hours) if wc.weekday_hours else None,
        units=wc.units,
        efficiency_pct=wc.efficiency_pct,
        cost_rate=Decimal(wc.cost_rate).quantize(CENT),
        closed_days=closed,
    )


def list_work_centers(session: Session) -> list[WorkCenterView]:
    closed: dict[int, list[date]] = {}
    for wc_id, day in session.execute(
        select(WorkCenterClosedDay.work_center_id, WorkCenterClosedDay.day).order_by(
            WorkCenterClosedDay.day
        )
    ):
        closed.setdefault(wc_id, []).append(day)
    rows = session.scalars(select(WorkCenter).order_by(WorkCenter.code)).all()
    return [_view(wc, closed.get(wc.id, [])) for wc in rows]


def _get(session: Session, code: str) -> WorkCenter:
    wc = session.scalars(select(WorkCenter).where(WorkCenter.code == code)).first()
    if wc is None:
        known = ", ".join(session.scalars(select(WorkCenter.code).order_by(WorkCenter.code)))
        raise NotFoundError(
            f"no work center {code!r} (known: {known or 'none yet'})", work_center=code
        )
    return wc


def _set_hours(
    wc: WorkCenter, hours_per_day: float | None, weekday_hours: Sequence[float] | None
) -> None:
    """Hours per day (which clears hours per weekday) or per weekday, Monday first; some
    hours must be left on some weekday."""
    if hours_per_day is not None:
        wc.hours_per_day = _hours(hours_per_day, "hours_per_day")
        wc.weekday_hours = None
    if weekday_hours is not None:
        week = tuple(_hours(h, "weekday_hours") for h in weekday_hours)
        if len(week) != 7:
            raise ValidationError(
                "weekday hours: seven figures, Monday first", field="weekday_hours"
            )
        wc.weekday_hours = list(week)
        wc.hours_per_day = max(week)
    if (wc.weekday_hours is None and wc.hours_per_day <= 0) or (
        wc.weekday_hours is not None and not any(h > 0 for h in wc.weekday_hours)
    ):
        raise ValidationError(
            f"work center {wc.code}: it must work some hours on some weekday",
            field="hours_per_day",
        )


def _set_details(
    wc: WorkCenter, units: int | None, efficiency_pct: float | None, description: str | None
) -> None:
    """Units, efficiency and description, each checked; ``None`` keeps the value."""
    if units is not None:
        if int(units) != units or not 1 <= int(units) <= MAX_UNITS:
            raise ValidationError(
                f"units {units}: a whole number from 1 to {MAX_UNITS}", field="units"
            )
        wc.units = int(units)
    if efficiency_pct is not None:
        if not 0 < efficiency_pct <= 500:
            raise ValidationError(
                f"efficiency {efficiency_pct:g} %: above 0 and at most 500",
                field="efficiency_pct",
            )
        wc.efficiency_pct = float(efficiency_pct)
    if description is not None:
        if len(description) > 200 or "\x00" in description:
            raise ValidationError("description: at most 200 characters", field="description")
        wc.description = description


@writes
def save_work_center(
    session: Session,
    *,
    code: str,
    author: str,
    hours_per_day: float | None = None,
    description: str | None = None,
    weekday_hours: Sequence[float] | None = None,
    units: int | None = None,
    efficiency_pct: float | None = None,
    cost_rate: Decimal | str | None = None,
    new: bool | None = None,
) -> WorkCenterView:
    """Create the work center ``code`` or change it: a field left ``None`` keeps its value
    (or takes the default for a new one: one unit, 100 %, no cost). Setting
    ``hours_per_day`` alone clears hours per weekday. ``new`` says which the caller
    means (a form that creates must not change another's work center of the same code,
    one that edits must not create a mistyped one); ``None``: either."""
    code = _code(code)
    wc = session.scalars(select(WorkCenter).where(WorkCenter.code == code)).first()
    _expect(session, code, wc, new)
    before = None if wc is None else _audit_values(wc)
    if wc is None:
        if hours_per_day is None and weekday_hours is None:
            raise ValidationError(
                f"new work center {code}: give its hours per day", field="hours_per_day"
            )
        wc = WorkCenter(
            code=code,
            description="",
            hours_per_day=0.0,
            weekday_hours=None,
            units=1,
            efficiency_pct=100.0,
            cost_rate=Decimal("0"),
        )
        session.add(wc)
    _set_hours(wc, hours_per_day, weekday_hours)
    _set_details(wc, units, efficiency_pct, description)
    if cost_rate is not None:
        wc.cost_rate = _rate(cost_rate)
    session.flush()
    audit.record(
        session,
        author=author,
        entity="work_center",
        ref=code,
        action="create" if before is None else "change",
        before=before,
        after=_audit_values(wc),
    )
    closed = session.scalars(
        select(WorkCenterClosedDay.day).where(WorkCenterClosedDay.work_center_id == wc.id)
    ).all()
    return _view(wc, sorted(closed))


def _expect(session: Session, code: str, wc: WorkCenter | None, new: bool | None) -> None:
    """Refuse a create of an existing work center or a change of a missing one."""
    if new is True and wc is not None:
        raise ConflictError(f"work center {code!r} exists already", work_center=code, field="code")
    if new is False and wc is None:
        _get(session, code)  # raises, naming the known ones


def get_work_center(session: Session, code: str) -> WorkCenterView:
    """One work center with its closed days; an unknown code names the known ones."""
    wc = _get(session, code)
    closed = session.scalars(
        select(WorkCenterClosedDay.day)
        .where(WorkCenterClosedDay.work_center_id == wc.id)
        .order_by(WorkCenterClosedDay.day)
    ).all()
    return _view(wc, list(closed))


def _audit_values(wc: WorkCenter) -> dict[str, object]:
    return {
        "description": wc.description,
        "hours_per_day": wc.hours_per_day,
        "weekday_hours": wc.weekday_hours,
        "units": wc.units,
        "efficiency_pct": wc.efficiency_pct,
        "cost_rate": str(Decimal(wc.cost_rate).quantize(CENT)),
    }


@writes
def add_closed_day(
    session: Session, code: str, day: date, description: str = "", *, author: str
) -> None:
    check_day(day, "date")
    wc = _get(session, code)
    if session.get(WorkCenterClosedDay, (wc.id, day)) is not None:
        raise ValidationError(f"{code} is closed on {day.isoformat()} already", field="date")
    session.add(WorkCenterClosedDay(work_center_id=wc.id, day=day, description=description))
    audit.record(
        session,
        author=author,
        entity="work_center",
        ref=code,
        action="add closed day",
        after={"date": day, "description": description},
    )


@writes
def remove_closed_day(session: Session, code: str, day: date, *, author: str) -> None:
    wc = _get(session, code)
    if session.get(WorkCenterClosedDay, (wc.id, day)) is None:
        raise NotFoundError(f"{code} is not closed on {day.isoformat()}", date=day.isoformat())
    session.execute(
        delete(WorkCenterClosedDay).where(
            WorkCenterClosedDay.work_center_id == wc.id, WorkCenterClosedDay.day == day
        )
    )
    audit.record(
        session,
        author=author,
        entity="work_center",
        ref=code,
        action="remove closed day",
        before={"date": day},
    )


# --- routings --------------------------------------------------------------------------------


def _item(session: Session, code: str) -> Item:
    item = session.scalars(select(Item).where(Item.code == code)).first()
    if item is None:
        raise NotFoundError(f"no item {code!r}", item=code)
    if item.type != "make":
        raise ValidationError(f"{code} is bought, not made: it has no routing", field="item")
    return item


def item_routable(session: Session, code: str) -> None:
    """Refuse an item that cannot have a routing: unknown, or bought."""
    _item(session, code)


def _check_operations(session: Session, operations: Sequence[OperationIn]) -> dict[str, int]:
    if len(operations) > MAX_OPERATIONS:
        raise ValidationError(f"at most {MAX_OPERATIONS} operations", field="operations")
    seen: set[int] = set()
    for op in operations:
        if not 1 <= op.sequence <= 100_000 or op.sequence in seen:
            raise ValidationError(
                f"operation sequence {op.sequence}: a whole number from 1, each once",
                field="sequence",
                value=op.sequence,
            )
        seen.add(op.sequence)
        for name, value in (("setup_hours", op.setup_hours), ("run_hours", op.run_hours)):
            if not 0 <= value <= MAX_OPERATION_HOURS:
                raise ValidationError(
                    f"operation {op.sequence}: {name} {value:g} must be 0 to "
                    f"{MAX_OPERATION_HOURS:g}",
                    field=name,
                    value=value,
                )
        for name, days in (("queue_days", op.queue_days), ("move_days", op.move_days)):
            if not 0 <= days <= MAX_DAYS:
                raise ValidationError(
                    f"operation {op.sequence}: {name} {days} must be 0 to {MAX_DAYS}",
                    field=name,
                    value=days,
                )
    codes = {op.work_center for op in operations}
    found: dict[str, int] = {}
    for code, wc_id in session.execute(
        select(WorkCenter.code, WorkCenter.id).where(WorkCenter.code.in_(codes))
    ):
        found[code] = wc_id
    for code in sorted(codes - set(found)):
        _get(session, code)  # raises, naming the known ones
    return found


@writes
def set_routing(
    session: Session,
    item: str,
    operations: Sequence[OperationIn],
    *,
    author: str,
    order_bom: str | None = None,
) -> RoutingView:
    """Replace the operations of ``item``'s routing (its order routing when ``order_bom``
    names one of its configured order BOMs)."""
    row = _item(session, item)
    bom_id = None
    scope: dict[str, int] = {}  # an order routing's change is its sales order's (cost_inputs)
    if order_bom is not None:
        bom = session.scalars(select(Bom).where(Bom.number == order_bom)).first()
        if bom is None or bom.item_id != row.id or bom.sales_order_id is None:
            raise NotFoundError(f"no order BOM {order_bom!r} of {item}", bom=order_bom)
        bom_id = bom.id
        scope = {ORDER_SCOPE: bom.sales_order_id}
    ids = _check_operations(session, operations)
    number = f"RT-{order_bom}" if order_bom else f"RT-{item}"
    routing = session.scalars(select(Routing).where(Routing.number == number)).first()
    before = None
    if routing is None:
        routing = Routing(number=number, item_id=row.id, bom_id=bom_id)
        session.add(routing)
        session.flush()
    else:
        before = {"operations": [_op_audit(op) for op in _operations(session, routing.id)]}
        session.execute(
            delete(RoutingOperation)
            .where(RoutingOperation.routing_id == routing.id)
            .execution_options(**scope)
        )
    for op in sorted(operations, key=lambda o: o.sequence):
        session.add(
            RoutingOperation(
                routing_id=routing.id,
                sequence=op.sequence,
                work_center_id=ids[op.work_center],
                description=op.description,
                setup_hours=op.setup_hours,
                run_hours=op.run_hours,
                queue_days=op.queue_days,
                move_days=op.move_days,
            )
        )
    session.flush()
    view = _routing_view(session, routing)
    audit.record(
        session,
        author=author,
        entity="routing",
        ref=number,
        action="create" if before is None else "change",
        before=before,
        after={"operations": [_op_audit(op) for op in view.operations]},
    )
    return view


def _op_audit(op: OperationIn) -> dict[str, object]:
    return {
        "sequence": op.sequence,
        "work_center": op.work_center,
        "setup_hours": op.setup_hours,
        "run_hours": op.run_hours,
        "queue_days": op.queue_days,
        "move_days": op.move_days,
    }


def _operations(session: Session, routing_id: int) -> list[OperationIn]:
    rows = session.execute(
        select(RoutingOperation, WorkCenter.code)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(RoutingOperation.routing_id == routing_id)
        .order_by(RoutingOperation.sequence)
    ).all()
    return [
        OperationIn(
            sequence=op.sequence,
            work_center=code,
            setup_hours=op.setup_hours,
            run_hours=op.run_hours,
            queue_days=op.queue_days,
            move_days=op.move_days,
            description=op.description,
        )
        for op, code in rows
    ]


def _routing_view(session: Session, routing: Routing) -> RoutingView:
    item = session.get(Item, routing.item_id)
    bom = session.get(Bom, routing.bom_id) if routing.bom_id is not None else None
    return RoutingView(
        number=routing.number,
        item=item.code if item else "?",
        order_bom=bom.number if bom else None,
        operations=_operations(session, routing.id),
    )


@dataclass(frozen=True)
class RoutingSummary:
    """An item's routing in a list: its number, item, operations and work centers."""

    number: str
    item: str
    description: str
    operations: int
    work_centers: tuple[str, ...]


def routing_page(
    session: Session, *, q: str | None = None, limit: int, offset: int
) -> tuple[list[RoutingSummary], int]:
    """A page of the items' own routings (not the order routings of configured lines),
    by item, optionally those whose item's code holds ``q``; and how many in all."""
    stmt = (
        select(Routing.id, Routing.number, Item.code, Item.description)
        .join(Item, Item.id == Routing.item_id)
        .where(Routing.bom_id.is_(None))
    )
    if q:
        stmt = stmt.where(Item.code.icontains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Item.code).limit(limit).offset(offset)).all()
    centers: dict[int, list[str]] = {row.id: [] for row in rows}
    for routing_id, code in session.execute(
        select(RoutingOperation.routing_id, WorkCenter.code)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .where(RoutingOperation.routing_id.in_(list(centers)))
        .order_by(RoutingOperation.routing_id, RoutingOperation.sequence)
    ):
        centers[routing_id].append(code)
    out = [
        RoutingSummary(
            row.number,
            row.code,
            row.description,
            len(centers[row.id]),
            tuple(dict.fromkeys(centers[row.id])),
        )
        for row in rows
    ]
    return out, total


def routing_of(session: Session, item: str, *, order_bom: str | None = None) -> RoutingView:
    """The routing a production order of ``item`` (of ``order_bom``) follows: the order
    routing when there is one, else the item's."""
    row = _item(session, item)
    if order_bom is not None:
        found = session.scalars(
            select(Routing).join(Bom, Bom.id == Routing.bom_id).where(Bom.number == order_bom)
        ).first()
        if found is not None:
            return _routing_view(session, found)
    found = session.scalars(
        select(Routing).where(Routing.item_id == row.id, Routing.bom_id.is_(None))
    ).first()
    if found is None:
        raise NotFoundError(f"{item} has no routing yet", item=item)
    return _routing_view(session, found)
