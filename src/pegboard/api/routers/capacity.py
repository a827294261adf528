"""Capacity: work centers and routings (master data), and the load on the work centers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.services import capacity, load, load_weeks, schedule
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/capacity", tags=["capacity"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]

Hours = Annotated[float, Field(ge=0, le=24, allow_inf_nan=False)]
OperationHours = Annotated[float, Field(ge=0, le=capacity.MAX_OPERATION_HOURS, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0, le=capacity.MAX_DAYS)]
Description = Annotated[str, StringConstraints(max_length=200)]
OrderBom = Annotated[
    str | None,
    Query(max_length=255, description="the order BOM whose order routing is meant"),
]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str | None = None) -> Any:
    """A field a change may leave out, but not send empty (null)."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


class WorkCenterOut(BaseModel):
    code: str
    description: str
    hours_per_day: float = Field(description="hours one unit works a working day (the most)")
    weekday_hours: list[float] | None = Field(
        description="hours per weekday, Monday first, when they differ (else null)"
    )
    hours_text: str = Field(description="the hours as people read them: 8, or mon-thu 8, fri 6")
    units: int
    efficiency_pct: float
    cost_rate: Decimal = Field(description="per hour, exact, in the company currency")
    closed_days: list[date]


class WorkCenterIn(BaseModel):
    """A new work center (give its hours) or the fields to change; those left out keep
    their values (a new one: one unit, 100 %, no cost)."""

    model_config = ConfigDict(extra="forbid")

    description: Description = optional()
    hours_per_day: Hours = optional("hours one unit works each working day (clears weekday_hours)")
    weekday_hours: Annotated[list[Hours], Field(min_length=7, max_length=7)] = optional(
        "hours per weekday instead, Monday first; 0: not worked"
    )
    units: Annotated[int, Field(ge=1, le=capacity.MAX_UNITS)] = optional("in parallel")
    efficiency_pct: Annotated[float, Field(gt=0, le=500, allow_inf_nan=False)] = optional()
    cost_rate: Annotated[
        Decimal, Field(ge=0, le=1_000_000, decimal_places=2, allow_inf_nan=False)
    ] = optional("per hour, at most two decimals (send it as a string to keep it exact)")


class OperationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sequence: int = Field(ge=1, le=100_000)
    work_center: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    setup_hours: OperationHours = 0.0
    run_hours: OperationHours = Field(default=0.0, description="per unit made")
    queue_days: Days = 0
    move_days: Days = 0
    description: Description = ""


class RoutingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operations: list[OperationBody] = Field(max_length=capacity.MAX_OPERATIONS)


class RoutingOut(BaseModel):
    number: str
    item: str
    order_bom: str | None
    operations: list[OperationBody]


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"


class PeriodOut(BaseModel):
    work_center: str
    start: date = Field(description="the day, or the Monday of the week")
    label: str = Field(description="2027-01-11, or 2027-W02")
    required_hours: float
    available_hours: float
    load_pct: float | None = Field(description="null when nothing is available")
    over: bool
    orders: list[str] = Field(description="the production and planned orders asking for it")


class LoadOut(BaseModel):
    period: Bucket
    periods: list[PeriodOut]


def _work_center(view: capacity.WorkCenterView) -> WorkCenterOut:
    return WorkCenterOut(
        code=view.code,
        description=view.description,
        hours_per_day=view.hours_per_day,
        weekday_hours=list(view.weekday_hours) if view.weekday_hours else None,
        hours_text=view.hours_text,
        units=view.units,
        efficiency_pct=view.efficiency_pct,
        cost_rate=view.cost_rate,
        closed_days=view.closed_days,
    )


def _routing(view: capacity.RoutingView) -> RoutingOut:
    return RoutingOut(
        number=view.number,
        item=view.item,
        order_bom=view.order_bom,
        operations=[OperationBody(**op.__dict__) for op in view.operations],
    )


@router.get("/work-centers")
def list_work_centers(user: Reader, session: DbSession) -> list[WorkCenterOut]:
    """Every work center with its hours, units, efficiency, cost rate and closed days."""
    return [_work_center(w) for w in capacity.list_work_centers(session)]


@router.put("/work-centers/{code}")
def save_work_center(
    code: str, body: WorkCenterIn, user: MasterData, session: DbSession
) -> WorkCenterOut:
    """Create the work center ``code`` or change the fields sent (audited)."""
    values = body.model_dump(exclude_unset=True)
    return _work_center(capacity.save_work_center(session, code=code, author=user.name, **values))


