"""The order and project cost tabs say which figures are live and which are frozen, and
closing a shipped order from its page freezes a line that had no final cost (#16 item 6).

The story of tests/_costing.py ships SO-1; its frozen row is removed, as for a line
shipped before final costs were kept (migration 0019). Its figures are then live; the
page's "Close order" button freezes them, and both tabs say so, with when.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select

from _costing import build_shop, execute
from pegboard import db
from pegboard.model import LineFinalCost


def test_closing_from_the_page_freezes_and_the_cost_tabs_say_so(
    engine: Engine, web: TestClient, log_in: Callable[[str], str]
) -> None:
    with db.session_factory(engine)() as session:
        execute(build_shop(session))
        with session.begin():
            session.execute(delete(LineFinalCost))
    token = log_in("ana")
    before = web.get("/orders/SO-1/cost").text
    assert "<td>live</td>" in before and "frozen 20" not in before
    assert 'name="status" value="closed"' in web.get("/orders/SO-1").text

    done = web.post(
        "/orders/SO-1/status",
        data={"csrf_token": token, "status": "closed"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with db.session_factory(engine)() as session, session.begin():
        (row,) = session.scalars(select(LineFinalCost)).all()
        when = f"frozen {row.frozen_at:%Y-%m-%d %H:%M} UTC"
    after = web.get("/orders/SO-1/cost").text
    assert f"<td>{when}</td>" in after  # the line
    assert "<td>frozen</td>" in after  # the order: all its lines
    assert "today's prices; every line is frozen: the estimate kept when" in after
    assert "every line is frozen" not in before
    assert "variance -80.60, margin 319.16." in after
    project = web.get("/customers/ACME/projects/HQ/cost").text
    assert "<td>frozen</td>" in project
