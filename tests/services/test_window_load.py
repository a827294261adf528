"""services.window_load: the backward load of a few work centers and days equals the
whole company's load (services.load.capacity_load) there, less the order asked about."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _board_company import build_firm, dataset
from pegboard.model import ProductionOrder
from pegboard.services import capacity
from pegboard.services.company_data import replace_company
from pegboard.services.load import capacity_load, work_centers
from pegboard.services.planning import run_plan
from pegboard.services.window_load import order_operations, others_hours, production_order_row

WINDOW = (date(2026, 12, 1), date(2026, 12, 31))


def _routings(session: Session) -> None:
    """ASM 8 h a day, PNT 4 h: FA 4 h a unit at ASM then 1 h + 2 h a unit at PNT a day
    later; SUB 6 h a unit at ASM."""
    capacity.save_work_center(session, code="ASM", hours_per_day=8, author="ann")
    capacity.save_work_center(session, code="PNT", hours_per_day=4, author="ann")
    capacity.set_routing(
        session,
        "FA",
        [
            capacity.OperationIn(10, "ASM", run_hours=4),
            capacity.OperationIn(20, "PNT", setup_hours=1, run_hours=2, queue_days=1),
        ],
        author="ann",
    )
    capacity.set_routing(
        session, "SUB", [capacity.OperationIn(10, "ASM", run_hours=6)], author="ann"
    )


def _whole(session: Session, label: str) -> dict[tuple[str, date], float]:
    own: dict[tuple[str, date], float] = defaultdict(float)
    for p in capacity_load(session, orders={label}).days:
        own[(p.work_center, p.start)] += p.required
    out: dict[tuple[str, date], float] = {}
    for p in capacity_load(session).days:
        if WINDOW[0] <= p.start <= WINDOW[1] and p.required - own[(p.work_center, p.start)] > 0:
            out[(p.work_center, p.start)] = p.required - own[(p.work_center, p.start)]
    return out


@pytest.mark.parametrize("firmed", [True, False])
def test_the_window_load_is_the_whole_load_there_less_the_order(
    session: Session, firmed: bool
) -> None:
    if firmed:
        build_firm(session)
    else:  # the plan's planned orders load
        replace_company(session, dataset(), author="import")
    _routings(session)
    run_plan(session, author="planner")
    with session.begin():
        orders = session.scalars(select(ProductionOrder).order_by(ProductionOrder.number)).all()
        wcs, position = work_centers(session)
        assert len(orders) == (2 if firmed else 0)
        for mo in orders:
            got = others_hours(session, wcs, position, {"ASM", "PNT"}, WINDOW, {mo.number})
            assert {k: v for k, v in got.items() if v > 0} == pytest.approx(
                _whole(session, mo.number)
            )
            mine = order_operations(session, production_order_row(mo), wcs, position)
            whole = capacity_load(session, orders={mo.number}).operations
            assert [(o.sequence, o.work_center, o.hours, o.start, o.end) for o in mine] == [
                (o.sequence, o.work_center, o.hours, o.start, o.end) for o in whole
            ]
        everyone = others_hours(session, wcs, position, {"ASM", "PNT"}, WINDOW, set())
        assert everyone and {k: v for k, v in everyone.items() if v > 0} == pytest.approx(
            _whole(session, "nobody")
        )
