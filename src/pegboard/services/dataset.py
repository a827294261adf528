"""A company's planning data as plain, validated rows: what a bundle holds.

Importers build a ``Dataset``; ``services.company_data`` writes it to the
database in bulk and reads it back. Rows are tuples (not ORM objects) because a
large company has millions of BOM rows, and tuples are what bulk statements take.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from pegboard.services.quantities import MAX_DECIMALS as MAX_DECIMALS


class ItemRow(NamedTuple):
    item: str
    description: str
    type: str
    strategy: str
    uom: str
    lead_time_days: int
    lot_rule: str
    lot_qty: float | None
    period_days: int | None
    min_qty: float
    multiple: float
    safety_stock: float
    unit_cost: Decimal
    """Exact, at most 4 decimals (``item.unit_cost``)."""
    supplier: str
    decimals: int | None = None
    """Decimal places of a planned quantity (rule 7); None: the default for ``uom``."""
    mps: bool = False
    """On the master production schedule (``mps.csv``, ``services.mps``): made to the
    planner's schedule, not lot for lot."""


MAX_DAYS = 3650
"""The longest lead time, period or horizon, in days (ten years): bundle and services alike."""
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
"""Every date pegboard stores lies within these, so a plan's arithmetic on dates (lead
times back, horizons forward, at most ``MAX_DAYS`` a step) stays far inside what dates hold."""

PIECE_UNITS = frozenset({"ea", "pc", "pcs", "set", "pair"})


def default_decimals(uom: str) -> int:
    """The bundle format's default: whole units for items counted in pieces, else 3."""
    return 0 if uom.lower() in PIECE_UNITS else 3


def decimals_of(item: ItemRow) -> int:
    return default_decimals(item.uom) if item.decimals is None else item.decimals


def places(value: float) -> int:
    """Decimal places of a quantity as written (shortest exact form): 2.5 -> 1, 12 -> 0."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else MAX_DECIMALS + 1


class HolidayRow(NamedTuple):
    date: date
    description: str


class BomRow(NamedTuple):
    parent: str
    component: str
    qty_per: float
    scrap_pct: float
    sales_order: str


class LocationRow(NamedTuple):
    location: str
    description: str


DEFAULT_LOCATION = "main"
"""Where stock is when a row names no location; always a known location."""


class StockRow(NamedTuple):
    item: str
    qty: float
    location: str
    sales_order: str


class PurchaseRow(NamedTuple):
    purchase_order: str
    line: int
    item: str
    qty: float
    due_date: date
    status: str
    sales_order: str
    supplier: str
    unit_price: Decimal | None = None
    """The price of one unit (exact, 4 decimals); None: the item's unit cost."""


class ProductionRow(NamedTuple):
    production_order: str
    item: str
    qty: float
    due_date: date
    start_date: date | None
    status: str
    components_issued: bool
    sales_order: str


class MpsRow(NamedTuple):
    """A master-schedule line (``mps.csv``): ``qty`` of an ``mps`` item due on ``date``,
    made for stock; one a week per item (``services.mps``)."""

    item: str
    date: date
    qty: float


class WorkCenterRow(NamedTuple):
    """A work center (v2 extension, capacity). ``weekday_hours`` is canonical text
    (``mon=8,tue=8,wed=8,thu=8,fri=6``, weekdays at 0 left out) or empty; when it is
    given, ``hours_per_day`` is its largest figure."""

    work_center: str
    description: str
    hours_per_day: float
    weekday_hours: str
    units: int
    efficiency_pct: float
    cost_rate: Decimal


class ClosedDayRow(NamedTuple):
    work_center: str
    date: date
    description: str


class RoutingRow(NamedTuple):
    """One operation of a routing: the item's (``sales_order`` empty) or the order routing
    of that sales order's order BOM of the item."""

    item: str
    sales_order: str
    sequence: int
    work_center: str
    setup_hours: float
    run_hours: float
    queue_days: int
    move_days: int
    description: str


class SalesRow(NamedTuple):
    sales_order: str
    line: int
    customer: str
    project: str
    item: str
    qty: float
    shipped_qty: float
    due_date: date
    priority: int
    unit_price: Decimal | None = None
    """The quoted price of one unit, exact in cents (None: not quoted)."""
    discount_pct: Decimal = Decimal("0")


