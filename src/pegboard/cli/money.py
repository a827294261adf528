"""``pegboard money``: the company currency and the overhead rates estimated costs add.

pegboard money show
pegboard money set --currency CHF --overhead-per-labour-hour 18.50 --overhead-pct-of-material 7.5
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import console, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import author

if TYPE_CHECKING:
    from pegboard.services import money
else:
    money = deferred("pegboard.services.money")

app = typer.Typer(
    help="The company currency and the overhead rates estimated costs add.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _print(s: money.CostingSettings) -> None:
    console.print(
        f"currency {s.currency}; overhead {money.cents(s.overhead_per_labour_hour)} per "
        f"routing hour and {s.overhead_pct_of_material.normalize():f} % of material",
        highlight=False,
    )


@app.command("show")
@handles_errors
def show() -> None:
    """The currency and the overhead rates."""
    with session() as s, s.begin():
        _print(money.costing_settings(s))


@app.command("set")
@handles_errors
def set_(
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code: EUR, USD, CHF…")] = None,
    overhead_per_labour_hour: Annotated[
        str | None, typer.Option(help="overhead per routing hour, e.g. 18.50")
    ] = None,
    overhead_pct_of_material: Annotated[
        str | None, typer.Option(help="overhead as a percentage of material, e.g. 7.5")
    ] = None,
) -> None:
    """Change the currency and the overhead rates (each checked first; audited)."""
    with session() as s:
        settings = money.set_costing_settings(
            s,
            currency=currency,
            overhead_per_labour_hour=overhead_per_labour_hour,
            overhead_pct_of_material=overhead_pct_of_material,
            author=author(),
        )
    _print(settings)
