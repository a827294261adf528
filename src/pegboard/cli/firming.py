"""``pegboard firm``: planned buys and makes of the current plan firmed together.

``po firm`` and ``mo firm`` each firm one kind; a planner who picked some of both from
``report buy`` and ``report make`` wants them firmed all or none, as the planned-orders
page and ``POST /api/plan/firm`` do: one call of ``services.firm_selection``, one
transaction, the same refusals in the same words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.production import print_created
from pegboard.cli.purchasing import print_summary
from pegboard.cli.stock import author

if TYPE_CHECKING:
    import pegboard.model.enums as _enums
    from pegboard.model.enums import Role
    from pegboard.services import firm_selection as _firm_selection
else:
    _enums = deferred("pegboard.model.enums")
    _firm_selection = deferred("pegboard.services.firm_selection")


def _cli_role() -> Role:
    """Who runs the command line: whoever may open the company's database, so every other
    command acts without a role check too (the server's users and roles guard the API and
    the pages)."""
    return _enums.Role.ADMIN


@handles_errors
def firm_command(
    planned: Annotated[
        list[str],
        typer.Argument(help="planned buy and make orders of the current plan (PL-…)"),
    ],
) -> None:
    """Firm planned buy and make orders together, all or none: draft purchase orders (one
    per supplier) and firm production orders.

    A planned order that is not in the current plan, or was firmed already, refuses the
    whole selection and nothing is firmed (``report buy`` and ``report make`` list what
    is still to release)."""
    with session() as s:
        done = _firm_selection.firm_selection(s, planned=planned, role=_cli_role(), author=author())
        if done.purchase_orders:
            title = f"Purchase orders created ({len(done.purchase_orders)})"
            print_summary(s, done.purchase_orders, title)
        if done.production_orders:
            print_created(s, done.production_orders)