@dataclass
class Dataset:
    settings: dict[str, str] = field(default_factory=dict)
    holidays: list[HolidayRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    bom: list[BomRow] = field(default_factory=list)
    locations: list[LocationRow] = field(default_factory=list)
    """locations.csv as given (empty when absent); ``all_locations`` adds the implied ones."""
    stock: list[StockRow] = field(default_factory=list)
    purchases: list[PurchaseRow] = field(default_factory=list)
    productions: list[ProductionRow] = field(default_factory=list)
    sales: list[SalesRow] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    """Configurable products (templates.json): definitions as ``services.templates`` reads them."""
    work_centers: list[WorkCenterRow] = field(default_factory=list)
    closed_days: list[ClosedDayRow] = field(default_factory=list)
    routings: list[RoutingRow] = field(default_factory=list)
    """Capacity (v2 extension): work centers, their closed days, routing operations."""
    mps: list[MpsRow] = field(default_factory=list)
    """The master production schedule's lines not yet released (extension, #17)."""

    def all_locations(self) -> list[LocationRow]:
        """The company's locations: those listed, every one stock uses, and ``main``, by code."""
        listed = {row.location: row for row in self.locations}
        for code in {DEFAULT_LOCATION, *(s.location for s in self.stock)}:
            listed.setdefault(code, LocationRow(code, ""))
        return sorted(listed.values())

    def counts(self) -> dict[str, int]:
        """Rows per file; templates only when the bundle has any (they are an extension)."""
        counts = {
            "settings": len(self.settings),
            "items": len(self.items),
            "bom": len(self.bom),
            "stock": len(self.stock),
            "purchase_orders": len(self.purchases),
            "production_orders": len(self.productions),
            "sales_orders": len(self.sales),
        }
        if self.holidays:
            counts["holidays"] = len(self.holidays)
        if self.locations:
            counts["locations"] = len(self.locations)
        if self.templates:
            counts["templates"] = len(self.templates)
        if self.work_centers:
            counts["work_centers"] = len(self.work_centers)
        if self.closed_days:
            counts["work_center_closed_days"] = len(self.closed_days)
        if self.routings:
            counts["routings"] = len(self.routings)
        if self.mps:
            counts["mps"] = len(self.mps)
        return counts

    def shifted(self, days: int) -> Dataset:
        """The same company ``days`` later: every order, receipt and due date moves, so
        each keeps its distance from "today". Holidays are the same days of the year
        (New Year stays on 1 January), for every year the moved dates touch."""
        move = timedelta(days=days)
        data = replace(
            self,
            sales=[s._replace(due_date=s.due_date + move) for s in self.sales],
            purchases=[p._replace(due_date=p.due_date + move) for p in self.purchases],
            productions=[
                p._replace(
                    due_date=p.due_date + move,
                    start_date=p.start_date + move if p.start_date else None,
                )
                for p in self.productions
            ],
            # a work center's maintenance day moves with the orders (by whole weeks, the
            # demo's shift, it stays on its weekday)
            closed_days=[c._replace(date=c.date + move) for c in self.closed_days],
            mps=[m._replace(date=m.date + move) for m in self.mps],
        )
        if "planning_date" in self.settings:
            day = date.fromisoformat(self.settings["planning_date"]) + move
            data.settings = {**self.settings, "planning_date": day.isoformat()}
        data.holidays = _same_days_of_year(self.holidays, data.years())
        return data

    def years(self) -> range:
        """The calendar years the company's dates fall in (and the next, for lead times)."""
        days = [s.due_date for s in self.sales] + [p.due_date for p in self.purchases]
        days += [p.due_date for p in self.productions] + [m.date for m in self.mps]
        if "planning_date" in self.settings:
            days.append(date.fromisoformat(self.settings["planning_date"]))
        if not days:
            return range(0)
        return range(min(days).year, max(days).year + 2)

    def canonical(self) -> Dataset:
        """The same content in a fixed order, so two datasets compare with ``==``."""
        return Dataset(
            settings=dict(sorted(self.settings.items())),
            holidays=sorted(self.holidays),
            items=sorted(
                (i._replace(decimals=decimals_of(i)) for i in self.items), key=lambda r: r.item
            ),
            bom=sorted(self.bom, key=lambda r: (r.sales_order, r.parent, r.component, r.qty_per)),
            locations=self.all_locations(),
            stock=sorted(self.stock, key=lambda r: (r.item, r.location, r.sales_order)),
            purchases=sorted(self.purchases, key=lambda r: (r.purchase_order, r.line)),
            productions=sorted(self.productions, key=lambda r: r.production_order),
            sales=sorted(self.sales, key=lambda r: (r.sales_order, r.line)),
            templates=sorted(self.templates, key=lambda t: str(t.get("item"))),
            work_centers=sorted(self.work_centers, key=lambda r: r.work_center),
            closed_days=sorted(self.closed_days, key=lambda r: (r.work_center, r.date)),
            routings=sorted(self.routings, key=lambda r: (r.item, r.sales_order, r.sequence)),
            mps=sorted(self.mps),
        )


def _same_days_of_year(holidays: list[HolidayRow], years: range) -> list[HolidayRow]:
    """Each holiday's day of the year (with its description) in every one of ``years``;
    29 February only in leap years."""
    days = {(h.date.month, h.date.day): h.description for h in holidays}
    out = []
    for year in years:
        for (month, day), description in sorted(days.items()):
            try:
                out.append(HolidayRow(date(year, month, day), description))
            except ValueError:
                continue
    return out
