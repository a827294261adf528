"""Plan runs (background jobs) and the current plan: planned orders, pegging, exceptions.

``POST /plan/runs`` answers 202 with a job at once; poll ``GET /jobs/{id}`` until it
is ``done`` (its ``result`` is the run's summary) or ``failed`` (its ``message``
says why). Only one plan run or import is open at a time: a second one is 409.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import sort_query
from pegboard.api.routers.jobs import JobOut, job_out
from pegboard.db import Session
from pegboard.errors import NotFoundError
from pegboard.model.enums import ItemType
from pegboard.services import jobs, plan_results, reports
from pegboard.services.firm_selection import firm_selection
from pegboard.services.permissions import Permission
from pegboard.services.plan_age import PlanAge, plan_age
from pegboard.services.planning import current_run
from pegboard.services.release_windows import WindowName, release_days
from pegboard.services.reports import LineStatus, PegNode
from pegboard.services.users import UserView
from pegboard.services.wording import plural

AGE_HEADER = "X-Pegboard-Plan-Out-Of-Date"
"""Set on every answer of ``/plan`` while the plan is out of date (by date or changes)."""


class PlanAgeOut(BaseModel):
    """Whether the plan still says what is true: by its date and by the changes since."""

    out_of_date: bool = Field(description="planned before today, or older than changes since")
    days_behind: int = Field(description="days from the planning date to today")
    changes_since: int = Field(
        description="changes to what the plan is planned from (BOMs, items' planning "
        "fields, stock, orders...) made since it read them, one per transaction"
    )
    last_change: str | None = Field(description="the last of those changes, in words")
    last_changed_at: datetime | None
    message: str = Field(description="what the pages' banner says; empty when current")


def plan_age_out(age: PlanAge) -> PlanAgeOut:
    return PlanAgeOut(
        out_of_date=age.out_of_date,
        days_behind=age.days_behind,
        changes_since=age.changes,
        last_change=age.last_change,
        last_changed_at=age.last_changed_at,
        message=" ".join(t for t in (age.sentence(), age.changes_sentence()) if t),
    )


def _age_header(response: Response, session: DbSession) -> None:
    """Every answer of the plan says, in a header, when the plan is out of date. Read in a
    transaction of its own, ended before the handler's (which may begin its own)."""
    if session.in_transaction():
        age = plan_age(session, clock.today())
    else:
        with session.begin():
            age = plan_age(session, clock.today())
    if age.out_of_date and age.planning_date is not None:
        response.headers[AGE_HEADER] = (
            f"{plural(age.days_behind, 'day')} behind; {plural(age.changes, 'change')} since it ran"
        )


router = APIRouter(prefix="/plan", tags=["plan"], dependencies=[Depends(_age_header)])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]

NO_PLAN = "there is no plan yet: start one with POST /api/plan/runs (or `pegboard plan`)"

Text = Annotated[str | None, Query(min_length=1, max_length=200)]


# --- plan runs ---------------------------------------------------------------------------


class PlanStart(BaseModel):
    planning_date: date | None = Field(
        default=None, description="plan as of this day (default: the company setting, else today)"
    )


class PlanRunOut(BaseModel):
    id: int
    planning_date: date
    status: str
    author: str
    started_at: datetime
    finished_at: datetime | None
    load_seconds: float
    engine_seconds: float
    store_seconds: float
    items: int
    demands: int
    planned_orders: int
    pegging_rows: int
    exceptions: int
    message: str


class CurrentPlanOut(PlanRunOut):
    late_lines: int = Field(description="sales-order lines projected after their due date")
    planned_buy: int
    planned_make: int
    exceptions_by_kind: dict[str, int]
    age: PlanAgeOut


def _run_out(run: Any) -> dict[str, Any]:
    """A plan run (``services.plan_results``) as the API shows it."""
    return {
        "id": run.id,
        "planning_date": run.planning_date,
        "status": run.status.value,
        "author": run.author,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "load_seconds": run.load_seconds,
        "engine_seconds": run.engine_seconds,
        "store_seconds": run.store_seconds,
        "items": run.items,
        "demands": run.demands,
        "planned_orders": run.planned_orders,
        "pegging_rows": run.pegging_rows,
        "exceptions": run.exceptions,
        "message": run.message,
    }


