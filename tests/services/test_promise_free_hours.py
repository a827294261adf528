"""Promising into the stored finite schedule's free hours (issue #15, item 5), computed by
hand on a one-work-center shop (both databases).

The shop: P is made (lead time 0, from R, which is in stock) on ASM, 8 h a day, one
unit, 1 h per unit; the plant works Monday to Friday; the planning date is Tuesday
2026-11-24. SO-1's P is planned to start that day, so the stored schedule puts its
hours on ASM from the 24th. A quote of 8 × P needs 8 h of ASM and may start on the
24th: alone it is complete that day.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.services import schedule
from pegboard.services.promise import promise
from pegboard.services.promise_capacity import BASIS_NONE
from pegboard.services.schedule_run import run_schedule

TUE = date(2026, 11, 24)


def _bundle(tmp_path: Path, so_qty: int, *, closed: str = "", holiday: str = "") -> Path:
    files = {
        "settings.csv": 'key,value\nplanning_date,2026-11-24\nwork_days,"mon,tue,wed,thu,fri"\n',
        "items.csv": (
            "item,description,type,strategy,lead_time_days,lot_rule,lot_qty,safety_stock,"
            "unit_cost,supplier\n"
            "P,Panel,make,mto,0,lfl,,0,10,\n"
            "Q,Panel to length,make,mto,0,lfl,,0,10,\n"
            "R,Raw,buy,mts,5,lfl,,0,1,Acme\n"
        ),
        "bom.csv": "parent,component,qty_per,scrap_pct,sales_order\nP,R,1,,\n",
        "stock.csv": "item,qty,location,sales_order\nR,100000,main,\n",
        "sales_orders.csv": (
            "sales_order,line,customer,project,item,qty,due_date,priority\n"
            f"SO-1,1,ACME,,P,{so_qty},2026-11-24,100\n"
        ),
        "work_centers.csv": "work_center,description,hours_per_day\nASM,Assembly,8\n",
        "routings.csv": (
            "item,sales_order,sequence,work_center,setup_hours,run_hours\nP,,10,ASM,0,1\n"
        ),
    }
    files["templates.json"] = json.dumps(
        [
            {
                "item": "Q",
                "parameters": [
                    {"name": "length", "kind": "number", "min": 1, "max": 20, "default": "1"}
                ],
                "lines": [{"component": "R", "qty": 1}],
                "operations": [{"sequence": 10, "work_center": "ASM", "setup": 0, "run": "length"}],
            }
        ]
    )
    if closed:
        files["work_center_closed_days.csv"] = f"work_center,date,description\nASM,{closed},\n"
    if holiday:
        files["holidays.csv"] = f"date,description\n{holiday},plant closed\n"
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _company(engine: Engine, bundle: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    for args in (["import", str(bundle)], ["plan"]):
        result = CliRunner().invoke(app, args, env={"PEGBOARD_DATABASE_URL": url})
        assert result.exit_code == 0, result.output


def _asm(session: Session) -> list[tuple[date, date, float]]:
    with session.begin():
        return [(o.start, o.end, o.hours) for o in schedule.scheduled_operations(session, "ASM")]


def test_without_a_stored_schedule_the_date_is_the_materials_and_the_answer_says_so(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    _company(engine, _bundle(tmp_path, 4))
    with session.begin():
        p = promise(session, "P", 8)
    assert (p.promised, p.capacity) == (TUE, "")
    assert p.note.endswith(BASIS_NONE)


def test_a_half_full_day_makes_the_quote_take_two_days(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """SO-1's 4 h take half of the 24th: the quote gets the other 4 h, and 4 h on the
    25th: complete on the 25th, one day later than alone, set by ASM (full the 24th)."""
    _company(engine, _bundle(tmp_path, 4))
    run_schedule(session, author="ann")
    assert _asm(session) == [(TUE, TUE, 4.0)]
    with session.begin():
        p = promise(session, "P", 8, wanted=TUE)
    assert (p.promised, p.met, p.late_days) == (date(2026, 11, 25), False, 1)
    assert p.capacity == "ASM full 2026-11-24"
    assert p.note.endswith(
        "Capacity: the operations of the quote are placed into the hours the stored finite "
        "schedule of the current plan (planning date 2026-11-24) leaves free on each work "
        "center, after every order it holds."
    )
    with session.begin():  # 4 h fit beside SO-1's on the 24th
        small = promise(session, "P", 4)
    assert (small.promised, small.capacity) == (TUE, "")


def test_full_days_push_the_date_and_are_named(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """SO-1's 24 h fill the 24th, 25th and 26th (8 h each, one unit): the quote runs on
    Friday the 27th, and the answer names ASM full from the 24th to the 26th."""
    _company(engine, _bundle(tmp_path, 24))
    run_schedule(session, author="ann")
    assert _asm(session) == [(TUE, date(2026, 11, 26), 24.0)]
    with session.begin():
        p = promise(session, "P", 8)
    assert p.promised == date(2026, 11, 27)
    assert p.capacity == "ASM full 2026-11-24 … 2026-11-26"
    assert p.summary.startswith(
        "8 × P can be complete on 2026-11-27, set by capacity: ASM full 2026-11-24 … 2026-11-26"
    )


def test_full_days_across_a_weekend(engine: Engine, session: Session, tmp_path: Path) -> None:
    """SO-1's 36 h fill Tuesday to Friday and 4 h of Monday 11-30 (the weekend has no
    hours): the quote gets Monday's other 4 h and 4 h on Tuesday 12-01."""
    _company(engine, _bundle(tmp_path, 36))
    run_schedule(session, author="ann")
    assert _asm(session) == [(TUE, date(2026, 11, 30), 36.0)]
    with session.begin():
        p = promise(session, "P", 8)
    assert p.promised == date(2026, 12, 1)
    assert p.capacity == "ASM full 2026-11-24 … 2026-11-30"


