"""Order promising: "when can we deliver ITEM × QTY?" while the customer is on the phone.

:func:`promise` configures the item on the fly (nothing is saved), explodes it
and hands the structure with the available-to-promise lots of every item in it
to the pure search in :mod:`pegboard.engine.promise`, which finds the earliest
completion (ATP, then CTP through lead times) and what would have to be bought
or made. :func:`reserve` turns a promise into a confirmed sales order.

What the answer is built from, and how it is read:

* **The structure.** A configurable item (one with a template) is configured
  with the given parameters exactly as ``order configure`` would: each
  configured or made-to-order node is *new* (it does not exist yet, so it has
  no ATP). Every other item (bought parts, made-to-stock sub-assemblies, a plain
  item asked for directly) is itself: its ATP counts, and what ATP does not
  cover is bought, or made through its BOM: the engineering (master) BOM, else
  the newest order BOM of the item (an imported order-specific item has only
  that: promising it means "another one like that order"). A made item with no
  BOM at all is made in its lead time from nothing. Scrap is included in the
  quantity per.
* **ATP, as of the last plan.** An item's ATP lots are its free stock (stock
  balances neither reserved for a sales order nor for a production order) on
  the planning day, and the open quantity of its open purchase-order lines and
  production orders that carry no sales order, on their due days, each minus
  what the current plan pegs of that supply to existing demands. Existing
  orders therefore come first, in the plan's own priority order (the plan
  netted them by date and priority), and stock the plan keeps as safety stock
  is not promised. Stock pegging rows name only the location, so the pegged
  quantity at a location is taken from the stock reserved there for sales
  orders first (their own orders use it first) and the rest from free stock.
  Planned orders of the plan are not ATP: they are suggestions, not firm
  supply. Quantities are those of the last ``pegboard plan``: movements and
  orders since then are not seen until the next plan.
* **Dates.** The planning day is the current plan's planning date; the wanted
  date may not be before it. Buying starts on the planning day at the earliest.
  Make lead times count the plant's working days, a purchase arrives on the
  first working day after its lead time (bundle-format rules 1 and 9), as in the
  plan. An item on the master schedule (``mps``) is promised from its free stock
  and the schedule lines the plan left free, inside the planning time fence too,
  but a new order of it completes no sooner than the first working day beyond the
  fence (``mps_time_fence_days``, ``services.mps_fence``), as the plan adds none
  inside it: the promise agrees with the plan.
* **Quantities.** What is to be bought or made is sized as the plan sizes a
  planned order (rule 7): the item's lot rule, min_qty and multiple, then its
  decimal places; a made item's components are needed for that quantity. A
  configured node is made for the order: only its decimal places apply.
* **Promise and plan.** The date is the plan's too when the order is entered
  for it (``reserve``) and planned, except where the plan decides otherwise for
  the whole backlog: it serves every order by date and priority (a promise
  offers only what the last plan left free, and supply it left free may go to an
  order entered since), and it sizes one lot for the requirements of several
  orders (the same day, a ``poq`` period), whose components may come later than
  this order's alone (``PLAN_NOTE``).

Reading is set based: the structure level by level (each level: the BOMs of
the level's made items, then their lines with the components' attributes),
then the ATP of every item in it in four queries (stock, purchase lines,
production orders, pegging of those supplies through ``ix_pegging_supply``).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from pegboard import clock, db
from pegboard.engine import promise as ep
from pegboard.engine.types import FOQ, LFL, POQ
from pegboard.errors import NotFoundError, PlanningError, ValidationError
from pegboard.model import (
    Bom,
    BomLine,
    Item,
    Pegging,
    ProductionOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrderStatus,
    StockBalance,
)
from pegboard.model.enums import (
    OPEN_PRODUCTION_STATUSES,
    OPEN_PURCHASE_STATUSES,
    BomKind,
    ItemType,
    LotRule,
)
from pegboard.services import audit, costing, money, order_bom, sales, wording, worker_pool
from pegboard.services._tx import composed_write
from pegboard.services.configurator import ConfiguredNode, configure
from pegboard.services.inventory import check_qty
from pegboard.services.planning import current_run
from pegboard.services.quantities import rounded_up
from pegboard.services.routing_lines import ConfiguredOperation
from pegboard.services.snapshot import read_settings
from pegboard.services.templates import DbCatalog

EPS = 1e-9
CHUNK = 500
"""Most values in one ``IN (...)`` list."""
MAX_DEPTH = 40
"""Deepest structure read (a cycle in the data would otherwise never end)."""
MEMORY = (None, "", ":memory:")
"""SQLite database names of an in-memory database: a worker process cannot open it."""

T = TypeVar("T")

RULES = {LotRule.LFL.value: LFL, LotRule.FOQ.value: FOQ, LotRule.POQ.value: POQ}
PLAN_NOTE = (
    "Entered for this date, the order is planned for it, unless the plan decides otherwise "
    "for the whole backlog: it serves every order by date and priority (this promise sees "
    "only what the last plan left free), and it may make one lot for several orders, whose "
    "components can then come later than for this order alone."
)
"""Where promise and plan may differ, said on the promise page and by the command line."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PathStep:
    """One link of the critical path, top first."""

    position: str
    item: str
    description: str
    qty: float
    date: date
    reason: str


