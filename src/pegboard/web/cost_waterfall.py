"""The geometry of the cost waterfall the cost pages draw (``_cost_macros.html``): from
the estimated cost, each element of the variance (price, usage, scrap, labour,
overhead) as a step up or down, to the actual cost. No plotting library and no script
(the pages' policy allows none): each bar is an SVG ``<rect>`` with a ``<title>``
tooltip, and a link to the variance table that explains it.

Amounts stay exact (``Decimal``) until they become pixels. A step whose amount is zero
is drawn as a thin line so the five elements are always there to read; a remainder
(estimate + the five elements ≠ actual, which the split should never leave) is shown
as its own step rather than hidden in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pegboard.services import money
from pegboard.services.variance_split import Variance

WIDTH = 560
"""Width of the chart in SVG units; bars share it evenly."""
HEIGHT = 180
TOP = 12
BOTTOM = 34
"""Room under the plot for each bar's name and amount."""
STEPS = (
    ("price", "Price", "what components really cost against their standard"),
    ("usage", "Usage", "more or fewer components used than the order BOM says"),
    ("scrap", "Scrap", "scrap against the allowance"),
    ("labour", "Labour", "hours confirmed × rate against the routing's hours"),
    ("overhead", "Overhead", "overhead on the actual against on the estimate"),
)


@dataclass(frozen=True)
class WaterfallBar:
    name: str
    kind: str
    """``total`` (estimated, actual), ``up`` (costs more), ``down`` (costs less), ``zero``."""
    amount: Decimal
    x: float
    y: float
    width: float
    height: float
    tip: str


@dataclass(frozen=True)
class Waterfall:
    bars: tuple[WaterfallBar, ...]
    baseline: float
    """y of zero."""
    width: int = WIDTH
    height: int = HEIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def _signed(value: Decimal, currency: str) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{money.cents(abs(value)):,.2f} {currency}"


def waterfall(
    estimated: Decimal, variance: Variance, actual: Decimal, currency: str
) -> Waterfall | None:
    """The bars from ``estimated`` through each variance element to ``actual``; ``None``
    when there is nothing to draw (no estimate and no actual cost)."""
    steps: list[tuple[str, str, Decimal, str]] = [
        (label, name, getattr(variance, name), why) for name, label, why in STEPS
    ]
    rest = actual - estimated - variance.total
    if rest != 0:
        steps.append(("Other", "other", rest, "not in any element of the split"))
    running = [estimated]
    for _label, _name, amount, _why in steps:
        running.append(running[-1] + amount)
    high = max([*running, actual, money.ZERO])
    low = min([*running, actual, money.ZERO])
    if high == low:
        return None
    plot = HEIGHT - TOP - BOTTOM
    slot = WIDTH / (len(steps) + 2)

    def y(value: Decimal) -> float:
        return TOP + float((high - value) * plot / (high - low))

    def bar(
        i: int, name: str, kind: str, amount: Decimal, a: Decimal, b: Decimal, tip: str
    ) -> WaterfallBar:
        top, bottom = y(max(a, b)), y(min(a, b))
        return WaterfallBar(
            name,
            kind,
            amount,
            round(i * slot + slot * 0.15, 2),
            round(top, 2),
            round(slot * 0.7, 2),
            round(max(bottom - top, 1.0), 2),
            tip,
        )

    bars = [
        bar(
            0,
            "Estimated",
            "total",
            estimated,
            money.ZERO,
            estimated,
            f"Estimated cost {money.cents(estimated):,.2f} {currency}",
        ),
    ]
    for i, (label, _name, amount, why) in enumerate(steps, start=1):
        before = running[i - 1]
        kind = "up" if amount > 0 else "down" if amount < 0 else "zero"
        tip = f"{label} variance {_signed(amount, currency)}: {why}"
        bars.append(bar(i, label, kind, amount, before, before + amount, tip))
    bars.append(
        bar(
            len(steps) + 1,
            "Actual",
            "total",
            actual,
            money.ZERO,
            actual,
            f"Actual cost {money.cents(actual):,.2f} {currency}",
        )
    )
    return Waterfall(tuple(bars), round(y(money.ZERO), 2))
