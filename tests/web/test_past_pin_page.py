"""The board flags a pin whose days are all before the planning date (the schedule
ignores it) and keeps its Unpin button, on the company of tests/_board_company.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _board_company import FA_MO, add_routings, build_firm
from pegboard import db
from pegboard.model import WorkCenter
from pegboard.services import pins
from pegboard.services.production import get_production


def test_a_past_pin_is_flagged_on_the_board(
    web: TestClient, engine: Engine, log_in: Callable[[str], str]
) -> None:
    with db.session_factory(engine)() as s:
        build_firm(s)
        add_routings(s, schedule=False)
        with s.begin():
            asm = s.scalars(select(WorkCenter.id).where(WorkCenter.code == "ASM")).one()
            days = (date(2026, 11, 19), date(2026, 11, 20))
            pins.pin_in_transaction(s, get_production(s, FA_MO), 10, asm, days, "ann")
    log_in("pam")
    board = web.get(f"/board/move/{FA_MO}")
    assert board.status_code == 200, board.text
    assert 'id="pin-past-10"' in board.text
    assert "ignored: its days are before the planning date; unpin it or move it again" in (
        board.text
    )
    assert 'id="unpin-10"' in board.text