@dataclass(frozen=True)
class OrderToPlace:
    """A purchase or production order the promise needs."""

    position: str
    item: str
    description: str
    kind: str  # "buy" | "make"
    qty: float  # sized as the plan sizes a planned order: lot rule, min, multiple, decimals
    requirement: float  # what is missing; qty - requirement goes to stock
    lead_time_days: int
    order_by: date  # latest day to place (buy) or start (make) it and keep the promised date
    due: date  # when its parent (or the customer) needs it
    earliest_start: date
    earliest_completion: date
    order_by_wanted: date | None  # the same for the wanted date, when that is met
    critical: bool
    today: bool  # order_by is the planning date: place it now


@dataclass(frozen=True)
class AtpUse:
    item: str
    source: str  # "stock" or the receipt (PO-000123/1, MO-1042-1)
    date: date
    qty: float


@dataclass(frozen=True)
class PromiseLine:
    """One node of the exploded structure (depth = number of dots in the position)."""

    position: str
    item: str
    description: str
    qty: float
    from_atp: float
    to_order: float
    date: date
    depth: int


@dataclass(frozen=True)
class Quote:
    """The estimated cost of the promised configuration and the margin at a price, so
    sales can quote both (``services.costing``; exact, in the company currency)."""

    currency: str
    cost: Decimal
    material: Decimal
    labour: Decimal
    overhead: Decimal
    unit_cost: Decimal
    unit_price: Decimal | None = None
    revenue: Decimal | None = None
    margin: Decimal | None = None
    margin_pct: Decimal | None = None


@dataclass(frozen=True)
class Promise:
    item: str
    description: str
    qty: float
    params: tuple[tuple[str, str], ...]
    configured: bool
    planning_date: date
    plan_as_of: datetime | None  # when the plan that gave the ATP finished
    promised: date  # the earliest completion
    wanted: date | None
    met: bool | None  # None without a wanted date
    late_days: int  # days after the wanted date (0 when met or none)
    critical_path: tuple[PathStep, ...]
    orders: tuple[OrderToPlace, ...]
    atp: tuple[AtpUse, ...]
    lines: tuple[PromiseLine, ...]

    note: str = PLAN_NOTE
    capacity: str = ""
    """What capacity set the date with, when the current finite schedule's free hours
    make the quote later than its material ("POWDER full 2027-01-19"); empty otherwise."""
    quote: Quote | None = None
    """The estimated cost and, given a price, the margin (None: it cannot be estimated)."""

    @property
    def due(self) -> date:
        """The date to promise: the wanted date when it is met, else the earliest."""
        return self.wanted if self.met and self.wanted is not None else self.promised

    @property
    def summary(self) -> str:
        head = f"{self.qty:g} × {self.item} can be complete on {self.promised.isoformat()}"
        if self.capacity:
            head += f", set by capacity: {self.capacity}"
        if self.wanted is None:
            return head
        if self.met:
            return f"{head} (wanted {self.wanted.isoformat()}: met)"
        late = wording.plural(self.late_days, "day")
        return f"{head} (wanted {self.wanted.isoformat()}: {late} late)"


# --------------------------------------------------------------------------- reading


@dataclass
class _ItemRow:
    id: int
    code: str
    description: str
    make: bool
    lead_time: int
    sizing: ep.Sizing
    decimals: int
    mps: bool = False  # on the master schedule: its new orders wait for the time fence


ITEM_COLUMNS = (
    Item.id,
    Item.code,
    Item.description,
    Item.type,
    Item.lead_time_days,
    Item.lot_rule,
    Item.lot_qty,
    Item.min_qty,
    Item.multiple,
    Item.decimals,
    Item.mps,
)


