"""The shop floor: a work center's dispatch list, and the operations of a production
order started and finished with the hours worked (#15 item 6)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.services import dispatch, shop_floor
from pegboard.services.permissions import Permission
from pegboard.services.shop_floor import OperationStatus, OrderProgress
from pegboard.services.users import UserView

router = APIRouter(tags=["shop floor"])
Shopfloor = Annotated[UserView, Depends(require(Permission.PRODUCTION))]
Number = Annotated[str, Path(max_length=100, description="production order, e.g. MO-2201")]
Sequence = Annotated[int, Path(ge=1, le=1_000_000, description="the operation's sequence")]
Note = Annotated[str, Field(max_length=500)]


class OperationOut(BaseModel):
    order: str
    sequence: int
    work_center: str
    description: str
    planned_hours: float = Field(description="setup + run per unit × the order's quantity")
    status: str = Field(description="waiting, started or done")
    started_at: datetime | None
    started_by: str
    finished_at: datetime | None
    finished_by: str
    hours_worked: Decimal | None = Field(description="confirmed when finished (exact)")
    note: str


class ProgressOut(BaseModel):
    order: str
    summary: str = Field(description="e.g. 1 of 3 operations done; started: 20 WELD")
    done: int
    planned_hours: float
    hours_worked: Decimal
    operations: list[OperationOut]


class MaterialOut(BaseModel):
    ready: bool
    text: str = Field(description='"ready", or what it waits for: item, supply and its day')
    ready_on: date | None


class DispatchRowOut(BaseModel):
    rank: int
    order: str
    order_status: str
    item: str
    sales_order: str
    due: date
    sequence: int
    description: str
    hours: float = Field(description="standard hours (setup + run × the order's remainder)")
    start: date
    end: date
    status: str
    runnable: bool = Field(description="released and its material there")
    material: MaterialOut


class DispatchOut(BaseModel):
    work_center: str
    order_source: str = Field(description="what orders the list: backward load or schedule")
    truncated: bool
    rows: list[DispatchRowOut]


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""


class FinishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: Annotated[
        Decimal,
        Field(ge=0, le=shop_floor.MAX_HOURS, decimal_places=2, description="hours worked in all"),
    ]
    note: Note = ""


def _op(op: OperationStatus) -> OperationOut:
    return OperationOut(
        order=op.order,
        sequence=op.sequence,
        work_center=op.work_center,
        description=op.description,
        planned_hours=op.planned_hours,
        status=op.status,
        started_at=op.started_at,
        started_by=op.started_by,
        finished_at=op.finished_at,
        finished_by=op.finished_by,
        hours_worked=op.hours_worked,
        note=op.note,
    )


def _progress(p: OrderProgress) -> ProgressOut:
    return ProgressOut(
        order=p.order,
        summary=p.summary,
        done=p.done,
        planned_hours=p.planned_hours,
        hours_worked=p.hours_worked,
        operations=[_op(op) for op in p.operations],
    )


@router.get("/capacity/work-centers/{code}/dispatch")
def dispatch_list(
    code: Annotated[str, Path(max_length=50)],
    user: Reader,
    session: DbSession,
    today: Annotated[date | None, Query(description="material needed by (default today)")] = None,
) -> DispatchOut:
    """What the work center should run next, in schedule order, with each operation's
    material status from the current plan's pegging."""
    listed = dispatch.dispatch_list(session, code, today=today or clock.today())
    return DispatchOut(
        work_center=listed.work_center,
        order_source=listed.order_source,
        truncated=listed.truncated,
        rows=[
            DispatchRowOut(
                rank=r.rank,
                order=r.order,
                order_status=r.order_status,
                item=r.item,
                sales_order=r.sales_order,
                due=r.due,
                sequence=r.sequence,
                description=r.description,
                hours=r.hours,
                start=r.start,
                end=r.end,
                status=r.status,
                runnable=r.runnable,
                material=MaterialOut(
                    ready=r.material.ready, text=r.material.text, ready_on=r.material.ready_on
                ),
            )
            for r in listed.rows
        ],
    )


@router.get("/production-orders/{number}/operations")
def operations(number: Number, user: Reader, session: DbSession) -> ProgressOut:
    """The order's operations (its routing) with what the shop floor reported."""
    return _progress(shop_floor.order_progress(session, number))


@router.post("/production-orders/{number}/operations/{sequence}/start")
def start_operation(
    number: Number, sequence: Sequence, body: StartIn, user: Shopfloor, session: DbSession
) -> ProgressOut:
    """Start an operation of a released order (the order goes in progress)."""
    shop_floor.start_operation(session, number, sequence, author=user.name, note=body.note)
    return _progress(shop_floor.order_progress(session, number))


@router.post("/production-orders/{number}/operations/{sequence}/finish")
def finish_operation(
    number: Number, sequence: Sequence, body: FinishIn, user: Shopfloor, session: DbSession
) -> ProgressOut:
    """Finish a started operation, confirming the hours worked on it (what costing uses)."""
    shop_floor.finish_operation(
        session, number, sequence, body.hours, author=user.name, note=body.note
    )
    return _progress(shop_floor.order_progress(session, number))
