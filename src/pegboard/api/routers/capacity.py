"""Capacity: work centers and routings (master data), and the load on the work centers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pegboard.api.deps import DbSession, Reader, require
from pegboard.services import capacity, load
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