def _row(r: Sequence[Any]) -> _ItemRow:
    rule = str(getattr(r[5], "value", r[5]))
    decimals = -1 if r[9] is None else int(r[9])
    sizing = ep.Sizing(
        rule=RULES.get(rule, LFL),
        lot_qty=float(r[6] or 0.0),
        min_qty=float(r[7] or 0.0),
        multiple=float(r[8] or 0.0),
        scale=10.0**decimals if decimals >= 0 else 0.0,
    )
    make = r[3] == ItemType.MAKE
    return _ItemRow(r[0], r[1], r[2], make, int(r[4] or 0), sizing, decimals, bool(r[10]))


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _item_rows(session: Session, where: Any) -> list[_ItemRow]:
    return [_row(r) for r in session.execute(select(*ITEM_COLUMNS).where(where)).all()]


class _Reader:
    """Reads the structure and the ATP of the items of one promise."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.items: dict[int, _ItemRow] = {}
        self.by_code: dict[str, _ItemRow] = {}
        self.lines: dict[int, list[tuple[int, float]]] = {}  # item id -> (component id, qty)

    def add(self, row: _ItemRow) -> None:
        self.items[row.id] = row
        self.by_code[row.code] = row

    def codes(self, codes: Iterable[str]) -> None:
        wanted = sorted({c for c in codes if c not in self.by_code})
        for chunk in _chunks(wanted):
            for row in _item_rows(self.session, Item.code.in_(chunk)):
                self.add(row)

    def explode(self, start: Iterable[int]) -> None:
        """BOM lines of the made items from ``start`` down, level by level."""
        frontier = sorted({i for i in start if self.items[i].make and i not in self.lines})
        depth = 0
        while frontier:
            depth += 1
            if depth > MAX_DEPTH:
                raise ValidationError(
                    f"the structure is deeper than {MAX_DEPTH} levels (a BOM cycle?)",
                    field="item",
                )
            boms: dict[int, int] = {}
            for chunk in _chunks(frontier):
                rows = self.session.execute(
                    select(Bom.item_id, Bom.id, Bom.kind)
                    .where(Bom.item_id.in_(chunk))
                    .order_by(Bom.item_id, Bom.id)
                ).all()
                best: dict[int, tuple[bool, int]] = {}
                for item_id, bom_id, bom_kind in rows:
                    key = (bom_kind == BomKind.ENGINEERING, bom_id)
                    if item_id not in best or key > best[item_id]:
                        best[item_id] = key
                boms.update({item_id: key[1] for item_id, key in best.items()})
            for item_id in frontier:
                self.lines[item_id] = []
            owner = {bom_id: item_id for item_id, bom_id in boms.items()}
            found: list[int] = []
            bom_ids = sorted(owner)
            for chunk in _chunks(bom_ids):
                line_rows = self.session.execute(
                    select(BomLine.bom_id, BomLine.qty_per, BomLine.scrap_pct, *ITEM_COLUMNS)
                    .join(Item, Item.id == BomLine.component_id)
                    .where(BomLine.bom_id.in_(chunk))
                    .order_by(BomLine.bom_id, BomLine.position, BomLine.id)
                ).all()
                for bom_id, qty_per, scrap, *columns in line_rows:
                    comp = columns[0]
                    if comp not in self.items:
                        self.add(_row(columns))
                    qty = float(qty_per) * (1 + float(scrap or 0) / 100)
                    if qty > 0:
                        self.lines[owner[bom_id]].append((comp, qty))
                        found.append(comp)
            frontier = sorted({i for i in found if self.items[i].make and i not in self.lines})

    def atp(self, item_ids: Sequence[int], pd: date) -> dict[str, list[ep.Lot]]:
        """The ATP lots of these items, by item code (see the module)."""
        session = self.session
        ids = sorted(set(item_ids))
        free: dict[tuple[int, str], float] = {}
        reserved: dict[tuple[int, str], float] = {}
        receipts: list[tuple[int, str, float, date]] = []  # item, ref, open qty, due
        for chunk in _chunks(ids):
            for item_id, location, so, mo, qty in session.execute(
                select(
                    StockBalance.item_id,
                    StockBalance.location,
                    StockBalance.sales_order_id,
                    StockBalance.reserved_mo_id,
                    StockBalance.qty,
                ).where(StockBalance.item_id.in_(chunk), StockBalance.qty > 0)
            ):
                key = (item_id, location)
                if so is None and mo is None:
                    free[key] = free.get(key, 0.0) + float(qty)
                elif so is not None:
                    reserved[key] = reserved.get(key, 0.0) + float(qty)
            po_ref_column = (
                PurchaseOrder.number
                + literal("/")
                + func.cast(PurchaseOrderLine.line, Item.code.type)
            )
            for item_id, po_ref, qty, due in session.execute(
                select(
                    PurchaseOrderLine.item_id,
                    po_ref_column,
                    PurchaseOrderLine.qty - PurchaseOrderLine.received_qty,
                    PurchaseOrderLine.due_date,
                )
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .where(
                    PurchaseOrderLine.item_id.in_(chunk),
                    PurchaseOrderLine.status.in_(OPEN_PURCHASE_STATUSES),
                    PurchaseOrderLine.qty > PurchaseOrderLine.received_qty,
                    PurchaseOrderLine.sales_order_id.is_(None),
                )
            ):
                receipts.append((item_id, po_ref, float(qty), due))
            for item_id, number, qty, due in session.execute(
                select(
                    ProductionOrder.item_id,
                    ProductionOrder.number,
                    ProductionOrder.qty - ProductionOrder.completed_qty,
                    ProductionOrder.due_date,
                ).where(
                    ProductionOrder.item_id.in_(chunk),
                    ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
                    ProductionOrder.qty > ProductionOrder.completed_qty,
                    ProductionOrder.sales_order_id.is_(None),
                )
            ):
                receipts.append((item_id, number, float(qty), due))
        pegged = self._pegged(
            [*free, *reserved, *((item_id, ref) for item_id, ref, _q, _d in receipts)]
        )
        lots: dict[str, list[ep.Lot]] = {}
        pd_day = pd.toordinal()
        for (item_id, location), qty in sorted(free.items()):
            used = max(
                0.0, pegged.get((item_id, location), 0.0) - reserved.get((item_id, location), 0.0)
            )
            left = qty - used
            if left > EPS:
                lots.setdefault(self.items[item_id].code, []).append(ep.Lot(pd_day, left))
        for item_id, supply, qty, due in sorted(receipts, key=lambda r: (r[0], r[3], r[1])):
            left = qty - pegged.get((item_id, supply), 0.0)
            if left > EPS:
                lots.setdefault(self.items[item_id].code, []).append(
                    ep.Lot(due.toordinal(), left, supply)
                )
        return lots

    def _pegged(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], float]:
        """What the current plan pegs of each (item, supply ref) to existing demands."""
        out: dict[tuple[int, str], float] = {}
        unique = sorted(set(keys), key=lambda k: (k[1], k[0]))
        for chunk in _chunks(unique):
            refs = sorted({ref for _i, ref in chunk})
            items = sorted({i for i, _r in chunk})
            rows = self.session.execute(
                select(Pegging.item_id, Pegging.supply_ref, func.sum(Pegging.qty))
                .where(
                    Pegging.supply_ref.in_(refs),
                    Pegging.item_id.in_(items),
                    Pegging.supply_type != "planned_order",
                )
                .group_by(Pegging.item_id, Pegging.supply_ref)
            )
            for item_id, ref, qty in rows:
                out[(item_id, ref)] = float(qty or 0.0)
        return out


# --------------------------------------------------------------------------- promise


def _check_item(item: object) -> str:
    if not isinstance(item, str) or not item.strip():
        raise ValidationError("item must not be blank", field="item")
    return item.strip()


def _check_params(params: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not key.strip():
            raise ValidationError("a parameter name must not be blank", field="params")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValidationError(
                f"parameter {key!r} must be given as text, not {value!r}",
                field="params",
                parameter=key,
            )
        out[key.strip()] = str(value)
    return out


class _Graph:
    """Engine nodes for a configured tree over the master items it reaches."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.nodes: dict[str, ep.Node] = {}
        self.configured = 0

    def configured_node(self, node: ConfiguredNode) -> str:
        key = f"c{self.configured}"
        self.configured += 1
        base = self.reader.by_code[node.item]
        lines = []
        for line in node.lines:
            qty = line.qty_per * (1 + line.scrap_pct / 100)
            if qty <= 0:
                continue
            if line.child is not None:
                lines.append(ep.Line(self.configured_node(line.child), qty))
            else:
                lines.append(ep.Line(self.item_node(self.reader.by_code[line.component].id), qty))
        # made for the order as configured (not a lot), in the item's decimal places
        self.nodes[key] = ep.Node(
            base.code,
            make=True,
            lead_time=base.lead_time,
            new=True,
            lines=tuple(lines),
            sizing=ep.Sizing(scale=base.sizing.scale),
            mps=base.mps,
        )
        return key

    def item_node(self, item_id: int) -> str:
        key = f"i{item_id}"
        if key not in self.nodes:
            row = self.reader.items[item_id]
            lines = tuple(
                ep.Line(self.item_node(comp), qty)
                for comp, qty in self.reader.lines.get(item_id, [])
            )
            self.nodes[key] = ep.Node(
                row.code,
                make=row.make,
                lead_time=row.lead_time,
                lines=lines if row.make else (),
                sizing=row.sizing,
                mps=row.mps,
            )
        return key


