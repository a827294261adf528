"""Moving an operation and its pin from the command line (``pegboard mo op-move``,
``mo pins``, ``mo unpin``), on the company of tests/_board_company.py (FA's 20 at PNT
on 12-20 in the schedule without pins), both databases."""

from __future__ import annotations

from _cli_invoke import cli_invoker
from sqlalchemy import Engine

from _board_company import FA_MO, add_routings, build_firm
from pegboard import db


def test_a_move_is_checked_pinned_kept_by_the_schedule_and_unpinned(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        build_firm(s)
        add_routings(s)
    run = cli_invoker(engine)
    out = run("mo", "op-move", FA_MO, "20", "2026-12-22")
    assert f"{FA_MO} operation 20 can move: PNT 2026-12-22 to 2026-12-22" in out
    assert "--save to pin it" in out
    refused = run("mo", "op-move", FA_MO, "20", "2026-12-18", "--save", code=1)
    assert "before operation 10 (ASM) ends on 2026-12-19" in refused
    out = run("mo", "op-move", FA_MO, "20", "2026-12-22", "--save")
    assert "moved: PNT 2026-12-22 to 2026-12-22 (was PNT 2026-12-20 to 2026-12-20)" in out
    assert "later schedules keep it until it is unpinned" in out
    assert "pinned operations" in run("schedule")
    dispatch = run("capacity", "dispatch", "PNT", "--csv")
    assert f"{FA_MO},20,FA" in dispatch and "2026-12-22" in dispatch and ", pinned" in dispatch
    pins = run("mo", "pins", "--csv")
    assert pins.splitlines()[1].startswith(f"{FA_MO},20,PNT,2026-12-22,2026-12-22,")
    out = run("mo", "unpin", FA_MO, "20")
    assert "unpinned (was PNT 2026-12-22 to 2026-12-22)" in out
    assert "operation 20 is not pinned" in run("mo", "unpin", FA_MO, "20", code=1)
    run("schedule")
    assert "2026-12-20" in run("capacity", "dispatch", "PNT", "--csv")
    assert "no operation is pinned" in run("mo", "pins")
