"""The planning board's move forms: a production order to finish on another day, or one
of its operations to start on another day or work center.

Plain forms, no script needed: a form's GET (``?finish=…``, or ``/operation?sequence=…
&start=…&work_center=…``) checks the move and shows what it breaks, the confirm button
POSTs it; static/board.js drags the bars and fetches the same GETs. The same services
(``services.board_move``, ``services.operation_move``) and answers as
``POST /api/production-orders/{number}/move`` and ``…/operations/{sequence}/move``.
A saved operation move pins the operation there (``services.pins``: later schedules
keep it) and is written into the stored finite schedule when one is current, so the
dispatch lists and the Gantt show it at once; the board lists the order's pins, each
with an unpin button (``POST …/unpin``, the service of ``pegboard mo unpin`` and
``DELETE /api/production-orders/{number}/operations/{sequence}/pin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services import board_move, operation_move, pins, production
from pegboard.web import auth
from pegboard.web.board_operations import (
    OperationMoves,
    OpForm,
    Planner,
    add_operation_routes,
    op_sequence,
    shown_op,
)
from pegboard.web.deps import DbSession
from pegboard.web.errors import refused_change
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)


STRIP_DAYS = 21
"""Days drawn either side of the order's due date on the board's strip."""
PX = 16
"""Pixels a day on the strip: a drag moves the bar by whole days."""


@dataclass(frozen=True)
class Tick:
    x: int
    label: str


@dataclass(frozen=True)
class Strip:
    """The order's bar on a strip of days a planner drags it along (static/board.js)."""

    width: int
    bar_x: int
    bar_width: int
    due: str
    ticks: list[Tick]


def strip(start: date, due: date) -> Strip:
    first = due - timedelta(days=STRIP_DAYS)
    days = 2 * STRIP_DAYS + 1
    ticks = [Tick(i * PX, (first + timedelta(days=i)).isoformat()) for i in range(0, days, 7)]
    left = max((start - first).days, 0)
    return Strip(
        days * PX + 70, left * PX, ((due - first).days - left + 1) * PX, due.isoformat(), ticks
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"Enter the finish day as a date (YYYY-MM-DD), not {text.strip()[:40]!r}.",
            field="finish",
        ) from None


@dataclass(frozen=True)
class OpBar:
    sequence: int
    work_center: str
    x: int
    y: int
    width: int
    start: str
    end: str
    hours: float
    pinned: bool = False


@dataclass(frozen=True)
class OpRows:
    """The order's operations, one row per work center, on a strip of days."""

    width: int
    height: int
    first: str
    rows: list[tuple[str, int]]
    bars: list[OpBar]
    ticks: list[Tick]


ROW = 30
"""Pixels a work center's row."""
LABEL = 90
"""Pixels of the work center's name left of the days."""


def op_rows(ops: list[operation_move.Operation]) -> OpRows | None:
    if not ops:
        return None
    first = min(o.start for o in ops) - timedelta(days=STRIP_DAYS // 3)
    days = (max(o.end for o in ops) - first).days + STRIP_DAYS // 3 + 1
    centers = list(dict.fromkeys(o.work_center for o in ops))
    rows = [(code, 20 + i * ROW) for i, code in enumerate(centers)]
    y = dict(rows)
    bars = [
        OpBar(
            o.sequence,
            o.work_center,
            LABEL + (o.start - first).days * PX,
            y[o.work_center] + 4,
            ((o.end - o.start).days + 1) * PX,
            o.start.isoformat(),
            o.end.isoformat(),
            round(o.hours, 2),
            o.pinned,
        )
        for o in ops
    ]
    ticks = [
        Tick(LABEL + i * PX, (first + timedelta(days=i)).isoformat()) for i in range(0, days, 7)
    ]
    return OpRows(
        LABEL + days * PX + 70, 20 + len(rows) * ROW, first.isoformat(), rows, bars, ticks
    )


def _page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    *,
    finish: str = "",
    answer: board_move.MoveAnswer | None = None,
    op_answer: operation_move.OperationMoveAnswer | None = None,
    op_form: OpForm | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    order = production.production_view(session, number)
    ops = operation_move.operations_board(session, number)
    given = shown_op(op_form, ops.operations)
    context = chrome(who, "production") | {
        "title": f"Move {order.number}",
        "order": order,
        "finish": finish or order.due_date.isoformat(),
        "answer": answer,
        "op_answer": op_answer,
        "op_form": given,
        "ops": ops,
        "op_rows": op_rows(ops.operations),
        "pins": pins.list_pins(session, number),
        "error": None if op_form is not None else error,
        "op_error": error if op_form is not None else None,
        "strip": strip(order.start_date or order.due_date, order.due_date),
        "px": PX,
    }
    return page(request, "board_move.html", context, status_code=status_code)


@router.get("/board/move/{number}")
def move_form(
    request: Request, session: DbSession, who: Planner, number: str, finish: str = ""
) -> Response:
    """The form; with ``finish`` given, the check of that move (nothing saved)."""
    if not finish.strip():
        return _page(request, session, who, number)
    try:
        answer = board_move.move_production(
            session, number, _day(finish), author=who.user.name, dry_run=True
        )
    except PegboardError as e:
        status = refused_change(session, e)
        return _page(
            request, session, who, number, finish=finish, error=e.message, status_code=status
        )
    return _page(request, session, who, number, finish=finish, answer=answer)


@router.post("/board/move/{number}")
def move_order(
    request: Request,
    session: DbSession,
    who: Planner,
    number: str,
    finish: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Save the move (checked again: the shop may have changed since the check)."""
    try:
        day = _day(finish)
        board_move.move_production(session, number, day, author=who.user.name, dry_run=False)
    except PegboardError as e:
        status = refused_change(session, e)
        return _page(
            request, session, who, number, finish=finish, error=e.message, status_code=status
        )
    return redirect(
        f"/production/{quote(number, safe='')}",
        done=f"{number}: moved to finish on {day.isoformat()}.",
    )


@router.post("/board/move/{number}/unpin")
def unpin_operation(
    request: Request,
    session: DbSession,
    who: Planner,
    number: str,
    sequence: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Unpin one of the order's operations: the next schedule places it from its routing."""
    try:
        seq = op_sequence(sequence)
        pin = pins.unpin_operation(session, number, seq, author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        return _page(request, session, who, number, error=e.message, status_code=status)
    return redirect(
        f"/board/move/{quote(number, safe='')}",
        done=f"{number}: operation {seq} unpinned (was {pin.work_center}, "
        f"{pin.start.isoformat()} to {pin.end.isoformat()}); the next schedule places it "
        "from its routing.",
    )


def _op_saved(number: str, answer: operation_move.OperationMoveAnswer) -> tuple[str, str]:
    """The order's board again, saying where the operation went and that it is pinned."""
    return (
        f"/board/move/{quote(number, safe='')}",
        f"{number}: operation {answer.sequence} moved to {answer.work_center_after}, "
        f"{answer.start_after.isoformat()} to {answer.end_after.isoformat()}, and "
        f"{answer.saved_note}.",
    )


add_operation_routes(
    router,
    "/board/move",
    OperationMoves[operation_move.OperationMoveAnswer](
        operation_move.move_operation, _page, _op_saved
    ),
)