def _codes_of(node: ConfiguredNode) -> Iterator[str]:
    yield node.item
    for line in node.lines:
        if line.child is not None:
            yield from _codes_of(line.child)
        else:
            yield line.component


def promise(
    session: Session,
    item: str,
    qty: float,
    *,
    params: Mapping[str, str] | None = None,
    wanted: date | None = None,
    unit_price: Decimal | str | None = None,
) -> Promise:
    """The earliest date ``qty`` of ``item`` (configured with ``params``) can be complete,
    with its estimated cost and, given a ``unit_price``, the margin at that price."""
    code = _check_item(item)
    qty = check_qty(qty, "qty")
    price = None if unit_price is None else money.price(unit_price)
    values = _check_params(params or {})
    run = current_run(session)
    if run is None:
        raise NotFoundError(
            "there is no plan yet: run `pegboard plan` first (promises read free stock and "
            "receipts from the current plan)",
            field="plan",
        )
    pd = run.planning_date
    if wanted is not None and wanted < pd:
        raise ValidationError(
            f"wanted date {wanted.isoformat()} is before the planning date {pd.isoformat()}",
            field="wanted",
            wanted=wanted.isoformat(),
            planning_date=pd.isoformat(),
        )
    reader = _Reader(session)
    reader.codes([code])
    if code not in reader.by_code:
        raise NotFoundError(f"no item {code!r}", item=code, field="item")
    catalog = DbCatalog(session)
    configured: ConfiguredNode | None = None
    if catalog.template(code) is not None:
        configured = configure(catalog, code, values)
    elif values:
        raise ValidationError(
            f"{code} is not configurable (it has no template), so it takes no parameters",
            field="params",
            item=code,
        )
    graph = _Graph(reader)
    if configured is not None:
        reader.codes(_codes_of(configured))
        missing = sorted(set(_codes_of(configured)) - set(reader.by_code))
        if missing:
            raise NotFoundError(
                f"the configuration uses unknown items: {', '.join(missing)}", items=missing
            )
        reader.explode({reader.by_code[c].id for c in _plain_components(configured)})
        top = graph.configured_node(configured)
    else:
        top_id = reader.by_code[code].id
        reader.explode([top_id])
        top = graph.item_node(top_id)
    lot_items = [int(key[1:]) for key in graph.nodes if key.startswith("i")]
    lots = reader.atp(lot_items, pd)
    plan_settings = read_settings(session.connection(), pd, pd)
    try:
        result = ep.promise(
            ep.PromiseInput(
                top=top,
                qty=qty,
                nodes=graph.nodes,
                lots=lots,
                planning_day=pd.toordinal(),
                wanted_day=None if wanted is None else wanted.toordinal(),
                calendar=plan_settings.calendar,
                reschedule_in_days=plan_settings.reschedule_in_days,
                mps_fence_days=plan_settings.mps_fence_days,
            )
        )
    except ep.PromiseInputError as e:
        raise ValidationError(f"{code} cannot be promised: {e}", field="item", item=code) from None
    if result.day > date.max.toordinal():
        raise ValidationError(
            f"{code} cannot be promised: its lead times reach beyond {date.max.isoformat()}",
            field="item",
            item=code,
        )
    view = _view(reader, result, code, qty, values, configured is not None, run.finished_at)
    return replace(
        _with_capacity(session, result, view, configured),
        quote=_quote(session, code, qty, configured, price),
    )


