"""Reports on the current plan: late, shortages, buy, make, actions, where used.

The same reports as ``pegboard report …``, in the same order. Each answers 404
while there is no plan yet.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from pegboard import clock
from pegboard.api.deps import DbSession, Reader
from pegboard.api.pagination import Page, Paging
from pegboard.api.routers.plan import ExceptionOut, LineStatusOut, line_status_out
from pegboard.api.xlsx_response import XLSX_RESPONSES, xlsx_download
from pegboard.services import reports, xlsx_reports
from pegboard.services.release_windows import WindowName, release_days
from pegboard.services.reports import ExceptionRow, PlannedRow, UseNode

router = APIRouter(prefix="/reports", tags=["reports"])

Until = Annotated[date | None, Query(description="released on or before this day; default: all")]
Since = Annotated[
    date | None, Query(alias="from", description="released on or after this day; default: all")
]
Window = Annotated[
    WindowName | None,
    Query(
        description="instead of from/until, as of today: overdue, today (overdue ones too), "
        "this-week (Monday to Sunday, overdue ones too), next-week"
    ),
]


def _exception(row: ExceptionRow) -> ExceptionOut:
    return ExceptionOut(
        kind=row.kind,
        item=row.item,
        order=row.order,
        date=row.date,
        sales_order=row.sales_order or None,
        message=row.message,
    )


class PlannedReportOut(BaseModel):
    number: str = Field(description="the planned order")
    item: str
    description: str
    supplier: str
    qty: float
    uom: str
    release: date
    due: date
    sales_order: str | None
    late: bool


def _planned(row: PlannedRow) -> PlannedReportOut:
    return PlannedReportOut(
        number=row.number,
        item=row.item,
        description=row.description,
        supplier=row.supplier,
        qty=row.qty,
        uom=row.uom,
        release=row.release,
        due=row.due,
        sales_order=row.sales_order or None,
        late=row.late,
    )


@router.get("/late.xlsx", response_class=Response, responses=XLSX_RESPONSES)
def late_xlsx(user: Reader, session: DbSession) -> Response:
    """Every late sales-order line as an XLSX workbook, with its customer and the chain of
    supplies that sets its date (not paged: the whole report)."""
    return xlsx_download(xlsx_reports.late_xlsx(session), "late-orders")


@router.get("/late")
def late(user: Reader, session: DbSession, paging: Paging) -> Page[LineStatusOut]:
    """Sales-order lines projected after their due date, earliest due first, each with
    the chain of supplies that sets its date and its whole supply tree."""
    lines = reports.late_orders(session, limit=paging.limit, offset=paging.offset)
    return Page(
        items=[line_status_out(line) for line in lines],
        total=reports.count_late(session),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/shortages")
def shortages(
    user: Reader,
    session: DbSession,
    paging: Paging,
    sales_order: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Page[ExceptionOut]:
    """Per sales order, what stock and open orders do not cover: still to buy or make."""
    rows = reports.shortages(
        session, sales_order=sales_order, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[_exception(r) for r in rows],
        total=reports.count_exceptions(session, reports.SHORTAGE, sales_order=sales_order),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/buy")
def buy(
    user: Reader,
    session: DbSession,
    paging: Paging,
    until: Until = None,
    since: Since = None,
    window: Window = None,
) -> Page[PlannedReportOut]:
    """Planned purchases to release from ``from`` to ``until`` (or in ``window``), by
    supplier then item; ``from`` after ``until`` is 422."""
    since, until = release_days(clock.today(), since=since, until=until, window=window)
    rows = reports.buy_list(
        session, until=until, since=since, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[_planned(r) for r in rows],
        total=reports.count_planned(session, "buy", until=until, since=since),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/make")
def make(
    user: Reader,
    session: DbSession,
    paging: Paging,
    until: Until = None,
    since: Since = None,
    window: Window = None,
) -> Page[PlannedReportOut]:
    """Planned production to release from ``from`` to ``until`` (or in ``window``), by
    item; ``from`` after ``until`` is 422."""
    since, until = release_days(clock.today(), since=since, until=until, window=window)
    rows = reports.make_list(
        session, until=until, since=since, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[_planned(r) for r in rows],
        total=reports.count_planned(session, "make", until=until, since=since),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/actions")
def actions(user: Reader, session: DbSession, paging: Paging) -> Page[ExceptionOut]:
    """Open orders to expedite, defer or cancel, and master-schedule weeks short inside
    the time fence."""
    rows = reports.actions(session, limit=paging.limit, offset=paging.offset)
    return Page(
        items=[_exception(r) for r in rows],
        total=reports.count_exceptions(session, reports.ACTIONS),
        limit=paging.limit,
        offset=paging.offset,
    )


class UseOut(BaseModel):
    demand_type: str
    demand: str
    item: str
    qty: float
    parents: list[UseOut] = Field(description="what that demand (a parent order) serves in turn")


class SupplyUseOut(BaseModel):
    supply_type: str
    supply: str
    qty: float
    uses: list[UseOut]


def _use(node: UseNode) -> UseOut:
    return UseOut(
        demand_type=node.demand_type,
        demand=node.demand,
        item=node.item,
        qty=node.qty,
        parents=[_use(p) for p in node.parents],
    )


@router.get("/where-used-supply/{item}")
def where_used_supply(item: str, user: Reader, session: DbSession) -> list[SupplyUseOut]:
    """Every supply of an item and the orders it feeds, up to the sales orders."""
    return [
        SupplyUseOut(supply_type=st, supply=ref, qty=qty, uses=[_use(u) for u in uses])
        for st, ref, qty, uses in reports.where_used_supply(session, item)
    ]
