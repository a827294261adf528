"""Every way a line becomes shipped or closed freezes its final cost (#16 item 6), on
both databases: a status change by hand as shipping does, and the backfill of lines
shipped before final costs were kept.

SO-3 is a configured lamp order, nothing made for it (tests/_costing.py's shop). Marked
shipped by hand, its figures at that moment are stored: the estimate of 189.04 (SO-1's
211.44 less its order routing's extra painting: material 106.40, labour 57.50, overhead
25.14) and no actual cost, so the variance is −189.04. Profile bought at 8.00 afterwards
would move a live estimate by 9.68 (tests/services/test_final_cost_frozen.py); the
frozen line keeps 189.04.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from _costing import add_open_lamp, build_shop, execute, receive_profile_at
from pegboard.model import LineFinalCost, SalesOrderStatus
from pegboard.services import final_cost, sales, variance

D = Decimal
S = SalesOrderStatus


def _frozen(session: Session) -> dict[int, LineFinalCost]:
    with session.begin():
        rows = session.scalars(select(LineFinalCost)).all()
    return {r.sales_order_line_id: r for r in rows}


def test_marking_an_order_shipped_freezes_its_lines(session: Session) -> None:
    shop = build_shop(session)
    add_open_lamp(shop)
    with shop.begin():
        live = variance.order_variance(shop, "SO-3")
    assert _frozen(shop) == {}

    sales.set_status(shop, "SO-3", S.SHIPPED, author="sales")
    (row,) = _frozen(shop).values()
    figures = (row.estimated_material, row.estimated_labour, row.estimated_overhead)
    assert figures == (D("106.40"), D("57.50"), D("25.14"))
    assert row.revenue == D("500.00")
    receive_profile_at(shop, "8.00")
    with shop.begin():
        shipped = variance.order_variance(shop, "SO-3")
    (line,) = shipped.lines
    assert line.frozen is not None
    assert shipped.estimated == live.estimated
    assert (shipped.estimated.total, shipped.variance.total) == (D("189.04"), D("-189.04"))


def test_closing_an_order_freezes_a_shipped_line_that_has_no_final_cost(
    session: Session,
) -> None:
    shop = execute(build_shop(session))
    with shop.begin():  # as a line shipped before final costs were kept (migration 0019)
        shop.execute(delete(LineFinalCost))
        live = variance.order_variance(shop, "SO-1")
    sales.set_status(shop, "SO-1", S.CLOSED, author="sales")
    (row,) = _frozen(shop).values()
    assert (row.price_variance, row.revenue) == (D("-19.25"), D("450.00"))
    with shop.begin():
        closed = variance.order_variance(shop, "SO-1")
    assert (closed.estimated, closed.variance) == (live.estimated, live.variance)
    assert closed.margin == D("319.155")


def test_the_backfill_freezes_every_done_line_once(session: Session) -> None:
    """``pegboard db upgrade`` runs it: lines shipped before 0019 get their final cost."""
    shop = execute(build_shop(session))
    add_open_lamp(shop)
    with shop.begin():
        shop.execute(delete(LineFinalCost))
        live = variance.order_variance(shop, "SO-1")
    assert final_cost.backfill_final_costs(shop, author="upgrade") == 1
    assert final_cost.backfill_final_costs(shop, author="upgrade") == 0
    frozen = _frozen(shop)
    assert len(frozen) == 1  # SO-3 is open: its cost stays live
    with shop.begin():
        found = variance.order_variance(shop, "SO-1")
    assert found.lines[0].frozen is not None
    assert (found.estimated, found.actual.total, found.variance) == (
        live.estimated,
        live.actual.total,
        live.variance,
    )
