"""The planning engine: a pure function from column tables to a plan.

``plan(PlanInput) -> PlanResult``; see ``README.md`` beside this file for the
rules it follows and the interpretations it adds to the bundle format.

The names below are loaded on first use (PEP 562): a command that needs only one
part of the engine (the load needs ``capacity`` and ``calendar``) does not pay for
importing the planning run, its types and its kernels at start-up (issue #18).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pegboard.engine.calendar import WorkCalendar
    from pegboard.engine.errors import BomCycleError
    from pegboard.engine.levels import low_level_codes
    from pegboard.engine.run import plan
    from pegboard.engine.types import (
        Bom,
        Demands,
        Exceptions,
        Items,
        LineDates,
        Pegging,
        PlanInput,
        PlannedOrders,
        PlanResult,
        ProductionComponents,
        ProductionDates,
        ProductionOrders,
        PurchaseLines,
        Settings,
        Stock,
    )

__all__ = [
    "Bom",
    "BomCycleError",
    "Demands",
    "Exceptions",
    "Items",
    "LineDates",
    "Pegging",
    "PlanInput",
    "PlanResult",
    "PlannedOrders",
    "ProductionComponents",
    "ProductionDates",
    "ProductionOrders",
    "PurchaseLines",
    "Settings",
    "Stock",
    "WorkCalendar",
    "low_level_codes",
    "plan",
]

_HOME = {
    "WorkCalendar": "calendar",
    "BomCycleError": "errors",
    "low_level_codes": "levels",
    "plan": "run",
}
"""Where each exported name lives; the rest of ``__all__`` is in ``types``."""


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOME.get(name, 'types')}")
    return getattr(module, name)
