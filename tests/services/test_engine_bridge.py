"""The engine bridge (``services/snapshot.py``): a plan run and a policy run meet a BOM
cycle through it, and say the same about it (one translation of the engine's error)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.errors import PlanningError
from pegboard.model import Bom, BomLine, Item
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan
from pegboard.services.policy import computation

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"


@pytest.fixture
def cyclic(session: Session) -> Session:
    """The basic company, with C2 made of SUB while SUB is made of C2."""
    replace_company(session, read_bundle(BASIC), author="test")
    with session.begin():
        c2 = session.scalar(select(Item.id).where(Item.code == "C2"))
        sub = session.scalar(select(Item.id).where(Item.code == "SUB"))
        assert c2 is not None and sub is not None
        session.execute(Item.__table__.update().where(Item.id == c2).values(type="make"))
        bom = Bom(number="BOM-C2", kind="engineering", item_id=c2)
        session.add(bom)
        session.flush()
        session.add(BomLine(bom_id=bom.id, position=1, component_id=sub, qty_per=1))
    return session


def test_a_plan_and_a_policy_name_the_same_cycle(cyclic: Session) -> None:
    with pytest.raises(PlanningError) as planned:
        run_plan(cyclic, author="test")
    with pytest.raises(PlanningError) as computed:
        computation.compute(cyclic)
    assert planned.value.message == computed.value.message
    assert planned.value.message.startswith("the BOM has a cycle: ")
    assert set(planned.value.params["cycle"]) == {"SUB", "C2"}
    assert planned.value.params == computed.value.params