@router.post("/runs", status_code=202)
def start_run(
    response: Response,
    user: Planner,
    session: DbSession,
    body: PlanStart | None = None,
) -> JobOut:
    """Start a plan run in the background; 409 while a plan run or an import is open.

    Poll ``GET /api/jobs/{id}`` (also in the ``Location`` header) for its progress."""
    planning_date = body.planning_date if body is not None else None
    job_id = jobs.submit(session, "plan", author=user.name, planning_date=planning_date)
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return job_out(jobs.get_job(session, job_id))


@router.get("/runs")
def list_runs(user: Reader, session: DbSession, paging: Paging) -> Page[PlanRunOut]:
    """Every recorded plan run, newest first (only the newest keeps its rows)."""
    runs, total = plan_results.plan_runs(session, limit=paging.limit, offset=paging.offset)
    return Page(
        items=[PlanRunOut(**_run_out(run)) for run in runs],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/runs/current")
def current(user: Reader, session: DbSession) -> CurrentPlanOut:
    """The current plan: its dates, counts and timings, and what needs attention."""
    run = _require_plan(session)
    return CurrentPlanOut(
        **_run_out(run),
        late_lines=reports.count_late(session),
        planned_buy=reports.count_planned(session, ItemType.BUY.value),
        planned_make=reports.count_planned(session, ItemType.MAKE.value),
        exceptions_by_kind=plan_results.exception_counts(session),
        age=plan_age_out(plan_age(session, clock.today())),
    )


def _require_plan(session: Session) -> Any:
    run = current_run(session)
    if run is None:
        raise NotFoundError(NO_PLAN)
    return run


# --- planned orders ----------------------------------------------------------------------


class PlannedOrderOut(BaseModel):
    number: str
    item: str
    description: str
    type: str
    qty: float
    uom: str
    supplier: str
    release_date: date
    due_date: date
    earliest_completion: date
    late: bool
    sales_order: str | None
    firmed_as: str | None = Field(description="the order it became, once firmed")


@router.get("/planned-orders")
def planned_orders(
    user: Reader,
    session: DbSession,
    paging: Paging,
    kind: Annotated[Literal["buy", "make"] | None, Query(alias="type")] = None,
    item: Text = None,
    sales_order: Text = None,
    until: Annotated[date | None, Query(description="released on or before this day")] = None,
    since: Annotated[
        date | None,
        Query(alias="from", description="released on or after this day (the page's release from)"),
    ] = None,
    window: Annotated[
        WindowName | None,
        Query(
            description="the page's shortcuts instead of from/until, as of today: overdue, "
            "today (overdue ones too), this-week (Monday to Sunday, overdue ones too), "
            "next-week"
        ),
    ] = None,
    late: Annotated[bool | None, Query(description="true: only late ones")] = None,
    firmed: Annotated[
        bool,
        Query(description="false (the default): still to release; true: firmed already"),
    ] = False,
    sort: Annotated[str | None, sort_query(plan_results.PLANNED_ORDER_SORT)] = None,
) -> Page[PlannedOrderOut]:
    """The current plan's planned orders still to release, or (``firmed=true``) those
    firmed already (default order: release date, number). ``from`` after ``until``, or
    a ``window`` with either, is 422."""
    since, until = release_days(clock.today(), since=since, until=until, window=window)
    _require_plan(session)
    rows, total = plan_results.planned_order_page(
        session,
        kind=ItemType(kind) if kind else None,
        item=item,
        sales_order=sales_order,
        until=until,
        since=since,
        late=late,
        firmed=firmed,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [
        PlannedOrderOut(
            number=number,
            item=code,
            description=description,
            type=ItemType(order_type).value,
            qty=qty,
            uom=uom,
            supplier=supplier,
            release_date=release,
            due_date=due,
            earliest_completion=earliest,
            late=bool(is_late),
            sales_order=so,
            firmed_as=firmed_as,
        )
        for (
            number,
            code,
            description,
            order_type,
            qty,
            uom,
            supplier,
            release,
            due,
            earliest,
            is_late,
            so,
            firmed_as,
        ) in rows
    ]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


class FirmPlanned(BaseModel):
    model_config = ConfigDict(extra="forbid")

    planned: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=1000, description="planned orders of the current plan (PL-…)"
    )


class FirmedOut(BaseModel):
    purchase_orders: list[str] = Field(description="the new purchase orders, one per supplier")
    production_orders: list[str] = Field(description="the new production orders")


@router.post("/firm", status_code=201)
def firm(body: FirmPlanned, user: Reader, session: DbSession) -> FirmedOut:
    """Firm planned buy and make orders together, all or none: a role firming buys needs
    ``purchase``, makes ``plan`` (403 otherwise, nothing firmed)."""
    done = firm_selection(session, planned=body.planned, role=user.role, author=user.name)
    return FirmedOut(purchase_orders=done.purchase_orders, production_orders=done.production_orders)


# --- pegging -----------------------------------------------------------------------------


class PeggingOut(BaseModel):
    supply_type: str
    supply: str
    item: str
    qty: float
    demand_type: str
    demand: str


@router.get("/pegging")
def pegging(
    user: Reader,
    session: DbSession,
    paging: Paging,
    sales_order: Annotated[
        str | None, Query(min_length=1, max_length=200, description="demand is one of its lines")
    ] = None,
    supply: Text = None,
    demand: Text = None,
    item: Text = None,
    sort: Annotated[str | None, sort_query(plan_results.PEGGING_SORT)] = None,
) -> Page[PeggingOut]:
    """Which supply serves which demand, one row per pair (default: the plan's order)."""
    _require_plan(session)
    rows, total = plan_results.pegging_page(
        session,
        sales_order=sales_order,
        supply=supply,
        demand=demand,
        item=item,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [
        PeggingOut(supply_type=st, supply=s, item=i, qty=q, demand_type=dt, demand=d)
        for st, s, i, q, dt, d in rows
    ]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


class PegNodeOut(BaseModel):
    supply_type: str
    supply: str
    item: str
    qty: float
    available: date
    children: list[PegNodeOut]
    held: str = Field(
        default="",
        description="why the finite schedule made it late, when it did: the work center "
        "and its full days",
    )


class ChainStep(BaseModel):
    supply_type: str
    supply: str
    item: str
    available: date
    held: str = Field(default="", description="as in the supply tree")


class LineStatusOut(BaseModel):
    demand: str = Field(description="sales order/line")
    item: str
    qty: float
    due: date
    projected: date
    late_days: int
    chain: list[ChainStep] = Field(description="the supplies that set the projected date")
    supplies: list[PegNodeOut]


def peg_node_out(node: PegNode) -> PegNodeOut:
    return PegNodeOut(
        supply_type=node.supply_type,
        supply=node.supply,
        item=node.item,
        qty=node.qty,
        available=node.available,
        children=[peg_node_out(c) for c in node.children],
        held=node.held,
    )


def line_status_out(line: LineStatus) -> LineStatusOut:
    chain: list[PegNode] = []
    if line.supplies:
        latest = max(line.supplies, key=lambda n: (n.available, n.supply))
        chain = reports.critical_chain(latest)
    return LineStatusOut(
        demand=line.demand,
        item=line.item,
        qty=line.qty,
        due=line.due,
        projected=line.projected,
        late_days=line.late_days,
        chain=[
            ChainStep(
                supply_type=n.supply_type,
                supply=n.supply,
                item=n.item,
                available=n.available,
                held=n.held,
            )
            for n in chain
        ],
        supplies=[peg_node_out(n) for n in line.supplies],
    )


@router.get("/sales-orders/{number}/pegging")
def sales_order_pegging(number: str, user: Reader, session: DbSession) -> list[LineStatusOut]:
    """Each open line of the sales order with the full tree of supplies serving it,
    down to the last purchased component (``pegboard report pegging``)."""
    _require_plan(session)
    return [line_status_out(line) for line in reports.sales_order_pegging(session, number)]


# --- exceptions --------------------------------------------------------------------------


class ExceptionOut(BaseModel):
    kind: str
    item: str
    order: str
    date: date
    sales_order: str | None
    message: str


@router.get("/exceptions")
def exceptions(
    user: Reader,
    session: DbSession,
    paging: Paging,
    kind: Literal["late", "expedite", "defer", "cancel", "shortage", "mps_short"] | None = None,
    item: Text = None,
    sales_order: Text = None,
    sort: Annotated[str | None, sort_query(plan_results.EXCEPTION_SORT)] = None,
) -> Page[ExceptionOut]:
    """The current plan's exceptions (default: the report order, kind then date)."""
    _require_plan(session)
    rows, total = plan_results.sorted_exception_page(
        session,
        kind=kind,
        item=item,
        sales_order=sales_order,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    items = [
        ExceptionOut(kind=k, item=i, order=o, date=d, sales_order=so, message=m)
        for k, i, o, d, so, m in rows
    ]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)
