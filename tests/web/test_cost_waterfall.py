"""The cost waterfall's geometry by hand (#19 item 3): from the estimate through each
variance element to the actual cost, exact amounts until they become pixels."""

from __future__ import annotations

from decimal import Decimal

from pegboard.services.variance_split import Variance
from pegboard.web.cost_waterfall import waterfall


def test_steps_by_hand() -> None:
    w = waterfall(
        Decimal(100), Variance(price=Decimal(20), usage=Decimal(-10)), Decimal(110), "EUR"
    )
    assert w is not None
    # seven bars over 560 units: 80 each, the bar 56 wide starting 12 in
    assert [b.name for b in w.bars] == [
        "Estimated",
        "Price",
        "Usage",
        "Scrap",
        "Labour",
        "Overhead",
        "Actual",
    ]
    assert [b.x for b in w.bars] == [12.0, 92.0, 172.0, 252.0, 332.0, 412.0, 492.0]
    assert {b.width for b in w.bars} == {56.0}
    # from 0 to 120 over 134 units, from y 12: y(v) = 12 + (120 - v) * 134 / 120
    est, price, usage, scrap, *_rest, actual = w.bars
    assert (est.kind, est.y, est.height) == ("total", 34.33, 111.67)
    assert (price.kind, price.y, price.height) == ("up", 12.0, 22.33)
    assert (usage.kind, usage.y, usage.height) == ("down", 12.0, 11.17)
    assert (scrap.kind, scrap.height) == ("zero", 1.0)  # still drawn, to be read
    assert (actual.kind, actual.y) == ("total", 23.17)
    assert w.baseline == 146.0
    assert (
        price.tip == "Price variance +20.00 EUR: what components really cost against their standard"
    )
    assert usage.tip.startswith("Usage variance −10.00 EUR")


def test_a_remainder_is_its_own_step_and_nothing_draws_nothing() -> None:
    w = waterfall(Decimal(100), Variance(price=Decimal(5)), Decimal("105.01"), "EUR")
    assert w is not None
    other = w.bars[-2]
    assert (other.name, other.kind, other.amount) == ("Other", "up", Decimal("0.01"))
    assert other.tip.startswith("Other variance +0.01 EUR")
    assert waterfall(Decimal(0), Variance(), Decimal(0), "EUR") is None
