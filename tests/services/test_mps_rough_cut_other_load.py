"""Rough-cut of the whole master schedule next to the other load, computed by hand (both
databases): the basic company with an assembly bench of one hour a day (seven days a
week), SUB on the schedule, FA's orders and the open MO-1 the other load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from _clock import pin_today
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.services import capacity, mps, mps_rough_cut
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # a Monday; the fence (14 days) ends on 12-07


def _op(work_center: str, setup: float, run: float) -> capacity.OperationIn:
    return capacity.OperationIn(10, work_center, setup_hours=setup, run_hours=run)


def _column(check: mps_rough_cut.RoughCut, name: str) -> list[float]:
    (asm,) = check.centers
    return [round(getattr(w, name), 6) for w in asm.weeks]


@pin_today(TODAY)
def test_the_schedule_next_to_the_other_load_by_hand(engine: Engine, session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="t")
    capacity.save_work_center(session, code="ASM", hours_per_day=1, author="t")
    capacity.set_routing(session, "FA", [_op("ASM", 1, 0.5)], author="t")
    capacity.set_routing(session, "SUB", [_op("ASM", 0.5, 0.25)], author="t")
    mps.set_mps_item(session, "SUB", True, author="t")
    mps.set_mps(session, "SUB", date(2026, 12, 2), 10, author="t", force=True)
    mps.set_mps(session, "SUB", date(2026, 12, 9), 20, author="t")

    # no plan yet: the other load is the open MO-1 (SUB × 2, due Saturday 12-05, off the
    # schedule): 0.5 + 2 × 0.25 = 1 h in W49. The schedule: SUB × 10 in W49, 0.5 + 10 ×
    # 0.25 = 3 h; SUB × 20 in W50, 0.5 + 20 × 0.25 = 5.5 h (its own lines are not counted
    # twice: they are the schedule's hours, not the other load's)
    check = mps_rough_cut.rough_cut(session, weeks=4)  # W48 (11-23) to W51
    assert check.items == ["SUB"]
    assert _column(check, "required") == [0, 3, 5.5, 0]
    assert _column(check, "other") == [0, 1, 0, 0]
    assert _column(check, "total") == [0, 4, 5.5, 0]
    assert _column(check, "available") == [7, 7, 7, 7]
    assert not any(w.total_over for w in check.centers[0].weeks)

    # planned: SO-1's FA × 5 (due Thursday 12-10) is made in W50, 1 + 5 × 0.5 = 3.5 h,
    # next to the schedule's 5.5: 9 of 7 h, over, though the schedule alone fits; SO-2's
    # FA × 3 (due Sunday 12-20) asks 1 + 3 × 0.5 = 2.5 h in W51
    session.rollback()  # end the reads' transaction: the plan opens its own
    run_plan(session, author="t")
    check = mps_rough_cut.rough_cut(session, weeks=5)
    assert _column(check, "required") == [0, 3, 5.5, 0, 0]
    assert _column(check, "other") == [0, 1, 3.5, 2.5, 0]
    assert _column(check, "total") == [0, 4, 9, 2.5, 0]
    (asm,) = check.centers
    assert [w.label for w in asm.weeks if w.total_over] == ["2026-W50"]
    assert asm.over_weeks == []  # the schedule alone fits every week
    # the same from the command line, the other load and the total after the schedule's
    url = engine.url.render_as_string(hide_password=False)
    session.close()
    shown = CliRunner().invoke(
        app, ["mps", "rough-cut", "--weeks", "5", "--csv"], env={"PEGBOARD_DATABASE_URL": url}
    )
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert (
        lines[0] == "work center,week of,hours,available,load %,over,other orders,total,total over"
    )
    assert lines[2:5] == [
        "ASM,2026-11-30,3.0,7.0,43,,1.0,4.0,",
        "ASM,2026-12-07,5.5,7.0,79,,3.5,9.0,over",
        "ASM,2026-12-14,0.0,7.0,0,,2.5,2.5,",
    ]
    over = CliRunner().invoke(
        app, ["mps", "rough-cut", "--over", "--csv"], env={"PEGBOARD_DATABASE_URL": url}
    )
    assert over.output.splitlines()[1:] == ["ASM,2026-12-07,5.5,7.0,79,,3.5,9.0,over"]
    # one item's check counts the same other load
    assert _column(mps_rough_cut.rough_cut(session, "SUB", weeks=5), "other") == [
        0, 1, 3.5, 2.5, 0]  # fmt: skip
