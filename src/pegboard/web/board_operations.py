"""An operation's move on a planning board, written once for both boards: the production
order's (``web.board``: ``services.operation_move``, the operation pinned) and the planned
order's (``web.board_planned``: ``services.firm_pin``, the order firmed and the operation
pinned).

Each board has the same two routes under its own path: ``GET …/{number}/operation`` checks
the move its query gives (nothing saved) and draws the board with the answer;
``POST …/{number}/operation`` saves it (checked again: the shop may have changed since)
and leads to where the board says. A refusal, or a sequence or day that is not one,
draws the board again with the reason and what was typed. ``add_operation_routes`` adds
them from a board's ``OperationMoves``: which service moves, how the board is drawn and
where a saved move leads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError, ValidationError
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, require
from pegboard.web.errors import refused_change
from pegboard.web.render import redirect

Planner = Annotated[
    auth.SignedIn,
    Depends(require(Permission.PLAN, "Your role may not move production orders.")),
]


@dataclass(frozen=True)
class OpForm:
    """What the operation form shows: typed back as given, or the first operation's."""

    sequence: str = ""
    start: str = ""
    work_center: str = ""


def op_query(sequence: str = "", start: str = "", work_center: str = "") -> OpForm:
    """An operation's move as a check asks it in its query (cut to the form's lengths)."""
    return OpForm(sequence[:20], start[:40], work_center[:50])


def op_posted(
    sequence: Annotated[str, Form(max_length=20)] = "",
    start: Annotated[str, Form(max_length=40)] = "",
    work_center: Annotated[str, Form(max_length=50)] = "",
) -> OpForm:
    """An operation's move as its form posts it."""
    return OpForm(sequence, start, work_center)


OpQuery = Annotated[OpForm, Depends(op_query)]
OpPosted = Annotated[OpForm, Depends(op_posted)]


def shown_op(given: OpForm | None, operations: Sequence[Any]) -> OpForm:
    """The operation form as typed, or else filled with the first operation's place."""
    if (given and given.sequence) or not operations:
        return given or OpForm()
    o = operations[0]
    return OpForm(str(o.sequence), o.start.isoformat(), o.work_center)


def op_sequence(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError(
            f"Choose the operation by its sequence number, not {text.strip()[:40]!r}.",
            field="sequence",
        ) from None


def op_start(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"Enter the start day as a date (YYYY-MM-DD), not {text.strip()[:40]!r}.",
            field="start",
        ) from None


A = TypeVar("A")
A_co = TypeVar("A_co", covariant=True)
A_contra = TypeVar("A_contra", contravariant=True)


class Move(Protocol[A_co]):
    """A board's service: the check (``dry_run``) or the save of one operation's move."""

    def __call__(
        self,
        session: Session,
        number: str,
        sequence: int,
        start: date,
        /,
        *,
        work_center: str | None,
        author: str,
        dry_run: bool,
    ) -> A_co: ...


class Board(Protocol[A_contra]):
    """A board's page with the operation form as given and its answer or refusal."""

    def __call__(
        self,
        request: Request,
        session: Session,
        who: auth.SignedIn,
        number: str,
        /,
        *,
        op_form: OpForm | None = None,
        op_answer: A_contra | None = None,
        error: str | None = None,
        status_code: int = 200,
    ) -> Response: ...


@dataclass(frozen=True)
class OperationMoves(Generic[A]):
    """What differs between the boards' operation routes."""

    move: Move[A]
    board: Board[A]
    saved: Callable[[str, A], tuple[str, str]]
    """Where a saved move of the order ``number`` leads, and the message said there."""


def add_operation_routes(router: APIRouter, path: str, moves: OperationMoves[A]) -> None:
    """The check (GET) and the save (POST) of ``path + "/{number}/operation"``."""

    def attempt(
        request: Request,
        session: Session,
        who: auth.SignedIn,
        number: str,
        given: OpForm,
        *,
        dry_run: bool,
    ) -> A | Response:
        try:
            return moves.move(
                session,
                number,
                op_sequence(given.sequence),
                op_start(given.start),
                work_center=given.work_center.strip() or None,
                author=who.user.name,
                dry_run=dry_run,
            )
        except PegboardError as e:
            status = refused_change(session, e)
            return moves.board(
                request, session, who, number, op_form=given, error=e.message, status_code=status
            )

    def check(
        request: Request, session: DbSession, who: Planner, number: str, given: OpQuery
    ) -> Response:
        """The check of moving one operation (nothing saved)."""
        answer = attempt(request, session, who, number, given, dry_run=True)
        if isinstance(answer, Response):
            return answer
        return moves.board(request, session, who, number, op_form=given, op_answer=answer)

    def save(
        request: Request, session: DbSession, who: Planner, number: str, posted: OpPosted
    ) -> Response:
        """Save the operation's move (checked again)."""
        answer = attempt(request, session, who, number, posted, dry_run=False)
        if isinstance(answer, Response):
            return answer
        url, done = moves.saved(number, answer)
        return redirect(url, done=done)

    router.add_api_route(path + "/{number}/operation", check, methods=["GET"])
    router.add_api_route(path + "/{number}/operation", save, methods=["POST"])
