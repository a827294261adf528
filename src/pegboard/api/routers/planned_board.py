"""The planning board's move of a planned make order's operation: firm the planned order
and pin the operation (``services.firm_pin``), checked (``dry_run``, the default) or
saved, as the web's board of a planned order and ``pegboard planned op-move`` do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from pegboard.api.deps import DbSession, require
from pegboard.api.routers.board import MoveOperation, OperationMoveOut, operation_move_out
from pegboard.services import firm_pin
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/plan/planned-orders", tags=["plan"])
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]


class FirmPinOut(BaseModel):
    planned: str = Field(description="the planned order moved")
    number: str = Field(
        description="the production order it became (for a check: the number it would take)"
    )
    accepted: bool
    saved: bool
    message: str = Field(description="what was done, or would be, or why not: one sentence")
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
    return FirmPinOut(
        planned=answer.planned,
        number=answer.number,
        accepted=answer.accepted,
        saved=answer.saved,
        message=answer.message,
        move=operation_move_out(answer.move),
    )