def test_a_closed_day_and_a_holiday_are_skipped(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """ASM is closed on Wednesday the 25th and the plant on Thursday the 26th: after the
    4 h left on the 24th the quote's other 4 h are on Friday the 27th."""
    _company(engine, _bundle(tmp_path, 4, closed="2026-11-25", holiday="2026-11-26"))
    run_schedule(session, author="ann")
    assert _asm(session) == [(TUE, TUE, 4.0)]
    with session.begin():
        p = promise(session, "P", 8)
    assert p.promised == date(2026, 11, 27)
    assert p.capacity == "ASM full 2026-11-24"


def test_a_shop_booked_past_a_year_is_read_to_its_last_day(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """SO-1's 3,000 h fill 375 working days of ASM (75 weeks: Tuesday 2026-11-24 to
    Monday 2028-05-01), past the first year the promise reads: the quote runs on
    Tuesday 2028-05-02."""
    _company(engine, _bundle(tmp_path, 3000))
    run_schedule(session, author="ann")
    assert _asm(session) == [(TUE, date(2028, 5, 1), 3000.0)]
    with session.begin():
        p = promise(session, "P", 8)
    assert p.promised == date(2028, 5, 2)
    assert p.capacity == "ASM full 2026-11-24 … 2028-05-01"


def test_a_configured_quote_runs_on_its_template_routing(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """Q has no engineering routing: its template's routing line runs ``length`` hours a
    unit on ASM. One Q of length 8 takes the 4 h SO-1 leaves on the 24th and 4 h on the
    25th; of length 4 it fits on the 24th."""
    _company(engine, _bundle(tmp_path, 4))
    run_schedule(session, author="ann")
    with session.begin():
        long = promise(session, "Q", 1, params={"length": "8"})
        short = promise(session, "Q", 1, params={"length": "4"})
    assert (long.promised, long.capacity) == (date(2026, 11, 25), "ASM full 2026-11-24")
    assert (short.promised, short.capacity) == (TUE, "")
