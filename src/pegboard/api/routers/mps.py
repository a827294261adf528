"""The master production schedule: the items on it, their MPS record, their schedule
lines (read, edit some weeks, replace), the levelled proposal and its acceptance."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.model.enums import ProductionStatus
from pegboard.services import mps, mps_fence, mps_rough_cut, mps_schedule
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/mps", tags=["mps"])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]

Weeks = Annotated[
    int, Query(ge=1, le=mps.MAX_WEEKS, description="how many weeks from the current one")
]
Qty = Annotated[float, Field(ge=0, le=mps.MAX_QTY, allow_inf_nan=False)]
FORCE = "change weeks within the planning time fence too (the shop may be preparing them)"


class WeekOut(BaseModel):
    week: date = Field(description="the week's Monday")
    label: str = Field(description="ISO week with its year: 2027-W02")
    backlog: float = Field(description="what the orders of the current plan need of the item")
    mps: float = Field(description="the master schedule's quantity")
    receipts: float = Field(description="other firm supply due (open production orders)")
    projected_available: float = Field(description="projected available balance at week end")
    atp: float = Field(description="available to promise (discrete)")
    cumulative_atp: float
    in_fence: bool = Field(description="within the planning time fence")


class RecordOut(BaseModel):
    item: str
    on_hand: float
    safety_stock: float
    planned_on: date | None = Field(description="the plan the backlog comes from (null: none)")
    fence_end: date = Field(description="the first day beyond the planning time fence")
    short_weeks: list[str] = Field(description="weeks whose projected balance is below zero")
    weeks: list[WeekOut]


class LineOut(BaseModel):
    number: str
    week: date
    label: str
    due: date
    qty: float = Field(description="planned quantity (released: what is still to make)")
    status: ProductionStatus
    editable: bool = Field(description="not yet released, so the schedule may change it")


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: date = Field(description="any day of the week")
    qty: Qty = Field(description="0 removes the week's line")


class LinesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: Annotated[list[LineIn], Field(max_length=mps_schedule.MAX_CELLS)]
    force: bool = Field(default=False, description=FORCE)


class ProposedWeek(BaseModel):
    week: date
    qty: float


class AcceptIn(BaseModel):
    """The proposal's settings (as for GET …/proposal) and the weeks to accept."""

    model_config = ConfigDict(extra="forbid")

    weeks: int = Field(default=12, ge=1, le=mps.MAX_WEEKS)
    min: Qty = 0.0
    max: Qty | None = None
    only: Annotated[list[date], Field(max_length=mps.MAX_WEEKS)] | None = Field(
        default=None, description="accept only these weeks (any day of each); null: all"
    )


class RoughCutWeekOut(BaseModel):
    week: date
    label: str
    hours: float = Field(description="hours the schedule asks of the work center")
    available: float = Field(description="hours the work center has in the week")
    over: bool = Field(description="the schedule alone asks more than the work center has")
    other: float = Field(
        description="hours the load's other orders ask (open orders off the schedule, the "
        "plan's unfirmed make orders)"
    )
    total: float = Field(description="the schedule's hours and the other load's")
    total_over: bool = Field(description="the total is more than the work center has")


class RoughCutCenterOut(BaseModel):
    work_center: str
    items: list[str] = Field(description="the scheduled items whose routings reach it")
    weeks: list[RoughCutWeekOut]


def _record(view: mps.MpsView) -> RecordOut:
    return RecordOut(
        item=view.item,
        on_hand=view.on_hand,
        safety_stock=view.safety_stock,
        planned_on=view.planned_on,
        fence_end=view.fence_end,
        short_weeks=[w.label for w in view.short_weeks],
        weeks=[
            WeekOut(
                week=w.start,
                label=w.label,
                backlog=w.backlog,
                mps=w.mps,
                receipts=w.receipts,
                projected_available=w.pab,
                atp=w.atp,
                cumulative_atp=w.cumulative_atp,
                in_fence=w.in_fence,
            )
            for w in view.weeks
        ],
    )


def _lines(lines: list[mps_schedule.ScheduleLine]) -> list[LineOut]:
    return [
        LineOut(
            number=line.number,
            week=line.week,
            label=line.label,
            due=line.due,
            qty=line.qty,
            status=line.status,
            editable=line.editable,
        )
        for line in lines
    ]


@router.get("")
def list_mps_items(user: Reader, session: DbSession) -> list[str]:
    """The codes of the items on the master schedule."""
    return mps_schedule.mps_items(session)


class FenceIn(BaseModel):
    days: int = Field(ge=0, le=mps_fence.MAX_FENCE_DAYS, description="whole days, 0: no fence")


class FenceOut(BaseModel):
    days: int = Field(description="the planning time fence in days")


