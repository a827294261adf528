"""Rough-cut capacity of the master schedule, computed by hand (both databases): the
basic company with an assembly bench of one hour a day, FA on the schedule, its routing
and its made component SUB's; then the lighting sample's driver tray through the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.services import capacity, mps, mps_rough_cut
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # a Monday; the fence (14 days) ends on 12-07


def _op(work_center: str, setup: float, run: float) -> capacity.OperationIn:
    return capacity.OperationIn(10, work_center, setup_hours=setup, run_hours=run)


@pin_today(TODAY)
def test_the_schedule_against_an_assembly_bench_by_hand(engine: Engine, session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="t")
    capacity.save_work_center(session, code="ASM", hours_per_day=1, author="t")
    capacity.save_work_center(session, code="PAINT", hours_per_day=8, units=2, author="t")
    capacity.set_routing(session, "FA", [_op("ASM", 1, 0.5)], author="t")
    capacity.set_routing(session, "SUB", [_op("ASM", 0.5, 0.25)], author="t")
    mps.set_mps_item(session, "FA", True, author="t")
    mps.set_mps(session, "FA", date(2026, 12, 16), 10, author="t")
    mps.set_mps(session, "FA", date(2026, 12, 22), 2, author="t")

    check = mps_rough_cut.rough_cut(session, weeks=5)
    assert check.items == ["FA"]
    # PAINT is on no routing: not a key work center of this schedule
    assert [c.work_center for c in check.centers] == ["ASM"]
    (asm,) = check.centers
    assert asm.items == ("FA",)
    # FA × 10 in the week of 12-14: FA's setup 1 + 10 × 0.5, and SUB (1 per FA, made, not
    # scheduled) 0.5 + 10 × 0.25 = 9 h; FA × 2 in the week of 12-21: 1.5 + 2 × 0.75 = 3
    assert [w.required for w in asm.weeks] == [0, 0, 0, 9, 3]
    # one unit, one hour on each working day (the basic company names no work days, so
    # it works all seven)
    assert [w.available for w in asm.weeks] == [7, 7, 7, 7, 7]
    assert asm.over_weeks == ["2026-W51"]

    # SUB on the schedule itself: its hours leave FA's bill (they are SUB's own schedule)
    mps.set_mps_item(session, "SUB", True, author="t")
    (asm,) = mps_rough_cut.rough_cut(session, "FA", weeks=5).centers
    assert [w.required for w in asm.weeks] == [0, 0, 0, 6, 2]
    assert mps_rough_cut.rough_cut(session, "SUB", weeks=5).centers[0].weeks[3].required == 0


def test_the_lighting_driver_tray_from_the_cli(engine: Engine) -> None:
    with pin_today(DEMO_DAY), db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="t")
        run_plan(s, author="t")
    url = engine.url.render_as_string(hide_password=False)
    with pin_today(DEMO_DAY):
        result = CliRunner().invoke(
            app,
            ["mps", "rough-cut", "SA-DRVTRAY-60V", "--weeks", "9", "--csv"],
            env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"},
        )
    assert result.exit_code == 0, result.output
    rows = {tuple(line.split(",")[:2]): line for line in result.output.splitlines()[1:]}
    # 30 trays in the week of 2027-01-04: LED-ASM 0.25 + 30 × 0.3 h of 4 benches × 8 h
    # × 5 days; WIRE-TEST 0.1 + 30 × 0.15 of 2 × 8 × 5
    # (the columns after: the other orders' hours that week, the total, whether over)
    assert rows[("LED-ASM", "2027-01-04")].startswith("LED-ASM,2027-01-04,9.25,160.0,6,,")
    assert rows[("WIRE-TEST", "2027-01-04")].startswith("WIRE-TEST,2027-01-04,4.6,80.0,6,,")
    # Christmas Day (a Friday) closes the plant in the week of 2026-12-21
    assert rows[("LED-ASM", "2026-12-21")].startswith("LED-ASM,2026-12-21,0.0,128.0,0,,")
