"""The planning board's move form: a production order to finish on another day.

Plain forms, no script: the form's GET (``?finish=…``) checks the move and shows what
it breaks, the confirm button POSTs it; the same service (``services.board_move``) and
the same answer as ``POST /api/production-orders/{number}/move``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services import board_move, production
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, require
from pegboard.web.errors import refused_change
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)
Planner = Annotated[
    auth.SignedIn,
    Depends(require(Permission.PLAN, "Your role may not move production orders.")),
]


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


def _page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    number: str,
    *,
    finish: str = "",
    answer: board_move.MoveAnswer | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    order = production.production_view(session, number)
    context = chrome(who, "production") | {
        "title": f"Move {order.number}",
        "order": order,
        "finish": finish or order.due_date.isoformat(),
        "answer": answer,
        "error": error,
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
