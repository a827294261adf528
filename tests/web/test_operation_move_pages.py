"""The planning board's operations (web.board) on the shop of tests/_board_company.py's
add_routings: each operation drawn on its work center's row, a check of moving one to
another day or work center, the confirm saving it into the stored schedule; a refused
one says why and offers no confirm. The same service and answers as the API
(tests/api/test_operation_move_api.py)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _board_company import FA_MO, add_routings, build_firm
from pegboard import db
from pegboard.services.schedule import scheduled_operations

LogIn = Callable[[str], str]
OPS = f"/board/move/{FA_MO}/operation"


def _shop(engine: Engine, *, schedule: bool = True) -> None:
    with db.session_factory(engine)() as s:
        build_firm(s)
        add_routings(s, schedule=schedule)


def _placed(engine: Engine) -> list[tuple[int, str, str]]:
    with db.session_factory(engine)() as s, s.begin():
        return [
            (r.sequence, r.work_center, r.start.isoformat())
            for r in scheduled_operations(s)
            if r.order == FA_MO
        ]


def test_the_operations_are_drawn_then_a_move_is_checked_and_saved(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    _shop(engine)
    token = log_in("pam")
    board = web.get(f"/board/move/{FA_MO}")
    assert board.status_code == 200
    assert "Where the finite schedule runs them." in board.text
    assert 'id="op-20"' in board.text and 'data-work-center="PNT"' in board.text
    assert '<option value="10" selected>10 at ASM (2026-12-18 – 2026-12-19)</option>' in board.text
    assert "<script>" not in board.text  # the drag is static/board.js's

    checked = web.get(f"{OPS}?sequence=20&start=2026-12-26&work_center=PNT")
    assert checked.status_code == 200, checked.text
    assert "The operation's move can be made" in checked.text
    assert "SO-A/1 (due" in checked.text and "3 days late" in checked.text
    assert _placed(engine) == [(10, "ASM", "2026-12-18"), (20, "PNT", "2026-12-20")]

    saved = web.post(
        OPS,
        data={"csrf_token": token, "sequence": "20", "start": "2026-12-22", "work_center": "PNT"},
    )
    assert saved.status_code == 200 and saved.url.path == f"/board/move/{FA_MO}"
    assert "operation 20 moved to PNT, 2026-12-22 to 2026-12-22, and pinned there" in saved.text
    assert _placed(engine) == [(10, "ASM", "2026-12-18"), (20, "PNT", "2026-12-22")]
    assert 'class="op waiting board-op pinned" id="op-20"' in saved.text
    assert 'id="unpin-20"' in saved.text and 'id="unpin-10"' not in saved.text
    # the production order's Gantt and the work center's mark it
    order = web.get(f"/production/{FA_MO}")
    assert "pinned by a planner: schedules keep it here" in order.text
    assert "op waiting pinned" in web.get("/capacity/PNT?from=2026-12-21").text

    scheduled = web.post("/capacity/schedule", data={"csrf_token": token})
    assert "Scheduled 2 production orders, 3 operations: 0 complete late." in scheduled.text
    assert "Pinned operations kept on their days: 1." in scheduled.text
    assert _placed(engine) == [(10, "ASM", "2026-12-18"), (20, "PNT", "2026-12-22")]

    unpinned = web.post(f"/board/move/{FA_MO}/unpin", data={"csrf_token": token, "sequence": "20"})
    assert unpinned.status_code == 200 and unpinned.url.path == f"/board/move/{FA_MO}"
    assert "operation 20 unpinned (was PNT, 2026-12-22 to 2026-12-22)" in unpinned.text
    assert 'id="unpin-20"' not in unpinned.text
    again = web.post(f"/board/move/{FA_MO}/unpin", data={"csrf_token": token, "sequence": "20"})
    assert again.status_code == 404 and "operation 20 is not pinned" in again.text


def test_a_refused_operation_move_says_why_and_offers_no_confirm(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    _shop(engine)
    token = log_in("pam")
    checked = web.get(f"{OPS}?sequence=20&start=2026-12-18&work_center=PNT")
    assert "The operation's move is refused" in checked.text
    assert "before operation 10 (ASM) ends on 2026-12-19" in checked.text
    assert (
        f'action="{OPS}"' in checked.text
        and 'method="post"' not in checked.text.split('id="op-answer"')[1]
    )
    posted = web.post(
        OPS,
        data={"csrf_token": token, "sequence": "20", "start": "2026-12-18", "work_center": "ASM"},
    )
    assert posted.status_code == 409 and "Not done:" in posted.text
    assert _placed(engine) == [(10, "ASM", "2026-12-18"), (20, "PNT", "2026-12-20")]
    bad = web.get(f"{OPS}?sequence=x&start=2026-12-18")
    assert bad.status_code == 422 and "sequence number" in bad.text
    bad = web.get(f"{OPS}?sequence=20&start=soon")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_without_a_schedule_the_page_says_a_move_is_pinned_for_the_next_one(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    _shop(engine, schedule=False)
    token = log_in("pam")
    board = web.get(f"/board/move/{FA_MO}")
    assert "no current finite schedule: a saved move is pinned" in board.text
    checked = web.get(f"{OPS}?sequence=20&start=2026-12-24&work_center=PNT")
    assert "The operation's move can be made" in checked.text
    assert "the next <code>pegboard schedule</code> places it there" in checked.text
    saved = web.post(
        OPS,
        data={"csrf_token": token, "sequence": "20", "start": "2026-12-24", "work_center": "PNT"},
    )
    assert saved.status_code == 200
    assert "there is no current finite schedule, the next &#39;pegboard schedule&#39;" in saved.text
    assert 'id="unpin-20"' in saved.text and 'id="pin-mark-20"' in saved.text
