"""Projected stock of one item by date: what the current plan expects to happen to it.

Starts from on-hand stock now, adds every receipt (open purchase lines, open
production orders, and planned orders of the current plan not yet firmed) on
its due date and subtracts every requirement (open sales-order lines, what
open production orders still need of it, and what the plan's planned parent
orders will need) on its date. Dates before the planning date count on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Event:
    day: date
    qty: float  # + receipt, - requirement
    kind: str  # stock / purchase_order / production_order / planned_order / sales_order / component
    ref: str


@dataclass(frozen=True)
class ProjectionRow:
    day: date
    receipts: float
    requirements: float
    projected: float
    refs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Projection:
    item: str
    plan_run: int | None  # None when there is no plan yet (planned orders then unknown)
    planning_date: date
    on_hand: float
    safety_stock: float
    rows: list[ProjectionRow]

    @property
    def lowest(self) -> float:
        return min((r.projected for r in self.rows), default=self.on_hand)
