"""Closed orders keep a frozen final cost (#16 item 6), by hand on both databases.

SO-1 of tests/services/test_actual_cost_story.py is shipped complete: its final cost is
stored then (estimated 211.44, actual 130.845, price variance −19.25, margin 319.155).
A second lamp, SO-3, is configured the same way and not made. Then profile is bought
and received at 8.00 (the latest price was 6.00). The estimates price the profile at
its latest purchase: each lamp order needs 2 bodies × 2 m × 1.10 (scrap) = 4.4 m, so a
live estimate gains 4.4 × 2.00 = 8.80 material and 10 % overhead on it, 0.88: 9.68.

* SO-3 (open): its estimate moves by 9.68, and its variance (nothing made: −estimate)
  by −9.68;
* SO-1 (shipped): a fresh estimate would move by 9.68 too, but its report keeps the
  figures frozen at shipping: estimated 211.44, price variance −19.25, total −80.595.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from _costing import add_open_lamp, build_shop, execute, receive_profile_at
from pegboard.model import LineFinalCost
from pegboard.services import costing, variance

D = Decimal


def test_a_later_purchase_price_moves_an_open_order_not_a_shipped_one(session: Session) -> None:
    shop = execute(build_shop(session))
    add_open_lamp(shop)
    with shop.begin():
        (frozen,) = shop.scalars(select(LineFinalCost)).all()
        shipped_before = variance.order_variance(shop, "SO-1")
        open_before = variance.order_variance(shop, "SO-3")
    assert (frozen.estimated_material, frozen.price_variance) == (D("110.40"), D("-19.25"))
    assert shipped_before.estimated.total == D("211.44")

    receive_profile_at(shop, "8.00")
    with shop.begin():
        shipped = variance.order_variance(shop, "SO-1")
        still_open = variance.order_variance(shop, "SO-3")
        live_estimate = costing.order_cost(shop, "SO-1")

    after, before = still_open.estimated, open_before.estimated
    moved = (
        after.material - before.material,
        after.labour - before.labour,
        after.overhead - before.overhead,
    )
    assert moved == (D("8.80"), D("0"), D("0.88"))
    assert still_open.variance.total - open_before.variance.total == D("-9.68")
    # the shipped order's estimate, computed afresh, would have moved the same
    assert live_estimate.lines[0].elements.total == D("211.44") + D("9.68")
    (line,) = shipped.lines
    assert line.frozen is not None
    assert (shipped.estimated.total, shipped.actual.total) == (D("211.44"), D("130.845"))
    assert shipped.variance == shipped_before.variance
    assert (shipped.variance.price, shipped.variance.total) == (D("-19.25"), D("-80.595"))
    assert (shipped.revenue, shipped.margin) == (D("450.00"), D("319.155"))


def test_a_line_not_shipped_complete_is_not_frozen(session: Session) -> None:
    shop = build_shop(session)
    add_open_lamp(shop)
    with shop.begin():
        assert shop.scalars(select(LineFinalCost)).all() == []
        found = variance.order_variance(shop, "SO-3")
    assert all(line.frozen is None for line in found.lines)
