"""The planning board of a planned make order: drag the order, or one of its operations,
to another day (or an operation to another work center) to say "I want this made then"
(``services.firm_pin``). The whole order's drag firms it with its new dates
(``firm_and_move``) and opens the new production order's page; an operation's firms it
and pins the operation (``firm_and_pin``), as below.

The plan's suggestion is drawn in the suggested style (not yet firm). The check (GET,
nothing saved) answers as for a production order's operation, naming the production
order the planned order would become; the confirm button POSTs it, which firms the
planned order and pins the operation in one transaction, then opens the new production
order's board with a message saying what the planned order became. static/board.js
drags the bars as on a production order's board (the same element ids). The same
service and answer as ``POST /api/plan/planned-orders/{number}/operations/{sequence}/move``
and ``pegboard mo firm-pin``.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError
from pegboard.services import firm_pin
from pegboard.web import auth
from pegboard.web.board import PX, _day, op_rows, strip
from pegboard.web.board_operations import (
    OperationMoves,
    OpForm,
    Planner,
    add_operation_routes,
    shown_op,
)
from pegboard.web.deps import DbSession
from pegboard.web.errors import refused_change
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    *,
    op_answer: firm_pin.FirmPinAnswer | None = None,
    op_form: OpForm | None = None,
    error: str | None = None,
    finish: str = "",
    order_answer: firm_pin.FirmMoveAnswer | None = None,
    order_error: str | None = None,
    status_code: int = 200,
) -> Response:
    board = firm_pin.planned_board(session, number)
    given = shown_op(op_form, board.operations)
    context = chrome(who, "plan") | {
        "title": f"Move planned order {board.number}",
        "board": board,
        "answer": op_answer,
        "op_form": given,
        "op_rows": op_rows(board.operations),
        "op_error": error,
        "px": PX,
        "finish": finish or board.due.isoformat(),
        "order_answer": order_answer,
        "order_error": order_error,
        "strip": strip(board.release, board.due),
    }
    return page(request, "board_planned.html", context, status_code=status_code)


@router.get("/board/planned/{number}")
def planned_form(
    request: Request, session: DbSession, who: Planner, number: str, finish: str = ""
) -> Response:
    """The planned order and its operations on the board, ready to drag; with ``finish``
    given, the check of moving the whole order there (nothing firmed, nothing saved)."""
    if not finish.strip():
        return _page(request, session, who, number)
    answer = _move_order(request, session, who, number, finish[:40], dry_run=True)
    if isinstance(answer, Response):
        return answer
    return _page(request, session, who, number, finish=finish, order_answer=answer)


@router.post("/board/planned/{number}")
def planned_firm_and_move(
    request: Request,
    session: DbSession,
    who: Planner,
    number: str,
    finish: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Firm the planned order with its new dates (checked again), then open the new
    production order's page."""
    answer = _move_order(request, session, who, number, finish, dry_run=False)
    if isinstance(answer, Response):
        return answer
    return redirect(f"/production/{quote(answer.number, safe='')}", done=answer.message)


def _move_order(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    finish: str,
    *,
    dry_run: bool,
) -> firm_pin.FirmMoveAnswer | Response:
    try:
        return firm_pin.firm_and_move(
            session, number, _day(finish), author=who.user.name, dry_run=dry_run
        )
    except PegboardError as e:
        status = refused_change(session, e)
        return _page(
            request,
            session,
            who,
            number,
            finish=finish,
            order_error=e.message,
            status_code=status,
        )


def _op_saved(number: str, answer: firm_pin.FirmPinAnswer) -> tuple[str, str]:
    """The new production order's board, saying what the planned order became."""
    return f"/board/move/{quote(answer.number, safe='')}", answer.message


add_operation_routes(
    router,
    "/board/planned",
    OperationMoves[firm_pin.FirmPinAnswer](firm_pin.firm_and_pin, _page, _op_saved),
)
