"""GET /api/mps/rough-cut: the whole master schedule against the key work centers, next
to the other load, computed by hand (both databases; as
tests/services/test_mps_rough_cut_other_load.py, here through the API)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _clock import pin_today
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.services import capacity, mps
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)
Headers = dict[str, str]


@pin_today(TODAY)
def test_the_whole_schedule_next_to_the_other_load(
    api: TestClient, engine: Engine, as_role: Callable[[str], Headers]
) -> None:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(BASIC), author="t")
        capacity.save_work_center(s, code="ASM", hours_per_day=1, author="t")
        for item, setup, run in (("FA", 1, 0.5), ("SUB", 0.5, 0.25)):
            op = capacity.OperationIn(10, "ASM", setup_hours=setup, run_hours=run)
            capacity.set_routing(s, item, [op], author="t")
        mps.set_mps_item(s, "SUB", True, author="t")
        mps.set_mps(s, "SUB", date(2026, 12, 2), 10, author="t", force=True)
        mps.set_mps(s, "SUB", date(2026, 12, 9), 20, author="t")
        run_plan(s, author="t")

    answer = api.get("/api/mps/rough-cut?weeks=4", headers=as_role("viewer"))
    assert answer.status_code == 200, answer.text
    (asm,) = answer.json()
    assert asm["work_center"] == "ASM" and asm["items"] == ["SUB"]
    weeks = asm["weeks"]
    assert [w["label"] for w in weeks] == ["2026-W48", "2026-W49", "2026-W50", "2026-W51"]
    # SUB × 10 in W49: 0.5 + 10 × 0.25 = 3 h; × 20 in W50: 5.5 h. Other: MO-1 (SUB × 2)
    # 1 h in W49, SO-1's FA × 5 3.5 h in W50, SO-2's FA × 3 2.5 h in W51; 7 h a week
    assert [w["hours"] for w in weeks] == [0, 3, 5.5, 0]
    assert [w["other"] for w in weeks] == [0, 1, 3.5, 2.5]
    assert [w["total"] for w in weeks] == [0, 4, 9, 2.5]
    assert [w["available"] for w in weeks] == [7, 7, 7, 7]
    assert [w["over"] for w in weeks] == [False] * 4
    assert [w["total_over"] for w in weeks] == [False, False, True, False]
    # the item's own check says the same; weeks out of bounds are refused
    one = api.get("/api/mps/SUB/rough-cut?weeks=4", headers=as_role("viewer")).json()
    assert one == [asm]
    assert api.get("/api/mps/rough-cut?weeks=0", headers=as_role("viewer")).status_code == 422
