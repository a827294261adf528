"""Synthetic planning bundles shaped like a real make-to-order company.

Benchmarks and load tests need data whose *shape* is right, not just its size:
a long tail of purchased parts where a few screws sit in most BOMs, shared
sub-assemblies two levels deep, and a backlog where every sales-order line
carries its own configured BOM. Uniform random data would hide the hot items
and deep pegging chains that make real plans slow, so popularity follows a
Zipf curve and the per-line structure mirrors an order configurator's output.

Per sales-order line (~1.5 per order) the generator writes one final assembly
with 1-2 configured sub-assemblies (a third of them with a nested configured
sub-assembly), 1-3 common sub-assemblies and 3-10 parts, each configured
sub-assembly with 3-10 parts: ~3 unique items and ~23.5 BOM rows per line, so
50 000 components, 10 000 sub-assemblies and 50 000 orders give ~285 000 items
and ~1.8 million BOM rows.

Stock, open purchase orders and stock production orders are written last,
sized from the demand the backlog creates week by week, as in a company in
steady state: work that should have started is on the shop floor, most parts
needed within their lead time are in stock or on order, a few are short. The
plan then shows about one late line in ten, not every line due within a lead
time.

Capacity (issue #15) comes with it: tens of work centers, about 200 at full size,
in eight kinds from cutting to packing, and a routing of 1-4 operations for every
make item, in process order (the final assemblies' and configured sub-assemblies'
as order routings of their sales orders, beside their order BOMs).

Rows are streamed straight to the CSV files, so memory stays flat, and every
draw comes from seeded ``random.Random`` streams (one per phase), so a seed
always yields the same bytes. Only the standard library is imported: the CLI
must be able to generate without the database or the planning engine.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

__all__ = ["COLUMNS", "GeneratedCounts", "generate_bundle"]

COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(columns.split())
    for name, columns in {
        "settings": "key value",
        "items": "item description type strategy uom lead_time_days lot_rule lot_qty"
        " period_days min_qty multiple safety_stock unit_cost supplier",
        "bom": "parent component qty_per scrap_pct sales_order",
        "stock": "item qty location sales_order",
        "purchase_orders": "purchase_order line item qty due_date status sales_order supplier",
        "production_orders": "production_order item qty due_date start_date status"
        " components_issued sales_order",
        "sales_orders": "sales_order line customer project item qty shipped_qty due_date priority",
        # v2 extension: capacity (docs/bundle-format-capacity.md)
        "work_centers": "work_center description hours_per_day weekday_hours units"
        " efficiency_pct cost_rate",
        "work_center_closed_days": "work_center date description",
        "routings": "item sales_order sequence work_center setup_hours run_hours queue_days"
        " move_days description",
    }.items()
}
"""The spec's columns per file (``<name>.csv``), in the order they are written."""


@dataclass(frozen=True)
class GeneratedCounts:
    """Data rows written per file, so callers can report without re-reading."""

    settings: int
    items: int
    bom: int
    stock: int
    purchase_orders: int
    production_orders: int
    sales_orders: int
    work_centers: int
    work_center_closed_days: int
    routings: int

    def by_file(self) -> dict[str, int]:
        return {f"{name}.csv": getattr(self, name) for name in COLUMNS}


# --------------------------------------------------------------------------- vocabulary