@router.get("/fence")
def get_fence(user: Reader, session: DbSession) -> FenceOut:
    """The planning time fence (as ``pegboard mps fence``). Routed before ``/{item}``."""
    return FenceOut(days=mps_fence.fence_setting(session))


@router.put("/fence")
def put_fence(body: FenceIn, user: Planner, session: DbSession) -> FenceOut:
    """Set the planning time fence (audited; the plan is out of date until it runs)."""
    return FenceOut(days=mps_fence.set_fence_days(session, body.days, author=user.name))


@router.get("/rough-cut")
def get_schedule_rough_cut(
    user: Reader, session: DbSession, weeks: Weeks = 12
) -> list[RoughCutCenterOut]:
    """Rough-cut capacity of the whole master schedule: the hours every scheduled item's
    schedule asks of each key work center per week, next to the other load and against
    the hours it has (as ``pegboard mps rough-cut``). Routed before ``/{item}``, so an
    item coded ``rough-cut`` has its record only from the CLI and the web."""
    return _rough_cut(mps_rough_cut.rough_cut(session, weeks=weeks))


@router.get("/{item}")
def get_record(item: str, user: Reader, session: DbSession, weeks: Weeks = 12) -> RecordOut:
    """The MPS record per week: backlog, MPS quantity, projected available balance and
    available to promise (as ``pegboard mps show``)."""
    return _record(mps.mps_record(session, item, weeks=weeks))


@router.get("/{item}/lines")
def get_lines(item: str, user: Reader, session: DbSession) -> list[LineOut]:
    """The item's open schedule lines, by week."""
    return _lines(mps_schedule.schedule_lines(session, item))


@router.patch("/{item}/lines")
def edit_lines(item: str, body: LinesIn, user: Planner, session: DbSession) -> list[LineOut]:
    """Change the weeks sent (0 removes a week's line); the others keep their lines. All
    or nothing: a refusal names every refused week (``params.weeks``)."""
    cells: dict[str, str | float] = {line.week.isoformat(): line.qty for line in body.lines}
    mps_schedule.save_weeks(session, item, cells, author=user.name, force=body.force)
    return _lines(mps_schedule.schedule_lines(session, item))


@router.put("/{item}/lines")
def replace_lines(item: str, body: LinesIn, user: Planner, session: DbSession) -> list[LineOut]:
    """The schedule becomes the weeks sent: open lines of other weeks are removed. All or
    nothing, as PATCH."""
    cells: dict[str, str | float] = {line.week.isoformat(): line.qty for line in body.lines}
    mps_schedule.replace_schedule(session, item, cells, author=user.name, force=body.force)
    return _lines(mps_schedule.schedule_lines(session, item))


@router.get("/{item}/proposal")
def get_proposal(
    item: str,
    user: Reader,
    session: DbSession,
    weeks: Weeks = 12,
    min: Annotated[float, Query(ge=0, le=mps.MAX_QTY, description="at least per week")] = 0.0,
    max: Annotated[
        float | None, Query(ge=0, le=mps.MAX_QTY, description="at most per week")
    ] = None,
) -> list[ProposedWeek]:
    """A levelled schedule beyond the time fence: the same quantity each week, the
    smallest that keeps the projected balance at the safety stock."""
    proposal = mps.propose(session, item, weeks=weeks, minimum=min, maximum=max)
    return [ProposedWeek(week=week, qty=qty) for week, qty in proposal]


@router.post("/{item}/proposal/accept")
def accept_proposal(
    item: str, body: AcceptIn, user: Planner, session: DbSession
) -> list[ProposedWeek]:
    """Write the proposal as the schedule, all its weeks or ``only`` some; returns what
    was written."""
    written = mps_schedule.accept_proposal(
        session,
        item,
        weeks=body.weeks,
        minimum=body.min,
        maximum=body.max,
        only=body.only,
        author=user.name,
    )
    return [ProposedWeek(week=week, qty=qty) for week, qty in written]


@router.get("/{item}/rough-cut")
def get_rough_cut(
    item: str, user: Reader, session: DbSession, weeks: Weeks = 12
) -> list[RoughCutCenterOut]:
    """Rough-cut capacity: the hours the item's schedule asks of each key work center per
    week (its routing and its made components', setups once a week), against the hours
    the work center has (as ``pegboard mps rough-cut ITEM``)."""
    return _rough_cut(mps_rough_cut.rough_cut(session, item, weeks=weeks))


def _rough_cut(check: mps_rough_cut.RoughCut) -> list[RoughCutCenterOut]:
    return [
        RoughCutCenterOut(
            work_center=center.work_center,
            items=list(center.items),
            weeks=[
                RoughCutWeekOut(
                    week=w.start,
                    label=w.label,
                    hours=w.required,
                    available=w.available,
                    over=w.over,
                    other=w.other,
                    total=w.total,
                    total_over=w.total_over,
                )
                for w in center.weeks
            ],
        )
        for center in check.centers
    ]
