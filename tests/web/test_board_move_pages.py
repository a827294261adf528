"""The planning board's move form (web.board) on the company of tests/_board_company.py:
check a move, see what it breaks, confirm it; a refused one says why and saves nothing.
The same service and answers as the API (tests/api/test_board_move_api.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from _board_company import FA_MO, SUB_MO, build_firm
from _login import post_login
from conftest import PASSWORD
from pegboard import db
from pegboard.model import AuditEntry, ProductionOrder, Role

LogIn = Callable[[str], str]


def _firm(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        build_firm(s)


def _due(engine: Engine, number: str) -> str:
    with db.session_factory(engine)() as s:
        mo = s.scalars(select(ProductionOrder).where(ProductionOrder.number == number)).one()
        return mo.due_date.isoformat()


def test_check_then_confirm_a_move(web: TestClient, engine: Engine, log_in: LogIn) -> None:
    _firm(engine)
    token = log_in("pam")
    listed = web.get("/production")
    assert f'href="/board/move/{SUB_MO}"' in listed.text
    order = web.get(f"/production/{SUB_MO}")
    assert f'href="/board/move/{SUB_MO}"' in order.text

    form = web.get(f"/board/move/{SUB_MO}")
    assert form.status_code == 200 and 'name="finish" type="date" value="2026-12-18"' in form.text
    checked = web.get(f"/board/move/{SUB_MO}?finish=2026-12-21")
    assert checked.status_code == 200
    assert "The move can be made" in checked.text
    assert f"{FA_MO}</a>: " in checked.text
    assert "SO-A/1 (due" in checked.text and "3 days late" in checked.text
    assert _due(engine, SUB_MO) == "2026-12-18"  # a check saves nothing

    saved = web.post(
        f"/board/move/{SUB_MO}",
        data={"csrf_token": token, "finish": "2026-12-21"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert f"{SUB_MO}: moved to finish on 2026-12-21." in saved.text
    assert _due(engine, SUB_MO) == "2026-12-21"
    with db.session_factory(engine)() as s:
        authors = s.scalars(select(AuditEntry.author).where(AuditEntry.action == "move")).all()
    assert authors == ["pam"]


def test_a_refused_move_says_why_and_offers_no_confirm(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    _firm(engine)
    token = log_in("pam")
    checked = web.get(f"/board/move/{FA_MO}?finish=2026-12-17")
    assert "The move is refused" in checked.text
    assert "SUB: needs 4 by 2026-12-12, only 0 available" in checked.text
    assert f'<form method="post" action="/board/move/{FA_MO}"' not in checked.text
    posted = web.post(f"/board/move/{FA_MO}", data={"csrf_token": token, "finish": "2026-12-17"})
    assert posted.status_code == 409
    assert "Not done:" in posted.text and "C1: needs 8 by 2026-12-12" in posted.text
    assert _due(engine, FA_MO) == "2026-12-23"
    bad = web.get(f"/board/move/{FA_MO}?finish=soon")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_only_planners_move(
    web: TestClient, engine: Engine, make_user: Callable[..., None], log_in: LogIn
) -> None:
    _firm(engine)
    make_user("vic", Role.VIEWER)
    post_login(web, {"name": "vic", "password": PASSWORD})
    assert web.get(f"/board/move/{SUB_MO}").status_code == 403
    assert 'href="/board/move/' not in web.get("/production").text
