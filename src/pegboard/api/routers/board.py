"""The planning board's move of a production order, as the web's board makes it:
check it (``dry_run``, the default) or save it (``services.board_move``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, require
from pegboard.services import board_move
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/production-orders", tags=["production-orders"])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]
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
