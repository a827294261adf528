"""Promise reads the hours the finite schedule itself took each day (issue #15, item 5):
exact on a work center of several units, computed by hand (both databases).

W has two units of 8 h (16 h a day), Monday to Friday; the planning date is Monday
2026-11-23. One operation takes at most one unit. The schedule places, most urgent
first:

* SO-A and SO-B: 16 h each of PA, whose bought part arrives on Tuesday: each takes a
  unit on Tuesday and Wednesday (both full).
* SO-D: 16 h of P (stock): Monday 8 h; Tuesday and Wednesday held; Thursday 8 h.
* SO-C: 20 h of P: Monday 8 h (Monday full); held Tuesday and Wednesday; Thursday 8 h
  (Thursday full); Friday 4 h.

So W has 12 h free on Friday and none from Monday to Thursday. Rebuilt from the stored
operations' first and last days and hours alone, the operations spanning Monday to
Thursday or Friday were laid into Monday and Tuesday, and Thursday and Friday looked
free: a quote of 8 h was promised for Thursday, a day the schedule had filled.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.model import ScheduledLoad
from pegboard.services import schedule
from pegboard.services.promise import promise
from pegboard.services.promise_capacity import BASIS_OLD
from pegboard.services.schedule_run import run_schedule

MON = date(2026, 11, 23)


def _day(n: int) -> date:
    return date.fromordinal(MON.toordinal() + n)


def _company(engine: Engine, tmp_path: Path) -> None:
    files = {
        "settings.csv": 'key,value\nplanning_date,2026-11-23\nwork_days,"mon,tue,wed,thu,fri"\n',
        "items.csv": (
            "item,description,type,strategy,lead_time_days,lot_rule,lot_qty,safety_stock,"
            "unit_cost,supplier\n"
            "P,Panel,make,mto,0,lfl,,0,10,\n"
            "PA,Panel A,make,mto,0,lfl,,0,10,\n"
            "R,Raw,buy,mts,5,lfl,,0,1,Acme\n"
            "RA,Raw A,buy,mto,1,lfl,,0,1,Acme\n"
        ),
        "bom.csv": "parent,component,qty_per,scrap_pct,sales_order\nP,R,1,,\nPA,RA,1,,\n",
        "stock.csv": "item,qty,location,sales_order\nR,100000,main,\n",
        "sales_orders.csv": (
            "sales_order,line,customer,project,item,qty,due_date,priority\n"
            "SO-A,1,ACME,,PA,16,2026-11-23,10\n"
            "SO-B,1,ACME,,PA,16,2026-11-23,20\n"
            "SO-D,1,ACME,,P,16,2026-11-23,30\n"
            "SO-C,1,ACME,,P,20,2026-11-23,40\n"
        ),
        "work_centers.csv": "work_center,description,hours_per_day,units\nW,Two benches,8,2\n",
        "routings.csv": (
            "item,sales_order,sequence,work_center,setup_hours,run_hours\n"
            "P,,10,W,0,1\nPA,,10,W,0,1\n"
        ),
    }
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    url = engine.url.render_as_string(hide_password=False)
    for args in (["import", str(folder)], ["plan"]):
        result = CliRunner().invoke(app, args, env={"PEGBOARD_DATABASE_URL": url})
        assert result.exit_code == 0, result.output


def test_promise_takes_the_free_hours_the_schedule_left_on_two_units(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    _company(engine, tmp_path)
    run_schedule(session, author="ann")
    with session.begin():
        ops = sorted((o.start, o.end, o.hours) for o in schedule.scheduled_operations(session, "W"))
        stored = session.execute(
            select(ScheduledLoad.day, ScheduledLoad.hours).order_by(ScheduledLoad.day)
        ).all()
    # the schedule as computed by hand (module doc)
    assert ops == [
        (MON, _day(3), 16.0),  # SO-D
        (MON, _day(4), 20.0),  # SO-C
        (_day(1), _day(2), 16.0),  # SO-A
        (_day(1), _day(2), 16.0),  # SO-B
    ]
    assert [(d, round(h, 6)) for d, h in stored] == [
        (MON, 16.0),
        (_day(1), 16.0),
        (_day(2), 16.0),
        (_day(3), 16.0),
        (_day(4), 4.0),
    ]
    with session.begin():
        p = promise(session, "P", 8)
    # Monday to Thursday full: the 8 h run on Friday, beside SO-C's last 4 h
    assert p.promised == _day(4)
    assert p.capacity == "W full 2026-11-23 … 2026-11-26"
    with session.begin():  # 12 h free on Friday: 8 h fit there, one unit, 4 h more next week
        more = promise(session, "P", 12)
    assert more.promised == date(2026, 11, 30)


def test_a_schedule_stored_without_its_hours_per_day_asks_for_a_new_one(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """A schedule made before the hours per day were stored (migration 0030 adds an
    empty table): capacity is not counted, and the answer says to schedule again."""
    _company(engine, tmp_path)
    run_schedule(session, author="ann")
    with session.begin():
        session.query(ScheduledLoad).delete()
    with session.begin():
        p = promise(session, "P", 8)
    assert (p.promised, p.capacity) == (MON, "")
    assert p.note.endswith(BASIS_OLD)
    run_schedule(session, author="ann")
    with session.begin():
        assert promise(session, "P", 8).promised == _day(4)