def _with_capacity(
    session: Session, result: ep.PromiseResult, view: Promise, configured: ConfiguredNode | None
) -> Promise:
    """The promise once the quote's production orders are placed into the free hours of
    the stored finite schedule (``services.promise_capacity``), its note saying what the
    date counts of capacity."""
    from pegboard.services.promise_capacity import with_capacity

    found = with_capacity(session, result, _configured_operations(configured))
    if found is None:
        return view
    view = replace(view, note=f"{view.note} {found.basis}")
    if found.day is None or found.day <= result.day:
        return view
    promised = date.fromordinal(found.day)
    wanted = view.wanted
    return replace(
        view,
        promised=promised,
        met=None if wanted is None else promised <= wanted,
        late_days=0 if wanted is None else max(0, (promised - wanted).days),
        capacity=found.note or "the work centers' free hours",
    )


def _configured_operations(
    node: ConfiguredNode | None, position: str = "1"
) -> dict[str, tuple[ConfiguredOperation, ...]]:
    """The operations of each configured node that has its own (its template's routing
    lines), by its position in the promise: numbered as ``_Graph.configured_node``
    numbers its lines (those with a quantity)."""
    if node is None:
        return {}
    out = {} if node.operations is None else {position: node.operations}
    lines = [line for line in node.lines if line.qty_per * (1 + line.scrap_pct / 100) > 0]
    for n, line in enumerate(lines):
        if line.child is not None:
            out.update(_configured_operations(line.child, f"{position}.{n + 1}"))
    return out


