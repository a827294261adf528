"""The planning time fence is a setting a planner sets (#17 item 3): one service behind
``pegboard mps fence``, the API and the master schedule page; whole days from 0, audited,
counted as a change the plan has not seen; a bundle's settings carry it and the plan
reads it (both databases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _clock import pin_today
from pegboard import clock
from pegboard.bundle.importer import read_bundle
from pegboard.errors import ValidationError
from pegboard.model import AuditEntry, CompanySetting
from pegboard.services import mps, mps_fence, plan_age
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
DAY = date(2026, 11, 24)


def _fence_audits(session: Session) -> list[tuple[str, object, object]]:
    with session.begin():
        rows = session.execute(
            select(AuditEntry.author, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity == "setting", AuditEntry.entity_ref == mps_fence.FENCE_KEY)
            .order_by(AuditEntry.id)
        ).all()
    return [tuple(r) for r in rows]


@pin_today(DAY)
def test_the_fence_is_set_audited_and_marks_the_plan_out_of_date(session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="test")
    run_plan(session, author="test")
    with session.begin():
        assert mps.fence_days(session) == mps_fence.DEFAULT_FENCE_DAYS == 14
        assert not plan_age.plan_age(session, clock.today()).changes
    assert mps_fence.set_fence_days(session, 21, author="ann") == 21
    mps_fence.set_fence_days(session, 21, author="bob")  # the same: nothing to audit
    assert mps_fence.set_fence_days(session, 0, author="ann") == 0  # no fence
    with session.begin():
        assert mps_fence.fence_setting(session) == 0
        assert plan_age.plan_age(session, clock.today()).changes == 2
    assert _fence_audits(session) == [
        ("ann", {mps_fence.FENCE_KEY: None}, {mps_fence.FENCE_KEY: 21}),
        ("ann", {mps_fence.FENCE_KEY: 21}, {mps_fence.FENCE_KEY: 0}),
    ]


@pytest.mark.parametrize("days", [-1, mps_fence.MAX_FENCE_DAYS + 1, True, 2.5])
def test_a_fence_that_is_not_whole_days_from_0_is_refused(session: Session, days: object) -> None:
    with pytest.raises(ValidationError) as refused:
        mps_fence.set_fence_days(session, days, author="ann")  # type: ignore[arg-type]
    assert refused.value.params["field"] == mps_fence.FENCE_KEY
    assert repr(days) in refused.value.message
    with session.begin():
        assert session.get(CompanySetting, mps_fence.FENCE_KEY) is None
    assert _fence_audits(session) == []


def test_a_bundles_settings_carry_the_fence(session: Session, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for f in BASIC.iterdir():
        (bundle / f.name).write_bytes(f.read_bytes())
    with (bundle / "settings.csv").open("a") as out:
        out.write("mps_time_fence_days,28\n")
    replace_company(session, read_bundle(bundle), author="test")
    with session.begin():
        assert mps_fence.fence_setting(session) == 28
