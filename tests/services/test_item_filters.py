"""The items list's filters (services.items.item_page): on the master schedule or not,
below the latest stock-policy run's reorder point; and an emptied decimals taking the
unit's default instead of a null."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import Item, PolicyLine
from pegboard.services import items


def _codes(session: Session, **filters: object) -> list[str]:
    rows, total = items.item_page(session, limit=50, offset=0, **filters)  # type: ignore[arg-type]
    assert total == len(rows)
    return [r.code for r in rows]


def _policy_line(item_id: int, code: str, below: bool) -> PolicyLine:
    line = PolicyLine(item_id=item_id, item=code, policy_run_id=1)
    for column in PolicyLine.__table__.columns:
        if column.name not in ("id", "item_id", "item", "policy_run_id") and not column.nullable:
            python = column.type.python_type
            setattr(line, column.name, "" if python is str else python(0))
    line.below = below
    line.rank = 0 if below else 1
    return line


def test_mps_and_below_policy_filters(session: Session) -> None:
    items.create_item(session, "TRAY", {"type": "make", "mps": True}, author="t")
    items.create_item(session, "LAMP", {"type": "make"}, author="t")
    bolt = items.create_item(session, "BOLT", {"type": "buy"}, author="t")
    items.create_item(session, "NUT", {"type": "buy"}, author="t")
    assert _codes(session, mps=True) == ["TRAY"]
    assert _codes(session, mps=False) == ["BOLT", "LAMP", "NUT"]
    assert _codes(session, below_policy=True) == []
    ids = dict(session.execute(select(Item.code, Item.id)).all())
    session.add(_policy_line(ids["BOLT"], "BOLT", below=True))
    session.add(_policy_line(ids["NUT"], "NUT", below=False))
    session.commit()
    assert bolt.code == "BOLT"
    assert _codes(session, below_policy=True) == ["BOLT"]
    assert _codes(session, below_policy=True, mps=True) == []


def test_an_emptied_decimals_is_the_units_default(session: Session) -> None:
    items.create_item(session, "CABLE", {"uom": "m", "decimals": 1}, author="t")
    assert items.update_item(session, "CABLE", {"decimals": None}, author="t").decimals == 3
    items.create_item(session, "BOLT", {"decimals": 2}, author="t")
    assert items.update_item(session, "BOLT", {"decimals": None}, author="t").decimals == 0