@router.get("/routings/{item}")
def get_routing(
    item: str, user: Reader, session: DbSession, order_bom: OrderBom = None
) -> RoutingOut:
    """The operations a production order of ``item`` follows: with ``order_bom``, that
    order BOM's order routing when it has one, else the item's."""
    return _routing(capacity.routing_of(session, item, order_bom=order_bom))


@router.put("/routings/{item}")
def set_routing(
    item: str,
    body: RoutingIn,
    user: MasterData,
    session: DbSession,
    order_bom: OrderBom = None,
) -> RoutingOut:
    """Replace the operations of ``item``'s routing (with ``order_bom``, of that order
    BOM's order routing); audited."""
    operations = [capacity.OperationIn(**op.model_dump()) for op in body.operations]
    return _routing(
        capacity.set_routing(session, item, operations, author=user.name, order_bom=order_bom)
    )


@router.get("/load")
def get_load(
    user: Reader,
    session: DbSession,
    work_center: Annotated[str | None, Query(max_length=50, description="only this one")] = None,
    period: Annotated[Bucket, Query(description="day or week")] = Bucket.WEEK,
    overloaded: Annotated[bool, Query(description="only the periods over capacity")] = False,
) -> LoadOut:
    """Hours the open and planned production orders ask of each work center (scheduled
    backward from their due dates at infinite capacity) against the hours it has, per
    day or ISO week, with the orders asking."""
    report = load.capacity_load(session, work_center=work_center)
    rows = report.days if period is Bucket.DAY else report.weeks
    return LoadOut(
        period=period,
        periods=[
            PeriodOut(
                work_center=p.work_center,
                start=p.start,
                label=p.label,
                required_hours=round(p.required, 6),
                available_hours=round(p.available, 6),
                load_pct=None if p.percent is None else round(p.percent, 2),
                over=p.over,
                orders=list(p.orders),
            )
            for p in rows
            if p.over or not overloaded
        ],
    )


class WeekOut(BaseModel):
    start: date = Field(description="the Monday of the ISO week")
    label: str = Field(description="2027-W02")
    required_hours: float
    available_hours: float
    load_pct: float | None = Field(description="null when nothing is available")
    over: bool
    orders: int = Field(description="how many orders ask hours of the week")
    most: list[tuple[str, float]] = Field(
        description=f"the {load_weeks.TOP} orders asking most of the week, with their hours"
    )


class CenterLoadOut(BaseModel):
    work_center: str
    description: str
    over_hours: float = Field(description="hours asked past what it has, over the window")
    peak_load_pct: float | None = Field(description="the window's fullest week")
    weeks: list[WeekOut]


class LoadWeeksOut(BaseModel):
    start: date = Field(description="the Monday the window starts")
    weeks: int
    page: int
    pages: int
    matching: int = Field(description="work centers the filter keeps, over all pages")
    total: int = Field(description="work centers of the company")
    first_loaded: date | None = Field(description="the first week anything loads")
    last_loaded: date | None
    computed_at: datetime = Field(description="when the load's weeks were worked out")
    work_centers: list[CenterLoadOut] = Field(description="most hours over capacity first")


@router.get("/load/weeks")
def get_load_weeks(
    user: Reader,
    session: DbSession,
    q: Annotated[str, Query(max_length=100, description="in the code or description")] = "",
    start: Annotated[
        date | None,
        Query(alias="from", description="the window's first week (default: this week)"),
    ] = None,
    weeks: Annotated[int, Query(ge=1, le=load_weeks.MAX_WEEKS)] = load_weeks.DEFAULT_WEEKS,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=load_weeks.MAX_PER_PAGE)] = load_weeks.PER_PAGE,
    overloaded: Annotated[bool, Query(description="only those over capacity then")] = False,
) -> LoadWeeksOut:
    """The capacity page's load: a page of work centers, the most hours over capacity in
    the window first, each with its ISO weeks (the same numbers as ``/load``'s weeks) and
    the few orders asking most of each."""
    got = load_weeks.load_page(
        session,
        today=clock.today(),
        search=q,
        start=start,
        weeks=weeks,
        page=page,
        per_page=per_page,
        overloaded_only=overloaded,
    )
    return LoadWeeksOut(
        start=got.start,
        weeks=got.weeks,
        page=got.page,
        pages=got.pages,
        matching=got.matching,
        total=got.total,
        first_loaded=got.first,
        last_loaded=got.last,
        computed_at=got.computed_at,
        work_centers=[
            CenterLoadOut(
                work_center=c.code,
                description=c.description,
                over_hours=round(c.over_hours, 6),
                peak_load_pct=None if c.peak_percent is None else round(c.peak_percent, 2),
                weeks=[
                    WeekOut(
                        start=w.start,
                        label=w.label,
                        required_hours=round(w.required, 6),
                        available_hours=round(w.available, 6),
                        load_pct=None if w.percent is None else round(w.percent, 2),
                        over=w.over,
                        orders=w.orders,
                        most=list(w.top),
                    )
                    for w in c.weeks
                ],
            )
            for c in got.centers
        ],
    )


