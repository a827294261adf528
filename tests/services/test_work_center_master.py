"""What the work-center and routing pages need of services.capacity (issue #19): a save
that says whether it creates or changes, one work center read, the routings listed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from pegboard import db
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import ItemType, Strategy
from pegboard.services import audit, capacity, items


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with db.session_factory(engine)() as s:
        capacity.save_work_center(s, code="SAW", hours_per_day=8, author="test")
        capacity.save_work_center(s, code="WELD", weekday_hours=[8, 8, 8, 8, 6, 0, 0], author="t")
        for code, kind in (("FRAME", ItemType.MAKE), ("CHAIR", ItemType.MAKE)):
            items.create_item(s, code, {"type": kind, "strategy": Strategy.MTS}, author="test")
        items.create_item(s, "TUBE", {"type": ItemType.BUY}, author="test")
        ops = [capacity.OperationIn(10, "SAW", 0.5, 0.1), capacity.OperationIn(20, "WELD", 0, 0.3)]
        capacity.set_routing(s, "FRAME", ops, author="test")
        capacity.set_routing(s, "CHAIR", [capacity.OperationIn(10, "WELD", 0, 1)], author="test")
    return engine


def test_a_create_refuses_an_existing_code_and_a_change_a_missing_one(shop: Engine) -> None:
    with db.session_factory(shop)() as s:
        with pytest.raises(ConflictError, match="work center 'SAW' exists already"):
            capacity.save_work_center(s, code="SAW", hours_per_day=4, author="pat", new=True)
        with pytest.raises(NotFoundError, match=r"no work center 'SAWS' \(known: SAW, WELD\)"):
            capacity.save_work_center(s, code="SAWS", hours_per_day=4, author="pat", new=False)
        assert capacity.get_work_center(s, "SAW").hours_per_day == 8
        assert [c.code for c in capacity.list_work_centers(s)] == ["SAW", "WELD"]
        made = capacity.save_work_center(
            s, code="PAINT", hours_per_day=7.5, cost_rate="61.50", author="pat", new=True
        )
        assert (made.code, made.cost_rate) == ("PAINT", Decimal("61.50"))
        changed = capacity.save_work_center(s, code="SAW", units=2, author="pat", new=False)
        assert (changed.units, changed.hours_per_day) == (2, 8)
        entries = audit.history(s, entity="work_center", author="pat")
        assert [(e.entity_ref, e.action) for e in entries] == [
            ("SAW", "change"),
            ("PAINT", "create"),
        ]


def test_one_work_center_is_read_with_its_closed_days(shop: Engine) -> None:
    from datetime import date

    with db.session_factory(shop)() as s:
        capacity.add_closed_day(s, "SAW", date(2030, 3, 5), "service", author="pat")
        capacity.add_closed_day(s, "SAW", date(2030, 3, 1), author="pat")
        view = capacity.get_work_center(s, "SAW")
        assert view.closed_days == [date(2030, 3, 1), date(2030, 3, 5)]
        assert capacity.get_work_center(s, "WELD").hours_text == "mon-thu 8, fri 6"
        with pytest.raises(NotFoundError, match="no work center 'NONE'"):
            capacity.get_work_center(s, "NONE")


def test_the_routings_are_listed_by_item_with_their_work_centers(shop: Engine) -> None:
    with db.session_factory(shop)() as s:
        rows, total = capacity.routing_page(s, limit=10, offset=0)
        assert total == 2
        assert [(r.item, r.operations, r.work_centers) for r in rows] == [
            ("CHAIR", 1, ("WELD",)),
            ("FRAME", 2, ("SAW", "WELD")),
        ]
        rows, total = capacity.routing_page(s, q="fra", limit=10, offset=0)
        assert total == 1 and rows[0].number == "RT-FRAME"
        rows, total = capacity.routing_page(s, limit=1, offset=1)
        assert total == 2 and [r.item for r in rows] == ["FRAME"]


def test_only_a_made_item_may_have_a_routing(shop: Engine) -> None:
    with db.session_factory(shop)() as s:
        capacity.item_routable(s, "FRAME")
        with pytest.raises(ValidationError, match="TUBE is bought, not made"):
            capacity.item_routable(s, "TUBE")
        with pytest.raises(NotFoundError, match="no item 'NOPE'"):
            capacity.item_routable(s, "NOPE")
