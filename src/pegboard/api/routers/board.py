"""The planning board's moves, as the web's board makes them: a production order to
finish on another day (``services.board_move``) or one of its operations to another day
or work center (``services.operation_move``); each checked (``dry_run``, the default) or
saved."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, require
from pegboard.services import board_move, operation_move, pins
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/production-orders", tags=["production-orders"])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]
Reader = Annotated[UserView, Depends(require(Permission.READ))]
Number = Annotated[str, Path(max_length=100, description="production order, e.g. MO-2201")]


class MoveProduction(BaseModel):
    """An unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    finish: date = Field(description="the day the order is to finish (a working day)")
    dry_run: bool = Field(
        True, description="check only (default); false saves the move when it is accepted"
    )


class ShortageOut(BaseModel):
    item: str
    needed: float
    available: float = Field(description="lowest projected stock from the new start on")


class OverloadOut(BaseModel):
    work_center: str
    needed: float = Field(description="hours the order needs there")
    free: float = Field(description="hours free in the new window")


class PushedOut(BaseModel):
    number: str = Field(description="a parent order that must finish later")
    due_before: date
    due_after: date


class LateLineOut(BaseModel):
    line: str = Field(description="SO-…/line")
    due: date
    finish: date
    days_late: int
    days_late_before: int


class MoveOut(BaseModel):
    number: str
    item: str
    accepted: bool
    saved: bool
    reasons: list[str] = Field(description="why it is refused (empty when accepted)")
    start_before: date
    due_before: date
    start_after: date
    due_after: date
    shortages: list[ShortageOut]
    overloads: list[OverloadOut]
    capacity_checked: bool = Field(description="false when the order follows no routing")
    pushed: list[PushedOut]
    late_lines: list[LateLineOut] = Field(description="sales-order lines the move makes late")


def move_out(a: board_move.MoveAnswer) -> MoveOut:
    return MoveOut(
        number=a.number,
        item=a.item,
        accepted=a.accepted,
        saved=a.saved,
        reasons=a.reasons,
        start_before=a.start_before,
        due_before=a.due_before,
        start_after=a.start_after,
        due_after=a.due_after,
        shortages=[ShortageOut(**s.__dict__) for s in a.shortages],
        overloads=[OverloadOut(**o.__dict__) for o in a.overloads],
        capacity_checked=a.capacity_checked,
        pushed=[PushedOut(**p.__dict__) for p in a.pushed],
        late_lines=[LateLineOut(**line.__dict__) for line in a.late_lines],
    )


@router.post("/{number}/move")
def move_production(
    number: Number, body: MoveProduction, user: Planner, session: DbSession
) -> MoveOut:
    """Move a planned order to finish on ``finish``: checked against its components'
    projected stock and its work centers' free hours, with the sales-order lines it makes
    late. A dry run answers only; otherwise an accepted move is saved as the order's firm
    dates (audited) and a refused one is a 409 with the reasons, nothing written."""
    answer = board_move.move_production(
        session, number, body.finish, author=user.name, dry_run=body.dry_run
    )
    return move_out(answer)


class MoveOperation(BaseModel):
    """An unknown field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    start: date = Field(description="the day the operation is to start (its work center's)")
    work_center: str | None = Field(
        None, max_length=50, description="another work center to run it on (default: its own)"
    )
    dry_run: bool = Field(
        True, description="check only (default); false saves the move when it is accepted"
    )


class OperationMoveOut(BaseModel):
    number: str
    item: str
    sequence: int
    accepted: bool
    saved: bool
    reasons: list[str] = Field(description="why it is refused (empty when accepted)")
    hours: float = Field(description="standard hours the operation needs")
    work_center_before: str
    work_center_after: str
    start_before: date
    end_before: date
    start_after: date
    end_after: date
    free: float = Field(description="hours the work center has free over the new days")
    completion_before: date
    completion_after: date = Field(description="when the order's last operation ends")
    scheduled: bool = Field(
        description="placed by the stored finite schedule (a saved move shows there at once); "
        "false: by the backward load (a saved move is pinned for the next schedule)"
    )
    pinned_before: bool = Field(description="it was pinned already (a saved move re-pins it)")
    note: str = Field(description="what saving did (empty for a check)")
    shortages: list[ShortageOut]
    pushed: list[PushedOut]
    late_lines: list[LateLineOut] = Field(description="sales-order lines the move makes late")


def operation_move_out(a: operation_move.OperationMoveAnswer) -> OperationMoveOut:
    return OperationMoveOut(
        number=a.number,
        item=a.item,
        sequence=a.sequence,
        accepted=a.accepted,
        saved=a.saved,
        reasons=a.reasons,
        hours=a.hours,
        work_center_before=a.work_center_before,
        work_center_after=a.work_center_after,
        start_before=a.start_before,
        end_before=a.end_before,
        start_after=a.start_after,
        end_after=a.end_after,
        free=round(a.free, 6),
        completion_before=a.completion_before,
        completion_after=a.completion_after,
        scheduled=a.scheduled,
        pinned_before=a.pinned_before,
        note=a.saved_note if a.saved else "",
        shortages=[ShortageOut(**s.__dict__) for s in a.shortages],
        pushed=[PushedOut(**p.__dict__) for p in a.pushed],
        late_lines=[LateLineOut(**line.__dict__) for line in a.late_lines],
    )


@router.post("/{number}/operations/{sequence}/move")
def move_operation(
    number: Number,
    sequence: Annotated[int, Path(ge=0, le=1_000_000, description="the operation's sequence")],
    body: MoveOperation,
    user: Planner,
    session: DbSession,
) -> OperationMoveOut:
    """Move one operation of a planned or released order to start on ``start`` (on
    ``work_center``): checked to stay in sequence, against the work center's free hours
    (the stored schedule's, else the backward load's), its components when moved before
    the order's start, with the sales-order lines it makes late. A dry run answers only;
    otherwise an accepted move is pinned (later finite schedules keep it there until it
    is unpinned) and written into the stored finite schedule when one is current
    (audited); a refused one is a 409 with the reasons, nothing written."""
    answer = operation_move.move_operation(
        session,
        number,
        sequence,
        body.start,
        work_center=body.work_center,
        author=user.name,
        dry_run=body.dry_run,
    )
    return operation_move_out(answer)


class PinOut(BaseModel):
    number: str
    sequence: int
    work_center: str
    start: date
    end: date = Field(description="the last day it runs (its hours spread over the days between)")
    author: str
    status: str = Field(description="its order's status")
    ignored: bool = Field(description="its order is done, closed or cancelled: schedules skip it")
    past: bool = Field(
        False,
        description="its days are all before the current plan's planning date: schedules "
        "skip it (unpin it or move it again)",
    )


def pin_out(p: pins.Pin) -> PinOut:
    return PinOut(**p.__dict__, ignored=p.ignored)


@router.get("/{number}/pins")
def order_pins(number: Number, user: Reader, session: DbSession) -> list[PinOut]:
    """The order's operations pinned on the planning board: each finite schedule places
    them on their work center and days first, until they are unpinned."""
    return [pin_out(p) for p in pins.list_pins(session, number)]


@router.delete("/{number}/operations/{sequence}/pin")
def unpin_operation(
    number: Number,
    sequence: Annotated[int, Path(ge=0, le=1_000_000, description="the operation's sequence")],
    user: Planner,
    session: DbSession,
) -> PinOut:
    """Unpin an operation (audited): the next finite schedule places it from its routing
    again (the stored schedule keeps it where it is until then). 404 when not pinned."""
    return pin_out(pins.unpin_operation(session, number, sequence, author=user.name))