def _quote(
    session: Session,
    code: str,
    qty: float,
    configured: ConfiguredNode | None,
    price: Decimal | None,
) -> Quote | None:
    try:
        q = costing.quote_estimate(session, code, qty, configured=configured, unit_price=price)
    except PlanningError:
        return None
    e = q.tree.total
    return Quote(
        currency=q.currency,
        cost=q.cost,
        material=e.material,
        labour=e.labour,
        overhead=e.overhead,
        unit_cost=q.tree.unit_cost,
        unit_price=q.unit_price,
        revenue=q.revenue,
        margin=q.margin,
        margin_pct=q.margin_pct,
    )


def _plain_components(node: ConfiguredNode) -> Iterator[str]:
    for line in node.lines:
        if line.child is not None:
            yield from _plain_components(line.child)
        else:
            yield line.component


def _view(
    reader: _Reader,
    r: ep.PromiseResult,
    code: str,
    qty: float,
    values: Mapping[str, str],
    configured: bool,
    as_of: datetime | None,
) -> Promise:
    def day(n: int) -> date:
        return date.fromordinal(n)

    def desc(item: str) -> str:
        row = reader.by_code.get(item)
        return row.description if row is not None else ""

    def up(item: str, value: float) -> float:
        """Shown to the item's decimals, rounded up: the promise's engine keeps dependent
        needs unrounded (as the plan does), a person is told whole pieces."""
        row = reader.by_code.get(item)
        return rounded_up(value, row.decimals if row is not None else -1)

    pd = r.planning_day
    orders = tuple(
        OrderToPlace(
            position=o.position,
            item=o.item,
            description=desc(o.item),
            kind="make" if o.make else "buy",
            qty=up(o.item, o.qty),
            requirement=up(o.item, o.requirement),
            lead_time_days=o.lead_time,
            order_by=day(max(o.start_by, pd)),
            due=day(o.due),
            earliest_start=day(o.start_earliest),
            earliest_completion=day(o.complete_earliest),
            order_by_wanted=None if o.start_by_wanted is None else day(o.start_by_wanted),
            critical=o.critical,
            today=o.start_by <= pd,
        )
        for o in r.orders
    )
    lines: list[PromiseLine] = []

    def walk(n: ep.NodeResult) -> None:
        lines.append(
            PromiseLine(
                position=n.position,
                item=n.item,
                description=desc(n.item),
                qty=up(n.item, n.qty),
                from_atp=up(n.item, n.from_atp),
                to_order=up(n.item, n.new_qty),
                date=day(n.day),
                depth=n.position.count("."),
            )
        )
        for child in n.children:
            walk(child)

    walk(r.root)
    late = 0 if r.wanted_day is None or r.met else r.day - r.wanted_day
    return Promise(
        item=code,
        description=desc(code),
        qty=round(qty, 6),
        params=tuple(values.items()),
        configured=configured,
        planning_date=day(pd),
        plan_as_of=as_of,
        promised=day(r.day),
        wanted=None if r.wanted_day is None else day(r.wanted_day),
        met=r.met,
        late_days=late,
        critical_path=tuple(
            PathStep(s.position, s.item, desc(s.item), up(s.item, s.qty), day(s.day), s.reason)
            for s in r.critical_path
        ),
        orders=orders,
        atp=tuple(AtpUse(u.item, u.ref or "stock", day(u.day), up(u.item, u.qty)) for u in r.atp),
        lines=tuple(lines),
    )


