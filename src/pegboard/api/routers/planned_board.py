"""The planning board's moves of a planned make order: one of its operations (firm the
planned order and pin the operation) or the whole order (firm it and move its dates),
``services.firm_pin``, checked (``dry_run``, the default) or saved, as the web's board of
a planned order and ``pegboard mo firm-pin`` / ``firm-move`` do."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from pegboard.api.deps import DbSession, require
from pegboard.api.routers.board import (
    MoveOperation,
    MoveOut,
    MoveProduction,
    OperationMoveOut,
    move_out,
    operation_move_out,
)
from pegboard.services import firm_pin
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/plan/planned-orders", tags=["plan"])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]


class FirmedOut(BaseModel):
    """What both moves of a planned order answer besides the move itself."""

    planned: str = Field(description="the planned order moved")
    number: str = Field(
        description="the production order it became (for a check: the number it would take)"
    )
    accepted: bool
    saved: bool
    message: str = Field(description="what was done, or would be, or why not: one sentence")


def _firmed(answer: firm_pin.FirmPinAnswer | firm_pin.FirmMoveAnswer) -> dict[str, Any]:
    return {
        "planned": answer.planned,
        "number": answer.number,
        "accepted": answer.accepted,
        "saved": answer.saved,
        "message": answer.message,
    }


class FirmPinOut(FirmedOut):
    move: OperationMoveOut = Field(description="the operation's move, as for a production order")


@router.post("/{number}/operations/{sequence}/move")
def firm_and_pin(
    number: Annotated[str, Path(max_length=50, description="planned order, e.g. PL-000012")],
    sequence: Annotated[int, Path(ge=0, le=1_000_000, description="the operation's sequence")],
    body: MoveOperation,
    user: Planner,
    session: DbSession,
) -> FirmPinOut:
    """Move one operation of a planned make order: the planned order is firmed into a
    production order (numbered and audited as firming does) and the operation pinned
    there, in one transaction, after the same checks as a production order's operation
    (sequence, free hours, material, the lines it makes late). A dry run answers only
    and writes nothing; a refused move is a 409 with the reasons and firms nothing."""
    answer = firm_pin.firm_and_pin(
        session,
        number,
        sequence,
        body.start,
        work_center=body.work_center,
        author=user.name,
        dry_run=body.dry_run,
    )
    return FirmPinOut(**_firmed(answer), move=operation_move_out(answer.move))


class FirmMoveOut(FirmedOut):
    move: MoveOut = Field(description="the order's move, as for a production order")


@router.post("/{number}/move")
def firm_and_move(
    number: Annotated[str, Path(max_length=50, description="planned order, e.g. PL-000012")],
    body: MoveProduction,
    user: Planner,
    session: DbSession,
) -> FirmMoveOut:
    """Move a planned make order to finish on ``finish``: the planned order is firmed into
    a production order and its dates moved there, in one transaction, after the same
    checks as a production order's move (components, work centers' free hours, the lines
    it makes late). A dry run answers only and writes nothing; a refused move is a 409
    with the reasons and firms nothing."""
    answer = firm_pin.firm_and_move(
        session, number, body.finish, author=user.name, dry_run=body.dry_run
    )
    return FirmMoveOut(**_firmed(answer), move=move_out(answer.move))
