"""services.pegged_supply on the company of tests/_board_company.py: what the plan pegged
to each firmed order (under its planned order's number) and is there by a day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import FA_MO, SUB_MO, build_firm
from pegboard.model import Item
from pegboard.services.pegged_supply import pegged_by
from pegboard.services.production import get_production


def test_the_supplies_pegged_to_an_order_by_a_day(session: Session) -> None:
    build_firm(session)
    with session.begin():
        ids = {str(c): int(i) for c, i in session.execute(select(Item.code, Item.id))}
        every = list(ids.values())
        fa, sub = get_production(session, FA_MO), get_production(session, SUB_MO)

        def by(mo: object, day: date) -> dict[str, float]:
            got = pegged_by(session, fa if mo == FA_MO else sub, every, day) or {}
            code = {v: k for k, v in ids.items()}
            return {code[i]: q for i, q in got.items()}

        # FA: 5 C1 from stock at once, the 3 bought and SUB's 4 (MO-000002) by 12-18
        assert by(FA_MO, date(2026, 12, 12)) == {"C1": 5.0}
        assert by(FA_MO, date(2026, 12, 17)) == {"C1": 5.0}
        assert by(FA_MO, date(2026, 12, 18)) == {"C1": 8.0, "SUB": 4.0}
        assert by(SUB_MO, date(2026, 12, 1)) == {"C2": 12.0}  # all from stock
        assert pegged_by(session, fa, [ids["C2"]], date(2026, 12, 30)) == {}
