"""The planning engine: a pure function from column tables to a plan.

``plan(PlanInput) -> PlanResult``; see ``README.md`` beside this file for the
rules it follows and the interpretations it adds to the bundle format.
"""

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