# --- the finite schedule ------------------------------------------------------------------

Planner = Annotated[UserView, Depends(require(Permission.PLAN))]
Limit = Annotated[int, Query(ge=1, le=100_000, description="at most this many rows")]


class ScheduleOut(BaseModel):
    schedule_id: int
    plan_run_id: int = Field(description="the plan it schedules: current until the next plan")
    planning_date: date
    orders: int = Field(description="open and planned production orders scheduled")
    operations: int
    late_orders: int = Field(description="orders completing after their due date")
    late_lines: int = Field(description="order lines projected late with the schedule's dates")
    seconds: float
    pinned: list[str] = Field(
        default_factory=list, description="operations placed on a planner's pin (MO-…/sequence)"
    )
    pin_overloads: list[str] = Field(
        default_factory=list,
        description="work-center days a pin loads past their hours (pins are placed anyway)",
    )
    pins_ignored: list[str] = Field(
        default_factory=list, description="pins left out, each with why (order closed, …)"
    )
    pins_out_of_sequence: list[str] = Field(
        default_factory=list,
        description="pinned operations an earlier operation of their order ends after",
    )


class ScheduledOperationOut(BaseModel):
    order: str = Field(description="production order or planned order")
    order_type: str
    item: str
    sequence: int
    work_center: str
    hours: float = Field(description="standard hours: setup + run per unit × quantity")
    ready: date = Field(description="the first day it could start (material, previous step)")
    start: date
    end: date
    rank: int = Field(description="its order's place in the scheduling priority (0 first)")
    held_from: date | None = Field(description="first day its work center was too full")
    held_to: date | None
    pinned: bool = Field(
        False, description="a planner pinned it on the board: schedules keep it there"
    )


class ScheduledOrderOut(BaseModel):
    order: str
    order_type: str
    item: str
    qty: float
    due: date
    ready: date
    start: date
    completion: date
    available: date = Field(description="when it serves its demand: due date at the earliest")
    late_days: int
    cause: str | None = Field(
        description="what set a later date than the plan: full (a work center), routing "
        "(operations longer than the lead time); null: the plan's date stands"
    )
    bottleneck: str | None = Field(description="the work center of that operation")
    held_from: date | None
    held_to: date | None


@router.post("/schedule")
def make_schedule(user: Planner, session: DbSession) -> ScheduleOut:
    """Schedule the current plan's production orders at finite capacity (``pegboard
    schedule``): operations on their work centers without exceeding their hours, in
    sequence, after their material; the order lines then take the scheduled dates."""
    from pegboard.services.schedule_run import run_schedule

    return ScheduleOut(**run_schedule(session, author=user.name).as_result())


@router.get("/schedule/operations")
def scheduled_operations(
    user: Reader,
    session: DbSession,
    work_center: Annotated[str | None, Query(max_length=50, description="only this one")] = None,
    limit: Limit = 1000,
) -> list[ScheduledOperationOut]:
    """The current schedule's operations in schedule order (start day, then priority);
    empty while there is no schedule of the current plan."""
    rows = schedule.scheduled_operations(session, work_center, limit=limit)
    return [ScheduledOperationOut(**row.__dict__) for row in rows]


@router.get("/schedule/orders")
def scheduled_orders(
    user: Reader,
    session: DbSession,
    late: Annotated[bool, Query(description="only those completing after their due date")] = False,
    limit: Limit = 1000,
) -> list[ScheduledOrderOut]:
    """Each production order's scheduled start and completion, by completion."""
    rows = schedule.scheduled_orders(session, late_only=late, limit=limit)
    return [ScheduledOrderOut(**row.__dict__, late_days=row.late_days) for row in rows]