# One block per category of purchased part:
#   PREFIX UOM LEAD_DAYS COST_RANGE SHARE_PERCENT
#     part name: spec | spec | ...
#     suppliers: name | name* | ...   (* = far-east supplier: longer lead times)
_CATALOGUE = """
FST ea 3-10 0.02-0.6 22
  Hex bolt: M6x16 8.8 | M8x25 8.8 | M10x30 zinc | M12x40 8.8
  Socket cap screw: M3x8 A2 | M4x10 A2 | M5x12 A2 | M6x20 A4
  Countersunk screw: M4x12 A2 | M5x16 zinc | M6x25 A2
  Self-tapping screw: 3.5x13 zinc | 4.2x16 A2 | 4.8x19 zinc
  Nylock nut: M4 A2 | M6 zinc | M8 A4 | M10 zinc
  Flat washer: M4 A2 | M6 zinc | M8 A4
  Rivet nut: M4 alu | M5 steel | M6 A2
  Blind rivet: 4x10 alu | 4.8x12 steel
  suppliers: Nordwell Fasteners | Eurobolt | Fixings Express | Hexagon Hardware | Ningbo Hardware*
ELC ea 14-45 0.4-90 16
  LED driver: DALI-2 40W 24V | 0-10V 60W 24V | 1-10V 25W 350mA | on/off 100W 24V
  Terminal block: 2-pole 2.5mm² | 3-pole 4mm² | DIN rail 5-pole
  Relay: 24VDC SPDT | 230VAC DPDT
  Connector: IP67 3-pin | IP68 5-pin M12 | lever 3-way | RJ45 shielded
  Switch: rocker 10A | limit switch roller | key switch 2-position
  Power supply: 24VDC 4A DIN | 24VDC 10A | 12VDC 2A
  Sensor: PIR ceiling | daylight DALI | inductive PNP M12
  Emergency battery pack: 3h NiMH 4.8V | 1h LiFePO4 6.4V
  suppliers: Shenzhen Brightway Electronics* | Brightline Drivers | Voltex Distribution \
| Meridian Electrical | Taipei Connector Works*
CBL m 5-15 0.3-6 6
  Cable: 3G1.5 H05VV-F | 5G2.5 H07RN-F | 3G0.75 H05RR-F
  Control cable: 2x0.75 LiYY | 4x0.5 LiYCY | 7x0.5 LiYY
  Wire: 1.5mm² black | 0.75mm² blue | 2.5mm² green/yellow
  Suspension wire: 1.5mm steel | 2mm steel coated
  suppliers: Ruhr Kabelwerk | Cableco | Quantum Cable
SHM ea 10-25 0.8-40 14
  Bracket: L 40x40 2mm galv | Z 60x30 1.5mm | ceiling clip 1mm
  Mounting plate: 120x80 1.5mm S235 | 300x200 2mm galv
  Cover plate: 150x60 AlMg3 2mm | blank DC01 1mm
  End cap: steel 70x40 | alu 35mm
  Gear tray: 560x60 DC01 | 1120x60 DC01
  suppliers: Kessler Metallbau | Delta Sheet Metal | Steelcraft Pressings | Tyne Fabrications
EXT m 14-28 2-25 5
  Aluminium profile: 40x40 slot 8 | 70x40 recessed | 35x35 surface
  Extrusion: 25x25 anodised | heat sink 60x20 | U channel 30x15
  Track: 3-circuit 230V | magnetic 48V
  Tube: Ø20x2 6063 | 30x30x2 6060
  suppliers: Alutec Extrusions | Iberia Perfiles | Pinnacle Profiles | Silverline Metals
PLS ea 10-40 0.1-15 13
  Lens: opal PC 35mm | prismatic PMMA 70mm | micro-prismatic UGR19
  Diffuser: opal PMMA 560mm | satin PC 1120mm
  Grommet: 20mm PVC | 8mm rubber
  Gasket: EPDM 3mm strip | silicone 70x40
  Cable gland: M16 IP68 | M20 IP68 | M25 IP68
  Cover: ABS grey 120x80 | PC clear 80x80
  Spacer: PA66 10mm | nylon M4x6
  suppliers: Polymer Parts | Optilens | Dongguan Precision Plastics* | Formwell Plastics \
| Prisma Optics
PCB ea 28-60 3-140 5
  LED board: 24V 560mm 4000K | 24V 280mm 3000K | 24V 1120mm 4000K | 48V round 120mm
  Controller board: DALI-2 rev C | Bluetooth mesh v2.1
  Sensor board: PIR rev F | ambient light rev B
  suppliers: Circuitworks PCB | Hanmo Lighting Tech* | Jiangsu Optoelectronic* \
| Lumen Components | Orbis Electronics
MEC ea 7-35 0.3-60 9
  Hinge: 110° soft-close | 170° clip-on | piano 1m
  Drawer runner: 500mm full extension | 450mm soft-close
  Gas spring: 150N 250mm | 80N 200mm
  Handle: 160mm brushed steel | 320mm black | knob Ø30
  Bearing: 6204-2RS | 608-ZZ
  Suspension kit: 1.5m wire with gripper | 3m adjustable
  suppliers: Mecatrix Components | Westfield Bearings | Kobe Motion Parts* | Harbour Hardware
CHM kg 5-20 4-45 3
  Powder coat: RAL 9016 matt | RAL 9005 fine texture | RAL 7016 matt
  Adhesive: 2K epoxy | MS polymer
  Sealant: silicone grey | PU black
  suppliers: Coatings Direct | Ardent Adhesives | Fenwick Finishing | Sealtec
PKG ea 3-10 0.2-8 7
  Carton: 600x400x300 | 1200x200x150 | 1600x250x150
  Label: rating 50x30 | CE barcode 70x40
  Foam insert: EPE 20mm | PU end block
  Bag: PE 200x300 | anti-static 150x200
  suppliers: PackRight | Apex Packaging | Riverside Labels
"""


@dataclass(frozen=True)
class _Category:
    prefix: str
    uom: str
    lead: tuple[int, int]
    cost: tuple[float, float]
    share: float
    descriptions: tuple[str, ...]
    suppliers: tuple[str, ...]
    far_east: frozenset[str]


def _parse_catalogue(text: str) -> tuple[_Category, ...]:
    """Read ``_CATALOGUE``: plain text keeps the vocabulary easy to read and extend."""
    blocks = [line for line in text.splitlines() if line.strip()]
    categories: list[_Category] = []
    head: list[str] = []
    body: list[str] = []
    for line in [*blocks, "END"]:
        if line.startswith(" "):
            body.append(line.strip())
            continue
        if head:
            categories.append(_category(head, body))
        head, body = line.split(), []
    return tuple(categories)


def _category(head: list[str], body: list[str]) -> _Category:
    prefix, uom, lead, cost, share = head
    descriptions: list[str] = []
    suppliers: tuple[str, ...] = ()
    far_east: frozenset[str] = frozenset()
    for entry in body:
        name, _, specs = entry.partition(": ")
        values = tuple(v.strip() for v in specs.split("|"))
        if name == "suppliers":
            suppliers = tuple(v.rstrip("*") for v in values)
            far_east = frozenset(v.rstrip("*") for v in values if v.endswith("*"))
        else:
            descriptions.extend(f"{name} {spec}" for spec in values)
    lead_lo, lead_hi = lead.split("-")
    cost_lo, cost_hi = cost.split("-")
    return _Category(
        prefix, uom, (int(lead_lo), int(lead_hi)), (float(cost_lo), float(cost_hi)),
        float(share), tuple(descriptions), suppliers, far_east,
    )  # fmt: skip


_CATEGORIES = _parse_catalogue(_CATALOGUE)