def promise_bounded(
    session: Session,
    item: str,
    qty: float,
    *,
    params: Mapping[str, str] | None = None,
    wanted: date | None = None,
    unit_price: Decimal | str | None = None,
) -> Promise:
    """:func:`promise` for a server (the API and the pages): computed in a worker process
    (``services.worker_pool``) so that the serving process keeps answering everyone
    else, and stopped after ``PEGBOARD_PROMISE_TIME_LIMIT`` seconds with a
    ``TooMuchWorkError`` (422) that says to run ``pegboard promise``, which has no limit.

    The worker reads the same database (the session's URL, a scenario's included) in
    its own transaction; an in-memory SQLite database, or ``PEGBOARD_PROMISE_WORKERS=0``,
    is promised here instead.
    """
    workers = worker_pool.pool()
    url = session.get_bind().engine.url
    if workers is None or (url.get_backend_name() == "sqlite" and url.database in MEMORY):
        return promise(session, item, qty, params=params, wanted=wanted, unit_price=unit_price)
    limit = worker_pool.time_limit()
    command = " ".join(
        ["pegboard promise", shlex.quote(str(item)), f"{qty:g}"]
        + [f"--param {shlex.quote(f'{k}={v}')}" for k, v in (params or {}).items()]
    )
    return workers.run(
        _promise_at,
        url.render_as_string(hide_password=False),
        item,
        qty,
        dict(params or {}),
        wanted,
        None if unit_price is None else str(unit_price),
        limit=limit,
        too_long=(
            f"{item} × {qty:g} takes longer than {limit:g} s to promise, the limit of an "
            f"interactive request: this configuration is too large to promise here; run "
            f"`{command}` on the command line, which has no time limit"
        ),
    )


def _promise_at(
    url: str,
    item: str,
    qty: float,
    params: dict[str, str],
    wanted: date | None,
    unit_price: str | None,
) -> Promise:
    """:func:`promise` in a worker process: its own connection, closed when done (a
    worker keeps nothing between requests, so a test's database can be dropped)."""
    engine = db.make_engine(url)
    try:
        with db.session_factory(engine)() as session:
            return promise(session, item, qty, params=params, wanted=wanted, unit_price=unit_price)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- reserve


def reserve(
    session: Session,
    item: str,
    qty: float,
    *,
    params: Mapping[str, str] | None = None,
    customer: str,
    project: str | None = None,
    wanted: date | None = None,
    unit_price: Decimal | str | None = None,
    author: str,
) -> tuple[Promise, str]:
    """Promise and, in one transaction, enter it as a confirmed sales order.

    The order (one line) is due on the promised date, or on the wanted date when
    that is met; a configurable item's line is configured with ``params``. The
    promise is computed inside the write transaction, from the current plan; the
    new order is planned by the next ``pegboard plan`` (until then the ATP it
    uses is still offered to the next caller: promises are "as of the last plan").
    """
    values = _check_params(params or {})
    with composed_write(session):
        result = promise(session, item, qty, params=values, wanted=wanted, unit_price=unit_price)
        number = sales.create_order(session, customer=customer, project=project, author=author)
        line = sales.add_line(
            session,
            number,
            item=result.item,
            qty=result.qty,
            due=result.due,
            unit_price=unit_price,
            author=author,
        )
        if result.configured:
            order_bom.configure_line(
                session, number, line, values, author=author, today=clock.today()
            )
        sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author=author)
        audit.record(
            session,
            author=author,
            entity="sales_order",
            ref=number,
            action="promise",
            after={
                "item": result.item,
                "qty": result.qty,
                "params": dict(values),
                "promised": result.promised,
                "wanted": result.wanted,
                "due": result.due,
                "planning_date": result.planning_date,
            },
        )
    return result, number


__all__ = [
    "AtpUse",
    "OrderToPlace",
    "PathStep",
    "Promise",
    "PromiseLine",
    "Quote",
    "promise",
    "promise_bounded",
    "reserve",
]
