"""``/api/scenarios``: the what-if copies of the company, and what changes between two
plans (``pegboard scenario list`` and ``compare``).

A planner (or an admin) creates one (``POST``, a whole copy of the live company or of
another scenario, as ``pegboard scenario create``) and deletes it; any other request
works on a scenario with the ``X-Pegboard-Scenario`` header. Amounts are exact decimals
rounded to cents (JSON strings).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from pegboard.api.deps import LiveUrl, Reader, require
from pegboard.services import money, scenario_compare, scenarios
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

Name = Annotated[
    str,
    Query(
        min_length=1,
        max_length=40,
        description="a scenario (`GET /api/scenarios`), or `live` for the live company",
    ),
]


Planner = Annotated[UserView, Depends(require(Permission.PLAN))]


class ScenarioIn(BaseModel):
    name: str = Field(
        min_length=1, max_length=40, description="1-40 lowercase letters, digits and dashes"
    )
    base: str = Field(
        default=scenarios.LIVE,
        max_length=40,
        description="copy this scenario instead of the live company (`live`: the live one)",
    )


class ScenarioOut(BaseModel):
    name: str
    base: str = Field(description="what it was copied from: `live` or another scenario")
    author: str
    created_at: datetime | None
    planned_on: date | None = Field(description="the planning date of its current plan")


def _out(s: scenarios.ScenarioInfo) -> ScenarioOut:
    return ScenarioOut(
        name=s.name, base=s.base, author=s.author, created_at=s.created_at, planned_on=s.planned_on
    )


@router.get("")
def list_scenarios(user: Reader, live: LiveUrl) -> list[ScenarioOut]:
    """The scenarios of the live company, by name."""
    return [_out(s) for s in scenarios.list_all(live=live)]


@router.post("", status_code=201)
def create_scenario(body: ScenarioIn, user: Planner, live: LiveUrl) -> ScenarioOut:
    """Copy the live company (or scenario ``base``) into a new scenario, recorded in the
    copy's audit trail with the signed-in user as author; the live company is untouched."""
    return _out(scenarios.create(body.name, base=body.base, author=user.name, live=live))


@router.delete("/{name}", status_code=204)
def delete_scenario(
    request: Request,
    name: Annotated[str, Path(min_length=1, max_length=40)],
    user: Planner,
    live: LiveUrl,
) -> Response:
    """Remove a scenario and everything in it (never the live company)."""
    scenarios.delete(name, live=live, cache=request.app.state.scenario_sessions)
    return Response(status_code=204)


class LineChangeOut(BaseModel):
    change: str = Field(
        description="later, earlier, newly late, no longer late, only in A, only in B "
        "(a line later and newly late is listed under both)"
    )
    demand: str = Field(description="the order line, SO-1042/1")
    due: date
    projected_a: date | None
    projected_b: date | None
    moved_days: int | None = Field(description="B's projected date less A's")
    late_days_a: int
    late_days_b: int


class SupplyChangeOut(BaseModel):
    item: str
    type: str = Field(description="buy or make")
    week: str = Field(description="ISO week of the due date, 2027-W03")
    change: str = Field(description="added, removed or changed")
    qty_a: float
    qty_b: float


class WeekLoadOut(BaseModel):
    week: str
    hours_a: float
    hours_b: float
    available_a: float | None = Field(description="None: not loaded that week in A")
    available_b: float | None


class LoadChangeOut(BaseModel):
    work_center: str
    hours_a: float = Field(description="hours required over the weeks loaded in A or B")
    hours_b: float
    available_a: float
    available_b: float
    overloaded_weeks_a: int
    overloaded_weeks_b: int
    weeks: list[WeekLoadOut] = Field(description="the weeks that differ")


class CostChangeOut(BaseModel):
    order: str
    estimated_a: Decimal | None = Field(description="None: not an open order in A")
    estimated_b: Decimal | None
    actual_a: Decimal | None
    actual_b: Decimal | None
    estimated_change: Decimal
    actual_change: Decimal


class ComparisonOut(BaseModel):
    a: str
    b: str
    lines: list[LineChangeOut]
    supply: list[SupplyChangeOut]
    capacity: bool = Field(description="work centers exist on either side")
    loaded: bool = Field(description="the load per work center was compared (`load=true`)")
    load: list[LoadChangeOut]
    costed: bool = Field(description="the open orders' costs were compared")
    currency: str
    costs: list[CostChangeOut]
    notes: list[str] = Field(description="what could not be compared like with like")


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else money.cents(value)


def _load(c: scenario_compare.LoadChange) -> LoadChangeOut:
    return LoadChangeOut(
        work_center=c.work_center,
        hours_a=c.required_before,
        hours_b=c.required_after,
        available_a=c.available_before,
        available_b=c.available_after,
        overloaded_weeks_a=c.overloaded_before,
        overloaded_weeks_b=c.overloaded_after,
        weeks=[
            WeekLoadOut(
                week=w.week,
                hours_a=w.required_before,
                hours_b=w.required_after,
                available_a=w.available_before,
                available_b=w.available_after,
            )
            for w in c.weeks
        ],
    )


def _cost(c: scenario_compare.CostChange) -> CostChangeOut:
    return CostChangeOut(
        order=c.order,
        estimated_a=_money(c.estimated_before),
        estimated_b=_money(c.estimated_after),
        actual_a=_money(c.actual_before),
        actual_b=_money(c.actual_after),
        estimated_change=money.cents(c.estimated_change),
        actual_change=money.cents(c.actual_change),
    )


@router.get("/compare")
def compare(
    a: Name,
    b: Name,
    user: Reader,
    live: LiveUrl,
    cost: Annotated[bool, Query(description="compare the open orders' cost (slower)")] = True,
    load: Annotated[
        bool, Query(description="compare the load per work center (slower at full size)")
    ] = True,
) -> ComparisonOut:
    """What changes from A's plan to B's: order lines, planned purchases and production
    per item and week, load per work center, cost of the open orders."""
    r = scenario_compare.compare(a, b, costs=cost, loads=load, live=live)
    return ComparisonOut(
        a=r.a,
        b=r.b,
        lines=[
            LineChangeOut(
                change=kind,
                demand=c.demand,
                due=c.due,
                projected_a=c.before,
                projected_b=c.after,
                moved_days=c.moved_days,
                late_days_a=c.late_before,
                late_days_b=c.late_after,
            )
            for kind, c in scenario_compare.lines_of(r)
        ],
        supply=[
            SupplyChangeOut(
                item=s.item, type=s.type, week=s.week, change=s.kind, qty_a=s.before, qty_b=s.after
            )
            for s in r.supply
        ],
        capacity=r.capacity,
        loaded=r.loaded,
        load=[_load(c) for c in r.load],
        costed=r.costed,
        currency=r.currency,
        costs=[_cost(c) for c in r.costs],
        notes=r.notes,
    )