_PLACES = (
    "Hartwell", "Northgate", "Riverside", "Ashford", "Bramley", "Calder", "Denholm", "Eastwood",
    "Fairfax", "Glenmore", "Harrow", "Ironbridge", "Kingsley", "Lakeside", "Marlow", "Newbury",
    "Oakridge", "Pembroke", "Queensbury", "Redfern", "Stanton", "Thornbury", "Upton",
    "Westbrook", "Yardley", "Aldridge", "Beacon", "Carrow", "Dunmore", "Elmstead", "Foxley",
    "Granger", "Holloway", "Keswick", "Langley", "Moreton", "Norcross", "Orwell", "Prescott",
    "Radley", "Sefton", "Tilbury", "Whitmore", "Wexford", "Brampton", "Colby", "Dalton",
    "Everly", "Fenwick", "Harbour",
)  # fmt: skip
_CUSTOMER_KINDS = (
    "Construction", "Builders", "Facilities", "Interiors", "Electrical", "Engineering",
    "Group", "Contractors", "Property Services", "Installations", "Projects", "Developments",
    "Fit-Out", "Hospitality", "Estates",
)  # fmt: skip
_BUILDINGS = (
    "Tower", "Campus", "Medical Centre", "Retail Park", "Logistics Hub", "Hotel", "School",
    "Office Park", "Station", "Library", "Arena", "Residences",
)  # fmt: skip
_AREAS = ("", "", "lobby", "parking garage", "phase 2", "east wing", "fit-out")
_SUB_NAMES = (
    "Driver tray assembly", "Mounting bracket kit", "Cable harness", "Control board assembly",
    "Frame weldment", "Door assembly", "Hinge kit", "Power supply module", "Sensor kit",
    "Emergency pack", "Terminal plate", "Cover assembly", "End cap set", "Base plate assembly",
)  # fmt: skip
_FAMILIES = (
    "Linear LED run", "Pendant cluster", "Control cabinet", "Switchboard panel",
    "Display case", "Machine guard", "Vapor-tight fixture row", "Kitchen worktop",
)  # fmt: skip
_CONFIGURED_PARTS = (
    "Housing", "Front panel", "Frame", "Cable loom", "Door", "Mounting plate", "Diffuser set",
    "Support rail",
)  # fmt: skip

# qty_per values and their weights per unit of measure
_QTY_PER: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "ea": (("1", "2", "3", "4", "6", "8", "12"), (50, 22, 9, 8, 5, 4, 2)),
    "m": (
        ("0.25", "0.5", "0.75", "1", "1.2", "1.5", "2", "2.4", "3", "4.8"),
        (8, 12, 8, 14, 10, 10, 12, 10, 8, 8),
    ),
    "kg": (("0.02", "0.05", "0.08", "0.1", "0.15", "0.25", "0.4"), (10, 18, 14, 20, 16, 14, 8)),
}
_QTY_CUM = {
    uom: ([(v, float(v)) for v in values], list(accumulate(w)))
    for uom, (values, w) in _QTY_PER.items()
}
_QTY_MEAN = {
    uom: sum(float(v) * w for v, w in zip(values, weights, strict=True)) / sum(weights)
    for uom, (values, weights) in _QTY_PER.items()
}
_SCRAP = ("1", "2", "3", "5", "10")
_LOT_LADDER = {
    "ea": (10, 25, 50, 100, 200, 250, 500, 1000, 2500, 5000, 10000),
    "m": (25, 50, 100, 200, 500, 1000),
    "kg": (5, 10, 20, 25, 50, 100),
}
_MULTIPLES = {"ea": (5, 10, 25, 50, 100, 250, 500, 1000), "m": (10, 25, 50, 100), "kg": (5, 20, 25)}

# the shape of the backlog (see the module docstring for the resulting sizes)
_LINES_PER_ORDER = ((1, 2, 3), (60, 90, 100))  # values, cumulative weights: 1.5 on average
_NESTED_SHARE = 1 / 3
_AVG_LINE_QTY = 4.0  # rough mean of _line_qty, to size lots before the backlog exists
_PART_USES_PER_LINE = 40.0  # 19.5 rows on the line's own BOMs + ~20 through common subs
_REVIEW_DAYS = 14  # stock and open orders cover what is needed within lead time + this
_WEEK = 7
_WEEKS = 13  # demand tallied by week this far ahead: the longest lead, plus review, plus a sub


# --------------------------------------------------------------------------- plumbing


@dataclass
class _Sink:
    """One CSV file being written, counting rows for ``GeneratedCounts``."""

    writer: Any  # csv's writer type is private
    rows: int = 0

    def write(self, row: list[str]) -> None:
        self.writer.writerow(row)
        self.rows += 1


