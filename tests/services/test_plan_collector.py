"""A plan run holds the cyclic garbage collector off while it reads and writes its
millions of plain values, and gives it back as it was, also when the run fails."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.errors import ValidationError
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


def test_the_collector_rests_while_planning_and_comes_back(session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="test")
    seen: list[tuple[str, bool]] = []
    assert gc.isenabled()
    run_plan(
        session, author="test", progress=lambda stage, _d, _t: seen.append((stage, gc.isenabled()))
    )
    assert [stage for stage, _on in seen] == ["loading", "planning", "storing", "done"]
    assert not any(on for _stage, on in seen)
    assert gc.isenabled()


def test_a_refused_run_gives_the_collector_back(session: Session) -> None:
    replace_company(session, read_bundle(BASIC), author="test")

    def refuse(stage: str, _done: int, _total: int) -> None:
        if stage == "storing":
            raise ValidationError("stopped by the test")

    with pytest.raises(ValidationError):
        run_plan(session, author="test", progress=refuse)
    assert gc.isenabled()