@contextmanager
def _open_sinks(out_dir: Path) -> Iterator[dict[str, _Sink]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        sinks: dict[str, _Sink] = {}
        for name, columns in COLUMNS.items():
            path = out_dir / f"{name}.csv"
            handle = stack.enter_context(path.open("w", newline="", encoding="utf-8"))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            sinks[name] = _Sink(writer)
        yield sinks


# (code, description, the kinds of make item that pass through it, units, operation)
_WORK_CENTER_KINDS = (
    ("SAW", "Saw and laser cutting", "sub part", (1, 2), "cut"),
    ("CNC", "CNC machining and drilling", "sub part", (1, 3), "machine and drill"),
    ("BEND", "Press brake", "sub part", (1, 2), "bend"),
    ("WELD", "Welding cell", "sub part", (1, 3), "weld"),
    ("POWDER", "Powder coating line", "sub part final", (1, 1), "powder coat"),
    ("ASM", "Assembly bench", "sub part final", (2, 6), "assemble"),
    ("WIRE", "Wiring and test", "final", (1, 4), "wire and test"),
    ("PACK", "Packing", "final", (1, 3), "pack"),
)
_SETUP_HOURS = ("0", "0.25", "0.5", "0.5", "1", "1.5", "2")


@dataclass
class _Routes:
    """Work centers by kind, and the routing writer: its own random stream, so the other
    files come out the same with or without capacity."""

    sinks: dict[str, _Sink]
    rng: random.Random
    codes: list[list[str]] = field(default_factory=list)
    """Per kind of ``_WORK_CENTER_KINDS``, its work centers' codes."""

    def write_work_centers(self, n: int, planning_date: date) -> None:
        kinds = len(_WORK_CENTER_KINDS)
        width = 2 if n <= 99 * kinds else 3
        self.codes = [[] for _ in _WORK_CENTER_KINDS]
        for i in range(n):
            self.codes[i % kinds].append(
                f"{_WORK_CENTER_KINDS[i % kinds][0]}-{len(self.codes[i % kinds]) + 1:0{width}d}"
            )
        rng = self.rng
        for k, (_, name, _, (low, high), _) in enumerate(_WORK_CENTER_KINDS):
            for n_in_kind, code in enumerate(self.codes[k], 1):
                draw = rng.random()
                hours, week = ("8", "") if draw < 0.6 else ("16", "") if draw < 0.85 else (
                    "", "mon=8,tue=8,wed=8,thu=8,fri=6"
                )  # fmt: skip
                row = [
                    code, f"{name} {n_in_kind}", hours, week, str(rng.randint(low, high)),
                    str(rng.choice((85, 90, 95, 100, 100))), f"{rng.uniform(35, 95):.2f}",
                ]  # fmt: skip
                self.sinks["work_centers"].write(row)
                if rng.random() < 0.12:  # a maintenance day in the next two months
                    day = planning_date + timedelta(days=rng.randint(7, 60))
                    self.sinks["work_center_closed_days"].write(
                        [code, day.isoformat(), "maintenance"]
                    )

    def write_routing(self, item: str, role: str, sales_order: str = "") -> None:
        """1-4 operations in process order on work centers that take ``role`` (``sub``:
        a common sub-assembly, ``part``: a configured one, ``final``: a final assembly)."""
        rng = self.rng
        kinds = [k for k, kind in enumerate(_WORK_CENTER_KINDS) if role in kind[2].split()]
        kinds = [k for k in kinds if self.codes[k]]
        if not kinds:
            return
        chosen = sorted(rng.sample(kinds, min(len(kinds), rng.randint(1, 4))))
        for n, k in enumerate(chosen, 1):
            run = math.exp(rng.uniform(math.log(0.05), math.log(1.5)))
            row = [
                item, sales_order, str(10 * n), rng.choice(self.codes[k]),
                rng.choice(_SETUP_HOURS), f"{run:.2f}", str(rng.choice((0, 0, 0, 1))),
                str(rng.choice((0, 0, 1))), _WORK_CENTER_KINDS[k][4],
            ]  # fmt: skip
            self.sinks["routings"].write(row)


def _work_center_count(subassemblies: int, orders: int) -> int:
    """Ten for a small company, about 200 at full size (10 000 sub-assemblies, 50 000
    orders)."""
    return max(10, min(200, (subassemblies + orders) // 300))


@dataclass
class _Context:
    """What every phase shares: the open files, the calendar and the PO counter."""

    sinks: dict[str, _Sink]
    planning_date: date
    routes: _Routes
    _days: dict[int, str] = field(default_factory=dict)
    _last_po: int = 0

    def day(self, offset: int) -> str:
        """ISO date ``offset`` days after the planning date; cached as dates repeat a lot."""
        text = self._days.get(offset)
        if text is None:
            text = (self.planning_date + timedelta(days=offset)).isoformat()
            self._days[offset] = text
        return text

    def po_number(self) -> str:
        self._last_po += 1
        return f"PO-{self._last_po:06d}"

    def production_order(
        self, number: str, item: str, qty: str, due: int, status: str, sales_order: str = "",
        *, start: int | None = None,
    ) -> None:  # fmt: skip
        """In progress means started (on ``start``) with its components taken from stock."""
        issued = "true" if status == "in_progress" else "false"
        started = "" if start is None else self.day(start)
        row = [number, item, qty, self.day(due), started, status, issued, sales_order]
        self.sinks["production_orders"].write(row)


@dataclass
class _Usage:
    """Gross demand per item and week, tallied while the backlog is written.

    Stock and open orders are written last and sized from it, as a company in
    steady state holds what its orders of the next weeks need: without that,
    every line due within a lead time would be late.
    """

    lead: list[int]
    weeks: list[list[float]] = field(init=False)

    def __post_init__(self) -> None:
        self.weeks = [[0.0] * _WEEKS for _ in self.lead]

    def add(self, i: int, qty: float, need_day: int) -> None:
        week = max(0, need_day) // _WEEK
        if week < _WEEKS:
            self.weeks[i][week] += qty


def _zipf_cum(n: int, exponent: float, ranks: list[int] | None = None) -> list[float]:
    """Cumulative popularity weights: a few items are used everywhere, most rarely."""
    return list(accumulate(1.0 / (r + 1) ** exponent for r in (ranks or range(n))))


def _pick_distinct(rng: random.Random, cum: list[float], k: int) -> list[int]:
    """``k`` distinct indices by popularity; a BOM never lists a part twice."""
    n = len(cum)
    k = min(k, n)
    if 2 * k > n:
        return rng.sample(range(n), k)
    chosen: dict[int, None] = {}
    while len(chosen) < k:
        chosen.update(dict.fromkeys(rng.choices(range(n), cum_weights=cum, k=k - len(chosen))))
    return list(chosen)


def _qty_per(rng: random.Random, uom: str) -> tuple[str, float]:
    values, cum = _QTY_CUM[uom]
    return rng.choices(values, cum_weights=cum)[0]


def _scrap(rng: random.Random, uom: str) -> str:
    """Cut and poured materials lose more than pieces do."""
    return rng.choice(_SCRAP) if rng.random() < (0.06 if uom == "ea" else 0.25) else ""


def _fmt_qty(value: float, uom: str) -> str:
    """Whole units for pieces, one decimal for metres and kilograms; never zero."""
    if uom == "ea":
        return str(max(1, math.ceil(value)))
    return f"{max(0.1, math.ceil(value * 10) / 10):.1f}"


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _fmt_cost(value: float) -> str:
    return f"{value:.4f}" if value < 1 else f"{value:.2f}"


def _at_least(value: float, ladder: tuple[int, ...]) -> int:
    return next((step for step in ladder if step >= value), ladder[-1])


# --------------------------------------------------------------------------- components


@dataclass
class _Components:
    """Columns of the purchased parts that the later phases draw from."""

    cum: list[float]
    ids: list[str] = field(default_factory=list)
    uoms: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)
    leads: list[int] = field(default_factory=list)
    safety: list[float] = field(default_factory=list)
    usage: _Usage = field(init=False)


def _lot_columns(rng: random.Random, uom: str, demand: float, cost: float) -> list[str]:
    """``lot_rule .. multiple``: mostly lot-for-lot; cheap parts come boxed."""
    draw = rng.random()
    if draw < 0.15:
        lot = _at_least(demand * rng.uniform(0.05, 0.25), _LOT_LADDER[uom])
        return ["foq", str(lot), "", "", ""]
    rule, period = ("poq", str(rng.choice((7, 14, 28, 30)))) if draw < 0.30 else ("lfl", "")
    min_qty = _fmt_qty(demand * rng.uniform(0.01, 0.05), uom) if rng.random() < 0.15 else ""
    boxed = rng.random() < (0.6 if cost < 0.5 else 0.15)
    multiple = str(rng.choice(_MULTIPLES[uom])) if boxed else ""
    return [rule, "", period, min_qty, multiple]


def _write_components(ctx: _Context, rng: random.Random, n: int, orders: int) -> _Components:
    """Purchased MTS parts (items rows only; their stock comes after the backlog).

    Small catalogues use one supplier per category, large ones up to five, so
    the largest size has a few dozen suppliers.
    """
    parts = _Components(cum=_zipf_cum(n, 1.0))
    per_category = max(1, min(5, n // 10_000))
    cat_cum = list(accumulate(c.share for c in _CATEGORIES))
    scale = max(orders, 1) * 1.5 * _PART_USES_PER_LINE * _AVG_LINE_QTY / parts.cum[-1]
    previous = 0.0
    for i, cum in enumerate(parts.cum):
        cat = rng.choices(_CATEGORIES, cum_weights=cat_cum)[0]
        supplier = rng.choice(cat.suppliers[:per_category])
        slowness = 1.5 if supplier in cat.far_east else 1.0
        lead = min(60, max(2, round(rng.randint(*cat.lead) * slowness)))
        demand = (cum - previous) * scale * _QTY_MEAN[cat.uom]
        previous = cum
        item = f"{cat.prefix}-{i + 1:06d}"
        cost = _log_uniform(rng, *cat.cost)
        safety = _fmt_qty(demand * rng.uniform(0.02, 0.08), cat.uom) if rng.random() < 0.12 else ""
        ctx.sinks["items"].write(
            [item, rng.choice(cat.descriptions), "buy", "mts", cat.uom, str(lead),
             *_lot_columns(rng, cat.uom, demand, cost), safety, _fmt_cost(cost), supplier]
        )  # fmt: skip
        parts.ids.append(item)
        parts.uoms.append(cat.uom)
        parts.suppliers.append(supplier)
        parts.leads.append(lead)
        parts.safety.append(float(safety or 0))
    parts.usage = _Usage(parts.leads)
    return parts


def _write_component_rows(
    ctx: _Context, rng: random.Random, parent: str, sales_order: str, parts: _Components, k: int
) -> list[tuple[int, float]]:
    """``k`` distinct purchased parts under ``parent``; returns (index, qty_per) pairs."""
    bom = ctx.sinks["bom"]
    rows = []
    for i in _pick_distinct(rng, parts.cum, k):
        uom = parts.uoms[i]
        text, qty = _qty_per(rng, uom)
        bom.write([parent, parts.ids[i], text, _scrap(rng, uom), sales_order])
        rows.append((i, qty))
    return rows


# --------------------------------------------------------------------------- sub-assemblies


@dataclass
class _Subassemblies:
    """The common (MTS) sub-assemblies: ids, popularity and master BOMs."""

    ids: list[str]
    cum: list[float]
    parts: list[list[tuple[int, float]]] = field(default_factory=list)
    inner: list[list[tuple[int, float]]] = field(default_factory=list)
    usage: _Usage = field(init=False)

    def expand(self, j: int, weekly: list[float], parts: _Components) -> None:
        """Pass the weekly requirement of sub-assembly ``j`` on to its components."""
        lead = self.usage.lead[j]
        for week, qty in enumerate(weekly):
            if qty > 0:
                for i, qty_per in self.parts[j]:
                    parts.usage.add(i, qty * qty_per, week * _WEEK - lead)
                for k, qty_per in self.inner[j]:
                    self.usage.add(k, qty * qty_per, week * _WEEK - lead)


def _write_subassemblies(
    ctx: _Context, rng: random.Random, n: int, parts: _Components, orders: int
) -> _Subassemblies:
    """Common MTS sub-assemblies; the last fifth also contain earlier ones (two levels).

    A level-2 sub-assembly only uses level-1 ones, which use parts only, so the
    master BOM can never close a cycle. Popularity is shuffled so that level-2
    ones are as likely to be used as any.
    """
    width = max(5, len(str(n)))
    subs = _Subassemblies(
        ids=[f"SA-{i + 1:0{width}d}" for i in range(n)],
        cum=_zipf_cum(n, 0.9, rng.sample(range(n), n)),
    )
    n_level1 = n - n // 5 if n >= 2 else n
    weekly = max(orders, 1) * 1.5 * 2 * 2 * _AVG_LINE_QTY / 26 / (subs.cum[-1] if n else 1.0)
    leads, previous = [], 0.0
    for i, item in enumerate(subs.ids):
        leads.append(_write_subassembly_item(ctx, rng, item, (subs.cum[i] - previous) * weekly))
        ctx.routes.write_routing(item, "sub")
        previous = subs.cum[i]
        size = rng.randint(2, 8)
        inner = []
        if i >= n_level1:
            for j in _pick_distinct(rng, subs.cum[:n_level1], rng.randint(1, 2)):
                qty = rng.choice((1, 1, 2))
                ctx.sinks["bom"].write([item, subs.ids[j], str(qty), "", ""])
                inner.append((j, float(qty)))
        subs.inner.append(inner)
        subs.parts.append(
            _write_component_rows(ctx, rng, item, "", parts, max(1, size - len(inner)))
        )
    subs.usage = _Usage(leads)
    return subs


def _write_subassembly_item(ctx: _Context, rng: random.Random, item: str, weekly: float) -> int:
    """One sub-assembly's items row, lots of 1-3 weeks' expected use; returns its lead."""
    draw = rng.random()
    lots = ["lfl", "", "", "", ""]
    if draw < 0.2:
        lots[:2] = ["foq", str(_at_least(weekly * rng.uniform(1, 3), (5, 10, 20, 25, 50, 100)))]
    elif draw < 0.35:
        lots[0], lots[2] = "poq", str(rng.choice((7, 14)))
    safety = str(rng.randint(1, 10)) if rng.random() < 0.15 else ""
    name = f"{rng.choice(_SUB_NAMES)} type {rng.choice('ABCDEFGHJK')}{rng.randint(1, 99)}"
    cost = _fmt_cost(_log_uniform(rng, 5, 150))
    lead = rng.randint(1, 10)
    ctx.sinks["items"].write([item, name, "make", "mts", "ea", str(lead), *lots, safety, cost, ""])
    return lead


# --------------------------------------------------------------------------- sales orders


@dataclass
class _Customers:
    """Customer names by popularity, and each customer's projects, drawn on first use."""

    names: list[str]
    cum: list[float]
    projects: dict[int, list[str]] = field(default_factory=dict)

    def project(self, rng: random.Random, customer: int) -> str:
        projects = self.projects.get(customer)
        if projects is None:
            names = (
                f"{rng.choice(_PLACES)} {rng.choice(_BUILDINGS)} {rng.choice(_AREAS)}".strip()
                for _ in range(rng.randint(1, 5))
            )
            projects = self.projects[customer] = list(dict.fromkeys(names))
        return rng.choice(projects)


def _make_customers(rng: random.Random, orders: int) -> _Customers:
    n = max(3, min(400, orders // 125))
    names = rng.sample([f"{p} {k}" for p in _PLACES for k in _CUSTOMER_KINDS], n)
    return _Customers(names=names, cum=_zipf_cum(n, 0.8))


@dataclass(frozen=True)
class _Line:
    """One sales-order line, as the BOM and supply writers need it."""

    sales_order: str
    number: str  # the order number without "SO-", for production order ids
    line: int
    qty: int  # still to ship
    due: int  # days after the planning date


@dataclass(frozen=True)
class _Configured:
    """A configured MTO sub-assembly of one line, placed in time by the line's due date."""

    item: str
    parent: str
    units: int  # per unit of the final assembly
    lead: int
    due: int  # its parent's start

    @property
    def start(self) -> int:
        return self.due - self.lead


def _write_orders(
    ctx: _Context, rng: random.Random, orders: int, parts: _Components,
    subs: _Subassemblies, progress: Callable[[int], None],
) -> None:  # fmt: skip
    customers = _make_customers(rng, orders)
    width = max(6, len(str(orders)))
    for n in range(1, orders + 1):
        _write_order(ctx, rng, f"{n:0{width}d}", customers, parts, subs)
        if n % 1000 == 0:
            progress(n)


def _write_order(
    ctx: _Context, rng: random.Random, number: str, customers: _Customers,
    parts: _Components, subs: _Subassemblies,
) -> None:  # fmt: skip
    """One sales order: a few are overdue, some lines ship later than the first."""
    sales_order = f"SO-{number}"
    customer = rng.choices(range(len(customers.names)), cum_weights=customers.cum)[0]
    project = customers.project(rng, customer) if rng.random() < 0.65 else ""
    due = rng.randint(-14, -1) if rng.random() < 0.03 else rng.randint(1, 180)
    priority = rng.choices(("100", "50", "10"), cum_weights=(85, 95, 100))[0]
    n_lines = rng.choices(_LINES_PER_ORDER[0], cum_weights=_LINES_PER_ORDER[1])[0]
    for line_no in range(1, n_lines + 1):
        line_due = due if rng.random() < 0.7 else due + rng.randint(1, 30)
        qty = _line_qty(rng)
        shipped = (
            rng.randint(1, qty - 1) if qty >= 2 and line_due <= 30 and rng.random() < 0.2 else 0
        )
        fa = f"FA-{sales_order}-{line_no}"
        ctx.sinks["sales_orders"].write(
            [sales_order, str(line_no), customers.names[customer], project, fa, str(qty),
             str(shipped or ""), ctx.day(line_due), priority]
        )  # fmt: skip
        line = _Line(sales_order, number, line_no, qty - shipped, line_due)
        _write_configured_bom(ctx, rng, line, fa, parts, subs)


def _line_qty(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.5:
        return 1
    return rng.randint(2, 5) if draw < 0.8 else rng.randint(6, 24)


def _write_mto_item(ctx: _Context, rng: random.Random, item: str, name: str, lead: int) -> None:
    cost = _fmt_cost(_log_uniform(rng, 5, 400))
    ctx.sinks["items"].write(
        [item, name, "make", "mto", "ea", str(lead), "lfl", "", "", "", "", "", cost, ""]
    )


def _configure(rng: random.Random, line: _Line, fa: str, fa_start: int) -> list[_Configured]:
    """1-2 configured sub-assemblies, a third of them holding one more (a nested one)."""
    stem = f"SUB-{line.sales_order}-{line.line}"
    subs: list[_Configured] = []
    for _ in range(rng.randint(1, 2)):
        units = 1 if rng.random() < 0.8 else rng.randint(2, 4)
        sub = _Configured(f"{stem}-{len(subs) + 1}", fa, units, rng.randint(1, 7), fa_start)
        subs.append(sub)
        if rng.random() < _NESTED_SHARE:
            nested = _Configured(f"{stem}-{len(subs) + 1}", sub.item, units, rng.randint(1, 7),
                                 sub.start)  # fmt: skip
            subs.append(nested)
    return subs


def _write_configured_bom(
    ctx: _Context, rng: random.Random, line: _Line, fa: str, parts: _Components,
    subs: _Subassemblies,
) -> None:  # fmt: skip
    """The final assembly of one line: configured subs, common subs, then parts.

    Parts are tallied as demand unless a production order already in progress
    (its components issued) covers them.
    """
    so = line.sales_order
    fa_lead = rng.randint(2, 10)
    fa_start = line.due - fa_lead
    label = f"{so}/{line.line}"
    _write_mto_item(ctx, rng, fa, f"{rng.choice(_FAMILIES)}, configured for {label}", fa_lead)
    ctx.routes.write_routing(fa, "final", so)
    configured = _configure(rng, line, fa, fa_start)
    issued = _write_started_work(ctx, rng, line, fa, fa_start, configured)
    bom = ctx.sinks["bom"]
    for sub in configured:
        bom.write([sub.parent, sub.item, str(sub.units if sub.parent == fa else 1), "", so])
        name = f"{rng.choice(_CONFIGURED_PARTS)}, configured for {label}"
        _write_mto_item(ctx, rng, sub.item, name, sub.lead)
        ctx.routes.write_routing(sub.item, "part", so)
        rows = _write_component_rows(ctx, rng, sub.item, so, parts, rng.randint(3, 10))
        if sub.item in issued:
            continue
        if sub.start > 0 and rng.random() < 0.015:
            _write_pegged_purchase(ctx, rng, line, sub, rows.pop(), parts)
        for i, qty_per in rows:
            parts.usage.add(i, line.qty * sub.units * qty_per, sub.start)
    for j in _pick_distinct(rng, subs.cum, rng.randint(1, 3)):
        qty_per = rng.choice((1, 1, 2, 4))
        bom.write([fa, subs.ids[j], str(qty_per), "", so])
        if fa not in issued:
            subs.usage.add(j, line.qty * qty_per, fa_start)
    rows = _write_component_rows(ctx, rng, fa, so, parts, rng.randint(3, 10))
    if fa not in issued:
        for i, qty_per in rows:
            parts.usage.add(i, line.qty * qty_per, fa_start)
    if rng.random() < 0.02 and line.line == 1:  # one reservation per order: unique stock keys
        i = rows[0][0]
        qty = _fmt_qty(line.qty * rows[0][1] * rng.uniform(0.5, 1.0), parts.uoms[i])
        ctx.sinks["stock"].write([parts.ids[i], qty, "staging", so])


def _write_pegged_purchase(
    ctx: _Context, rng: random.Random, line: _Line, sub: _Configured, row: tuple[int, float],
    parts: _Components,
) -> None:  # fmt: skip
    """A part bought for this order alone (a special finish, say), due before its use."""
    i, qty_per = row
    due = max(0, sub.start - rng.randint(0, 7))
    status = "in_transit" if due <= 14 and rng.random() < 0.4 else "open"
    qty = _fmt_qty(line.qty * sub.units * qty_per, parts.uoms[i])
    ctx.sinks["purchase_orders"].write(
        [ctx.po_number(), "1", parts.ids[i], qty, ctx.day(due), status, line.sales_order,
         parts.suppliers[i]]
    )  # fmt: skip


def _write_started_work(
    ctx: _Context, rng: random.Random, line: _Line, fa: str, fa_start: int,
    configured: list[_Configured],
) -> set[str]:  # fmt: skip
    """Production orders for what should have started already (most of it has).

    Returns the items whose components are issued, including those under an
    issued parent, which therefore need nothing more.
    """
    so, stem = line.sales_order, f"MO-{line.number}-{line.line}"
    if fa_start < 0 and rng.random() < 0.8:
        due = max(line.due, 1)
        ctx.production_order(stem, fa, str(line.qty), due, "in_progress", so, start=fa_start)
        return {fa} | {sub.item for sub in configured}
    issued: set[str] = set()
    for k, sub in enumerate(configured, start=1):
        qty = str(line.qty * sub.units)
        draw = rng.random()
        if sub.parent in issued:
            issued.add(sub.item)
        elif sub.start < 0 and draw < 0.8:
            due = max(sub.due, 0)
            ctx.production_order(
                f"{stem}.{k}", sub.item, qty, due, "in_progress", so, start=sub.start
            )
            issued.add(sub.item)
        elif sub.start <= 7 and draw < 0.5:
            ctx.production_order(f"{stem}.{k}", sub.item, qty, sub.due, "released", so)
        elif draw < 0.02:
            ctx.production_order(f"{stem}.{k}", sub.item, qty, sub.due, "planned", so)
    return issued


# --------------------------------------------------------------------------- stock and orders


@dataclass(frozen=True)
class _Cover:
    """How one item's needs of the next weeks are met: stock, and maybe an open order."""

    stock: float
    on_order: float = 0.0
    due: int = 0  # the open order arrives the week stock runs out

    def residual(self, weekly: list[float]) -> list[float]:
        """What is still to be planned per week after stock and the open order."""
        available, left = self.stock, []
        for week, need in enumerate(weekly):
            if self.on_order and week == self.due // _WEEK:
                available += self.on_order
            used = min(available, need)
            available -= used
            left.append(need - used)
        return left


def _cover(rng: random.Random, weekly: list[float], lead: int, share: float) -> _Cover:
    """Stock for the needs within lead time (+ review), with a margin for scrap and
    lot sizes; for ``share`` of the items only the first weeks' needs, the later
    weeks on order. One in a hundred is short."""
    need = weekly[: (lead + _REVIEW_DAYS) // _WEEK + 1]
    draw = rng.random()
    if draw < 0.01:
        return _Cover(sum(need) * rng.uniform(0.0, 0.5))
    filled = [week for week, qty in enumerate(need) if qty > 0]
    if draw < 0.01 + share and len(filled) >= 2:
        split = filled[rng.randrange(1, len(filled))]
        stock = sum(need[:split]) * rng.uniform(0.95, 1.0)
        return _Cover(stock, sum(need[split:]) * rng.uniform(1.05, 1.2), split * _WEEK)
    return _Cover(sum(need) * rng.uniform(1.05, 1.25))


def _po_due(rng: random.Random, due: int) -> tuple[int, str]:
    """Due offset and status: mostly as needed, some early or a little late, a few
    overdue or far ahead, as a real buyer's order book looks."""
    draw = rng.random()
    if draw < 0.05:
        due = rng.randint(-20, -1)
    elif draw < 0.08:
        due = rng.randint(120, 300)
    else:
        due += rng.choice((-14, 0, 0, 0, 0, 0, 3))
    in_transit = due <= 21 and rng.random() < 0.35
    return due, "in_transit" if in_transit else "open"


def _write_part_supply(ctx: _Context, rng: random.Random, parts: _Components) -> None:
    """Stock and open POs for the parts, from their weekly needs."""
    stock = ctx.sinks["stock"]
    pos: dict[str, list[tuple[int, float, tuple[int, str]]]] = {}
    for i, weekly in enumerate(parts.usage.weeks):
        uom = parts.uoms[i]
        cover = _cover(rng, weekly, parts.leads[i], 0.25)
        if cover.on_order:
            line = (i, cover.on_order, _po_due(rng, cover.due))
            pos.setdefault(parts.suppliers[i], []).append(line)
        qty = cover.stock + parts.safety[i]
        if qty <= 0 and rng.random() < 0.4:  # unused parts: leftovers of older orders
            qty = rng.uniform(1, 50) * _QTY_MEAN[uom]
        if qty > 0:
            stock.write([parts.ids[i], _fmt_qty(qty, uom), "main", ""])
            if rng.random() < 0.1:
                stock.write([parts.ids[i], _fmt_qty(qty * rng.uniform(0.05, 0.2), uom),
                             "warehouse-2", ""])  # fmt: skip
    _write_purchase_orders(ctx, parts, pos)


def _write_purchase_orders(
    ctx: _Context, parts: _Components,
    by_supplier: dict[str, list[tuple[int, float, tuple[int, str]]]],
) -> None:  # fmt: skip
    """Lines of one supplier due the same day share a purchase order (up to six lines)."""
    sink = ctx.sinks["purchase_orders"]
    for supplier in sorted(by_supplier):
        lines = sorted(by_supplier[supplier], key=lambda line: (line[2], line[0]))
        while lines:
            due, status = lines[0][2]
            size = next((n for n, line in enumerate(lines[:6]) if line[2] != lines[0][2]), 6)
            chunk, lines = lines[: max(size, 1)], lines[max(size, 1) :]
            number = ctx.po_number()
            for n, (i, qty, _) in enumerate(chunk, start=1):
                sink.write([number, str(n), parts.ids[i], _fmt_qty(qty, parts.uoms[i]),
                            ctx.day(due), status, "", supplier])  # fmt: skip


def _write_subassembly_supply(
    ctx: _Context, rng: random.Random, subs: _Subassemblies, parts: _Components
) -> None:
    """Stock and a few production orders for the common sub-assemblies.

    What they leave to plan, and what their open orders have still to issue, is
    passed on to the components, level 2 first (the highest indices), so that
    parts are stocked for the net need only.
    """
    width = max(5, len(str(len(subs.ids))))
    for j in reversed(range(len(subs.ids))):
        weekly, lead = subs.usage.weeks[j], subs.usage.lead[j]
        cover = _cover(rng, weekly, lead, 0.15)
        if cover.stock > 0:
            ctx.sinks["stock"].write([subs.ids[j], _fmt_qty(cover.stock, "ea"), "main", ""])
        left = cover.residual(weekly)
        if cover.on_order:
            number, qty = f"MO-STK-{j + 1:0{width}d}", _fmt_qty(cover.on_order, "ea")
            if cover.due <= lead:
                start = cover.due - lead
                ctx.production_order(
                    number, subs.ids[j], qty, cover.due, "in_progress", start=start
                )
            else:  # its components are still to be issued
                status = rng.choice(("planned", "released"))
                ctx.production_order(number, subs.ids[j], qty, cover.due, status)
                left[min(cover.due // _WEEK, _WEEKS - 1)] += cover.on_order
        subs.expand(j, left, parts)


# --------------------------------------------------------------------------- entry point


def _rng(seed: int, phase: str) -> random.Random:
    """One stream per phase, so tuning one phase leaves the others' output unchanged."""
    return random.Random(f"pegboard-generate:{seed}:{phase}")


def _write_settings(ctx: _Context) -> None:
    sink = ctx.sinks["settings"]
    sink.write(["planning_date", ctx.planning_date.isoformat()])
    for key, value in (("horizon_days", "365"), ("reschedule_in_days", "7"), ("defer_days", "7")):
        sink.write([key, value])


def generate_bundle(
    out_dir: Path,
    *,
    components: int,
    subassemblies: int,
    orders: int,
    seed: int,
    planning_date: date = date(2026, 1, 5),
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedCounts:
    """Write a synthetic bundle into ``out_dir``; the same arguments give the same bytes.

    ``orders`` counts sales orders (~1.5 lines each). ``progress(done, total)`` is
    called after each phase and every 1000 orders, counting components +
    sub-assemblies + orders, so a CLI can draw one bar over the whole run.
    """
    if components < 1 or subassemblies < 0 or orders < 0:
        raise ValueError("need components >= 1, subassemblies >= 0 and orders >= 0")
    total = components + subassemblies + orders

    def report(done: int) -> None:
        if progress is not None:
            progress(done, total)

    with _open_sinks(out_dir) as sinks:
        ctx = _Context(sinks, planning_date, _Routes(sinks, _rng(seed, "capacity")))
        _write_settings(ctx)
        ctx.routes.write_work_centers(_work_center_count(subassemblies, orders), planning_date)
        parts = _write_components(ctx, _rng(seed, "components"), components, orders)
        report(components)
        subs = _write_subassemblies(ctx, _rng(seed, "subassemblies"), subassemblies, parts, orders)
        report(components + subassemblies)
        done = components + subassemblies
        backlog = _rng(seed, "orders")
        _write_orders(ctx, backlog, orders, parts, subs, lambda n: report(done + n))
        supply = _rng(seed, "supply")
        _write_subassembly_supply(ctx, supply, subs, parts)
        _write_part_supply(ctx, supply, parts)
        report(total)
    return GeneratedCounts(**{name: sink.rows for name, sink in sinks.items()})
