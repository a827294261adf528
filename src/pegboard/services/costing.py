"""Estimated cost of an order line, an order and a project, and the premium of customization.

The structure is read level by level (each level: the BOMs of its made items, their
lines, the component items), the routings and the prices of the bought parts in a
few set-based queries, and rolled up by ``engine.costing`` (method there). What is
read, and from where:

* **The structure of a line.** Its order BOM (configured, with the order BOMs of
  its configured sub-assemblies, hand edits included), else the order-specific BOM
  of its item for its sales order, else the item's engineering (master) BOM; a line
  of a configurable product not configured yet is costed in its template's default
  configuration (said in ``note``). Below that, a made component without an order
  BOM of its own is made through its master BOM (a made-to-stock sub-assembly), as
  the plan explodes it; a made item without a BOM has no material.
* **Routings.** A node made from an order BOM follows that BOM's order routing, else
  its item's routing, else the routing of the product it was configured from (a
  variant item has none of its own); any other node its item's routing. Hours are
  standard hours (setup once per node plus run hours × quantity); a work center's
  efficiency changes its capacity, not the cost. A made node without a routing
  counts its item's ``unit_cost`` (the added cost of one unit) as labour.
* **Prices of bought parts.** The price of the item's latest purchase-order line that
  has one (latest due date, then order and line; cancelled lines left out), else the
  item's ``unit_cost``. Stored quantities and unit costs are read as the decimals
  they were typed as (``as_decimal``), so nothing passes through binary arithmetic.
* **Overhead** from the company settings ``overhead_per_labour_hour`` and
  ``overhead_pct_of_material`` (``services.money``).

The **premium of customization** compares the line with the same product in its
template's default configuration *at the same size*: the number parameters (the
sizes: a run's length) keep the line's values, the options (choices and yes/no)
take their defaults, for the same quantity. Each option that differs from its
default has its own premium (the configuration with that option alone set back);
what they do not explain is hand edits of the order BOM and options acting together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.orm import Session

from pegboard.engine import costing as ec
from pegboard.errors import PlanningError
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    BomParameter,
    Customer,
    Item,
    ItemType,
    Project,
    PurchaseLineStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    Routing,
    RoutingOperation,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    WorkCenter,
)
from pegboard.services import money
from pegboard.services.configurator import (
    BOOL,
    CHOICE,
    NUMBER,
    ConfigurationError,
    ConfiguredNode,
    TemplateLine,
    configure,
)
from pegboard.services.lookups import get_line, get_order, get_project, line_amount
from pegboard.services.order_bom import configuration_of
from pegboard.services.templates import DbCatalog

ZERO = money.ZERO
HUNDRED = money.HUNDRED
CHUNK = 500
MAX_DEPTH = ec.MAX_DEPTH

NodeCost = ec.NodeCost
Elements = ec.Elements


def margin_pct(revenue: Decimal | None, cost: Decimal) -> Decimal | None:
    """The margin as a percentage of revenue (None without revenue)."""
    if revenue is None or revenue == 0:
        return None
    return (revenue - cost) * HUNDRED / revenue


# --------------------------------------------------------------------------- reading


_BOM_COLUMNS = (
    Bom.id,
    Bom.number,
    Bom.kind,
    Bom.item_id,
    Bom.parent_bom_id,
    Bom.source_item_id,
    Bom.sales_order_id,
)
_BomRow = Row[tuple[int, str, BomKind, int, int | None, int | None, int | None]]
"""A BOM header as the roll-up reads it (columns, not ORM objects: faster to load)."""


@dataclass
class _ItemRow:
    id: int
    code: str
    make: bool
    unit_cost: Decimal


@dataclass
class _Pending:
    key: str
    item_id: int
    level: int
    bom_id: int | None = None
    parent_bom_id: int | None = None
    sales_order_id: int | None = None
    """Whose order-specific BOMs the node may be made from (None: master BOMs only)."""


class _Structure:
    """Engine nodes for one or many lines (or a configuration) and the prices of their
    bought parts: the lines of an order or a project are read together, level by level,
    in a few queries per level whatever their number."""

    def __init__(self, session: Session, sales_order_id: int | None) -> None:
        self.session = session
        self.sales_order_id = sales_order_id
        self.nodes: dict[str, ec.Node] = {}
        self.items: dict[int, _ItemRow] = {}
        self.by_code: dict[str, int] = {}
        self.bought: set[int] = set()
        self.node_boms: dict[str, tuple[int | None, int, int | None]] = {}
        """Node key -> (BOM id, item id, item it was configured from) to find its routing."""
        self.labels: dict[str, str] = {}
        self.catalog: DbCatalog | None = None
        self._count = 0

    # -- items ---------------------------------------------------------------------------

    def _load_items(self, where: object) -> None:
        for row in self.session.execute(
            select(Item.id, Item.code, Item.type, Item.unit_cost).where(where)  # type: ignore[arg-type]
        ):
            item = _ItemRow(row.id, row.code, row.type is ItemType.MAKE, _dec(row.unit_cost))
            self.items[item.id] = item
            self.by_code[item.code] = item.id

    def load_ids(self, ids: Iterable[int]) -> None:
        missing = sorted(set(ids) - set(self.items))
        for chunk in _chunks(missing):
            self._load_items(Item.id.in_(chunk))

    def load_codes(self, codes: Iterable[str]) -> None:
        missing = sorted(set(codes) - set(self.by_code))
        for chunk in _chunks(missing):
            self._load_items(Item.code.in_(chunk))

    def _key(self) -> str:
        self._count += 1
        return f"n{self._count}"

    # -- tops ----------------------------------------------------------------------------

    def bought_top(self, item_id: int) -> str:
        """A bought item sold as it is: one line of itself."""
        key = self._key()
        item = self.items[item_id]
        self.bought.add(item_id)
        self.nodes[key] = ec.Node(item.code, "bought", (ec.Line(item.code, Decimal(1)),))
        return key

    def item_top(self, item_id: int, bom_id: int | None = None) -> str:
        key = self._key()
        self.read([_Pending(key, item_id, 0, bom_id=bom_id, sales_order_id=self.sales_order_id)])
        return key

    def queued_top(
        self, queue: list[_Pending], item_id: int, bom_id: int | None, sales_order_id: int
    ) -> str:
        """A made top to read later with others (``read(queue)``): one order's line."""
        key = self._key()
        queue.append(_Pending(key, item_id, 0, bom_id=bom_id, sales_order_id=sales_order_id))
        return key

    def configured_top(self, node: ConfiguredNode, sales_order_id: int | None = None) -> str:
        """A configuration's top; its made parts may come from ``sales_order_id``'s
        order-specific BOMs (default: the structure's sales order)."""
        self.load_codes(_codes(node))
        unknown = sorted(set(_codes(node)) - set(self.by_code))
        if unknown:
            raise PlanningError(f"the configuration uses unknown items: {', '.join(unknown)}")
        pending: list[_Pending] = []
        order = self.sales_order_id if sales_order_id is None else sales_order_id
        key = self._configured(node, 0, pending, order)
        self.read(pending)
        return key

    def _configured(
        self, node: ConfiguredNode, level: int, pending: list[_Pending], order: int | None
    ) -> str:
        key = self._key()
        item_id = self.by_code[node.item]
        lines = []
        for line in node.lines:
            qty, scrap = _dec(line.qty_per), _dec(line.scrap_pct)
            component = self.by_code[line.component]
            if line.child is not None:
                child = self._configured(line.child, level + 1, pending, order)
            elif self.items[component].make:
                child = self._key()
                pending.append(_Pending(child, component, level + 1, sales_order_id=order))
            else:
                self.bought.add(component)
                child = None
            lines.append(ec.Line(line.component, qty, scrap, child))
        values = ", ".join(f"{k}={_value_text(v)}" for k, v in node.values.items())
        label = f"configured: {values}" if values else "master BOM"
        self.nodes[key] = ec.Node(node.item, label, tuple(lines), added_cost=self._added(item_id))
        self.node_boms[key] = (None, item_id, None)
        return key

    def _added(self, item_id: int) -> Decimal:
        return self.items[item_id].unit_cost

    # -- level by level ------------------------------------------------------------------

    def read(self, frontier: list[_Pending]) -> None:
        while frontier:
            if max(p.level for p in frontier) > MAX_DEPTH:
                raise PlanningError(
                    f"the structure is nested deeper than {MAX_DEPTH} levels "
                    "(a BOM that contains itself?)"
                )
            self.load_ids(p.item_id for p in frontier)
            boms = self._resolve(frontier)
            lines = self._lines({b.id for b in boms.values()})
            self.load_ids(c for rows in lines.values() for c, _q, _s in rows)
            templates = self._templates({b.id for b in boms.values()})
            following: list[_Pending] = []
            for p in frontier:
                bom = boms.get(p.key)
                if bom is not None and bom.id in templates:
                    self._template_node(p, following)
                    continue
                self._node(p, bom, lines.get(bom.id, []) if bom else [], following)
            frontier = following

    def _node(
        self,
        p: _Pending,
        bom: _BomRow | None,
        rows: Sequence[tuple[int, float, float]],
        following: list[_Pending],
    ) -> None:
        item = self.items[p.item_id]
        out = []
        for component_id, qty_per, scrap in rows:
            component = self.items[component_id]
            child = None
            if component.make:
                child = self._key()
                following.append(
                    _Pending(
                        child,
                        component_id,
                        p.level + 1,
                        parent_bom_id=bom.id if bom and bom.kind is BomKind.ORDER else None,
                        sales_order_id=p.sales_order_id,
                    )
                )
            else:
                self.bought.add(component_id)
            out.append(ec.Line(component.code, _dec(qty_per), _dec(scrap), child))
        label = bom.number if bom is not None else "no BOM"
        self.nodes[p.key] = ec.Node(item.code, label, tuple(out), added_cost=item.unit_cost)
        self.node_boms[p.key] = (
            bom.id if bom is not None else None,
            p.item_id,
            bom.source_item_id if bom is not None else None,
        )

    def _template_node(self, p: _Pending, following: list[_Pending]) -> None:
        """A configurable item used as a plain component: its default configuration."""
        item = self.items[p.item_id]
        self.catalog = self.catalog or DbCatalog(self.session)
        try:
            node = configure(self.catalog, item.code, {})
        except ConfigurationError:
            self.nodes[p.key] = ec.Node(
                item.code, "template without defaults", added_cost=item.unit_cost
            )
            self.node_boms[p.key] = (None, p.item_id, None)
            return
        self.load_codes(_codes(node))
        pending: list[_Pending] = []
        key = self._configured(node, p.level, pending, p.sales_order_id)
        self.nodes[p.key] = self.nodes.pop(key)
        self.node_boms[p.key] = self.node_boms.pop(key)
        following.extend(pending)

    def _resolve(self, frontier: Sequence[_Pending]) -> dict[str, _BomRow]:
        """Each pending node's BOM: the one given, else the child order BOM of its parent's
        order BOM, else its item's order BOM for the sales order, else its master BOM."""
        out: dict[str, _BomRow] = {}
        given = {p.bom_id for p in frontier if p.bom_id is not None}
        by_id = {b.id: b for b in self._boms(Bom.id, given)}
        parents = {p.parent_bom_id for p in frontier if p.parent_bom_id is not None}
        children = {(b.parent_bom_id, b.item_id): b for b in self._boms(Bom.parent_bom_id, parents)}
        made = {p.item_id for p in frontier if self.items[p.item_id].make}
        ordered = self._ordered(frontier, made)
        master: dict[int, _BomRow] = {}
        for b in self._boms(Bom.item_id, made, Bom.kind == BomKind.ENGINEERING):
            master.setdefault(b.item_id, b)
        for p in frontier:
            found = by_id.get(p.bom_id) if p.bom_id is not None else None
            if found is None and p.item_id in made:
                found = (
                    children.get((p.parent_bom_id, p.item_id))
                    or ordered.get((p.sales_order_id, p.item_id))
                    or master.get(p.item_id)
                )
            if found is not None:
                out[p.key] = found
        return out

    def _ordered(
        self, frontier: Sequence[_Pending], made: set[int]
    ) -> dict[tuple[int | None, int], _BomRow]:
        """The order-specific BOMs of the made items, each for the sales order it serves,
        by (sales order, item)."""
        orders = {p.sales_order_id for p in frontier if p.sales_order_id is not None}
        items = {p.item_id for p in frontier if p.sales_order_id is not None} & made
        out: dict[tuple[int | None, int], _BomRow] = {}
        if not orders or not items:
            return out
        for chunk in _chunks(sorted(orders)):
            for b in self._boms(
                Bom.item_id,
                items,
                Bom.kind == BomKind.ORDER,
                Bom.sales_order_id.in_(chunk),
            ):
                if b.parent_bom_id is None:  # tested here: see _configured_boms
                    out.setdefault((b.sales_order_id, b.item_id), b)
        return out

    def _boms(self, column: Any, values: set[int], *where: ColumnElement[bool]) -> list[_BomRow]:
        found: list[_BomRow] = []
        for chunk in _chunks(sorted(values)):
            stmt = select(*_BOM_COLUMNS).where(column.in_(chunk), *where).order_by(Bom.number)
            found.extend(self.session.execute(stmt))
        return found

    def _lines(self, bom_ids: set[int]) -> dict[int, list[tuple[int, float, float]]]:
        out: dict[int, list[tuple[int, float, float]]] = {}
        for chunk in _chunks(sorted(bom_ids)):
            for bom_id, component, qty, scrap in self.session.execute(
                select(BomLine.bom_id, BomLine.component_id, BomLine.qty_per, BomLine.scrap_pct)
                .where(BomLine.bom_id.in_(chunk))
                .order_by(BomLine.bom_id, BomLine.position)
            ):
                out.setdefault(bom_id, []).append((component, qty, scrap))
        return out

    def _templates(self, bom_ids: set[int]) -> set[int]:
        """The engineering BOMs among ``bom_ids`` that have parameters (templates)."""
        out: set[int] = set()
        for chunk in _chunks(sorted(bom_ids)):
            out.update(
                self.session.scalars(
                    select(BomParameter.bom_id).where(BomParameter.bom_id.in_(chunk)).distinct()
                )
            )
        return out

    # -- routings and prices -------------------------------------------------------------

    def routed(self) -> dict[str, ec.Node]:
        """The nodes with the operations of the routing each follows."""
        bom_ids = {b for b, _i, _s in self.node_boms.values() if b is not None}
        item_ids = {i for _b, i, _s in self.node_boms.values()}
        item_ids |= {s for _b, _i, s in self.node_boms.values() if s is not None}
        by_bom: dict[int, int] = {}
        by_item: dict[int, int] = {}
        numbers: dict[int, str] = {}
        for chunk in _chunks(sorted(bom_ids)):
            for rid, bom_id, number in self.session.execute(
                select(Routing.id, Routing.bom_id, Routing.number).where(Routing.bom_id.in_(chunk))
            ):
                if bom_id is not None:
                    by_bom[bom_id] = rid
                numbers[rid] = number
        for chunk in _chunks(sorted(item_ids)):
            for rid, item_id, number in self.session.execute(
                select(Routing.id, Routing.item_id, Routing.number)
                .where(Routing.item_id.in_(chunk), Routing.bom_id.is_(None))
                .order_by(Routing.id)
            ):
                by_item.setdefault(item_id, rid)
                numbers[rid] = number
        operations: dict[int, list[ec.Operation]] = {}
        for chunk in _chunks(sorted(numbers)):
            for op, code, rate in self.session.execute(
                select(RoutingOperation, WorkCenter.code, WorkCenter.cost_rate)
                .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
                .where(RoutingOperation.routing_id.in_(chunk))
                .order_by(RoutingOperation.routing_id, RoutingOperation.sequence)
            ):
                operations.setdefault(op.routing_id, []).append(
                    ec.Operation(
                        op.sequence,
                        code,
                        _dec(op.setup_hours),
                        _dec(op.run_hours),
                        Decimal(rate),
                    )
                )
        out: dict[str, ec.Node] = {}
        for key, node in self.nodes.items():
            bom_id, item_id, source = self.node_boms.get(key, (None, -1, None))
            found: int | None = by_bom.get(bom_id) if bom_id is not None else None
            if found is None:
                found = by_item.get(item_id)
            if found is None and source is not None:
                found = by_item.get(source)
            if found is None or node.label == "bought":
                out[key] = node
                continue
            out[key] = ec.Node(
                node.item,
                node.label,
                node.lines,
                tuple(operations.get(found, ())),
                node.added_cost,
                numbers[found],
            )
        return out

    def prices(self) -> dict[str, ec.Price]:
        """Each bought part's latest purchase price, else its unit cost."""
        latest: dict[int, ec.Price] = {}
        for chunk in _chunks(sorted(self.bought)):
            rows = self.session.execute(
                select(
                    PurchaseOrderLine.item_id,
                    PurchaseOrderLine.unit_price,
                    PurchaseOrder.number,
                    PurchaseOrderLine.line,
                )
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .where(
                    PurchaseOrderLine.item_id.in_(chunk),
                    PurchaseOrderLine.unit_price > 0,
                    PurchaseOrderLine.status != PurchaseLineStatus.CANCELLED,
                )
                .order_by(
                    PurchaseOrderLine.item_id,
                    PurchaseOrderLine.due_date.desc(),
                    PurchaseOrder.number.desc(),
                    PurchaseOrderLine.line.desc(),
                )
            )
            for item_id, price, number, line in rows:
                if item_id not in latest:
                    latest[item_id] = ec.Price(_dec(price), f"last purchase {number}/{line}")
        return {
            self.items[i].code: latest.get(i) or ec.Price(self.items[i].unit_cost, "unit cost")
            for i in self.bought
        }

    def roll_up(self, top: str, qty: Decimal, rates: ec.Rates) -> ec.NodeCost:
        (tree,) = self.roll_ups([(top, qty)], rates)
        return tree

    def roll_ups(self, tops: Sequence[tuple[str, Decimal]], rates: ec.Rates) -> list[ec.NodeCost]:
        """Each top's roll-up, the routings and prices read once for all of them."""
        routed, prices = self.routed(), self.prices()
        try:
            return [ec.roll_up(routed, top, qty, prices, rates) for top, qty in tops]
        except ec.CostingInputError as e:
            raise PlanningError(f"the cost cannot be estimated: {e}") from None


def _dec(value: float | int | Decimal | None) -> Decimal:
    return ZERO if value is None else money.as_decimal(value)


def _value_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _codes(node: ConfiguredNode) -> set[str]:
    out = {node.item}
    for line in node.lines:
        out.add(line.component)
        if line.child is not None:
            out |= _codes(line.child)
    return out


def _chunks(values: Sequence[int] | Sequence[str]) -> Iterable[Sequence[int] | Sequence[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _rates(settings: money.CostingSettings) -> ec.Rates:
    return ec.Rates(settings.overhead_per_labour_hour, settings.overhead_pct_of_material)


# --------------------------------------------------------------------------- a line


@dataclass(frozen=True)
class OptionPremium:
    parameter: str
    value: str
    default: str
    premium: Decimal
    """What the option adds: the configuration's cost less its cost with this option at
    its default."""


@dataclass(frozen=True)
class Premium:
    """The line against the same product, same size, options at their defaults."""

    default_values: Mapping[str, str]
    default: ec.NodeCost
    amount: Decimal
    """The line's estimated cost less the default configuration's."""
    options: tuple[OptionPremium, ...] = ()
    rest: Decimal = ZERO
    """What the options alone do not explain: hand edits, options acting together."""


@dataclass(frozen=True)
class LineEstimate:
    ref: str
    item: str
    qty: Decimal
    currency: str
    tree: ec.NodeCost
    unit_price: Decimal | None
    discount_pct: Decimal
    revenue: Decimal | None
    """Quantity × unit price less the discount (None: not quoted)."""
    status: str = ""
    note: str = ""
    premium: Premium | None = None
    premium_note: str = ""
    """Why there is no premium (a plain item, a template option without a default…)."""

    @property
    def cost(self) -> Decimal:
        return self.tree.cost

    @property
    def premium_amount(self) -> Decimal | None:
        return None if self.premium is None else self.premium.amount

    @property
    def margin(self) -> Decimal | None:
        return None if self.revenue is None else self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        return margin_pct(self.revenue, self.cost)

    @property
    def levels(self) -> list[ec.NodeCost]:
        return self.tree.walk()

    @property
    def elements(self) -> ec.Elements:
        return self.tree.total


@dataclass(frozen=True)
class LineFigures:
    """A line's estimate as the figures a project's report sums (stored by
    ``services.cost_estimates``): its cost by element and premium, no levels."""

    ref: str
    item: str
    qty: Decimal
    currency: str
    status: str
    unit_price: Decimal | None
    discount_pct: Decimal
    revenue: Decimal | None
    elements: ec.Elements
    scrap: Decimal
    """The scrap allowance in the material."""
    premium_amount: Decimal | None
    unused: tuple[Decimal, Decimal]
    """(usage, scrap) of the variance while no material is used (``variance_split``)."""

    @property
    def cost(self) -> Decimal:
        return self.elements.total

    @property
    def margin(self) -> Decimal | None:
        return None if self.revenue is None else self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        return margin_pct(self.revenue, self.cost)


def line_cost(session: Session, number: str, line: int) -> LineEstimate:
    """The estimated cost of a sales-order line, rolled up level by level, with its quoted
    revenue, margin and the premium of its customization."""
    order, row = get_line(session, number, line)
    (estimate,) = line_estimates(session, [(order, row)], money.costing_settings(session))
    return estimate


@dataclass(frozen=True)
class _Top:
    key: str
    note: str = ""
    product: str | None = None
    """The item the line's order BOM was configured from (None: not configured)."""


def line_estimates(
    session: Session,
    lines: Sequence[tuple[SalesOrder, SalesOrderLine]],
    settings: money.CostingSettings,
) -> list[LineEstimate]:
    """The estimates of many lines (of one order or of many), their structures read
    together level by level, their routings and prices once: a project's report costs a
    few queries per level, not per line."""
    rates = _rates(settings)
    structure = _Structure(session, None)
    structure.load_ids(row.item_id for _order, row in lines)
    configured = _configured_boms(session, [row.id for _order, row in lines])
    catalog = _Catalog(session)
    queue: list[_Pending] = []
    tops = [_top(structure, catalog, queue, order, row, configured) for order, row in lines]
    structure.read(queue)
    qtys = [_dec(row.qty) for _order, row in lines]
    trees = structure.roll_ups([(t.key, q) for t, q in zip(tops, qtys, strict=True)], rates)
    out = []
    for top, tree, (order, row) in zip(tops, trees, lines, strict=True):
        premium, why = _premium(session, catalog, row, top.product, tree, _dec(row.qty), rates)
        out.append(
            LineEstimate(
                ref=f"{order.number}/{row.line}",
                item=structure.items[row.item_id].code,
                qty=_dec(row.qty),
                currency=settings.currency,
                tree=tree,
                unit_price=row.unit_price,
                discount_pct=row.discount_pct if row.discount_pct is not None else ZERO,
                revenue=line_amount(row),
                status=row.status.value,
                note=top.note,
                premium=premium,
                premium_note=why,
            )
        )
    return out


_Configured = dict[int, tuple[int, str | None]]
"""Line id -> (its top order BOM, the code of the item it was configured from)."""


def _configured_boms(session: Session, line_ids: Sequence[int]) -> _Configured:
    """The lines' top order BOMs. "No parent" is tested here, not in SQL: SQLite, without
    statistics, would search the parent index for NULL, which nearly every BOM matches
    (a 100 ms scan at full size instead of an index search by line)."""
    out: _Configured = {}
    for chunk in _chunks(sorted(line_ids)):
        for line_id, bom_id, parent, product in session.execute(
            select(Bom.sales_order_line_id, Bom.id, Bom.parent_bom_id, Item.code)
            .outerjoin(Item, Item.id == Bom.source_item_id)
            .where(Bom.sales_order_line_id.in_(chunk))
        ):
            if line_id is not None and parent is None:
                out[line_id] = (bom_id, product)
    return out


def _top(
    structure: _Structure,
    catalog: DbCatalog,
    queue: list[_Pending],
    order: SalesOrder,
    row: SalesOrderLine,
    configured: _Configured,
) -> _Top:
    """Where a line's structure starts: its order BOM, the bought item itself, its
    template's default configuration (not configured yet), or its item's BOMs."""
    item = structure.items[row.item_id]
    if row.id in configured:
        bom_id, product = configured[row.id]
        key = structure.queued_top(queue, row.item_id, bom_id, order.id)
        return _Top(key, product=product or "")
    if not item.make:
        return _Top(structure.bought_top(row.item_id))
    if catalog.template(item.code) is not None:
        key = structure.configured_top(_configure(catalog, item.code, {}), order.id)
        return _Top(key, "not configured yet: costed in its template's default configuration")
    return _Top(structure.queued_top(queue, row.item_id, None, order.id))


class _Catalog(DbCatalog):
    """The database catalog with master BOMs kept too: the premium configures the same
    product several times (default, as chosen, each option set back)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._masters: dict[str, Sequence[TemplateLine] | None] = {}

    def master_lines(self, item: str) -> Sequence[TemplateLine] | None:
        if item not in self._masters:
            self._masters[item] = super().master_lines(item)
        return self._masters[item]


def _configure(catalog: DbCatalog, item: str, values: Mapping[str, str]) -> ConfiguredNode:
    try:
        return configure(catalog, item, values)
    except ConfigurationError as e:
        raise PlanningError(f"the cost cannot be estimated: {e.message}") from None


def _premium(
    session: Session,
    catalog: DbCatalog,
    row: SalesOrderLine,
    product: str | None,
    tree: ec.NodeCost,
    qty: Decimal,
    rates: ec.Rates,
) -> tuple[Premium | None, str]:
    """``product``: what the line was configured from ("": configured, from no known
    item; None: not configured)."""
    if product is None:
        return None, "the line is not configured: there is no customization"
    template = catalog.template(product) if product else None
    if not product or template is None:
        return None, "the line's product has no template: there is no default configuration"
    values = configuration_of(session, row) or {}
    sizes = {
        p.name: values[p.name] for p in template.parameters if p.kind == NUMBER and p.name in values
    }
    options = [p for p in template.parameters if p.kind in (CHOICE, BOOL)]
    missing = [p.name for p in options if not p.default]
    if missing:
        return None, (
            f"{product}'s options {', '.join(missing)} have no default: "
            "there is no default configuration"
        )
    default = _cost_of(session, catalog, product, sizes, qty, rates)
    if default is None:
        return None, f"{product} cannot be configured with its defaults at this size"
    chosen = {**sizes, **{p.name: values[p.name] for p in options if p.name in values}}
    as_chosen = _cost_of(session, catalog, product, chosen, qty, rates)
    premiums = []
    for p in options:
        value = values.get(p.name)
        if value is None or _same(value, p.default):
            continue
        reverted = _cost_of(session, catalog, product, {**chosen, p.name: p.default}, qty, rates)
        if as_chosen is None or reverted is None:
            continue
        premiums.append(OptionPremium(p.name, value, p.default, as_chosen.cost - reverted.cost))
    amount = tree.cost - default.cost
    explained = sum((o.premium for o in premiums), ZERO)
    return (
        Premium(
            default_values={**{p.name: p.default for p in options}, **sizes},
            default=default,
            amount=amount,
            options=tuple(premiums),
            rest=amount - explained,
        ),
        "",
    )


def _same(value: str, default: str) -> bool:
    return value.strip().lower() == default.strip().lower()


def _cost_of(
    session: Session,
    catalog: DbCatalog,
    product: str,
    values: Mapping[str, str],
    qty: Decimal,
    rates: ec.Rates,
) -> ec.NodeCost | None:
    try:
        node = configure(catalog, product, values)
    except ConfigurationError:
        return None
    structure = _Structure(session, None)
    return structure.roll_up(structure.configured_top(node), qty, rates)


# --------------------------------------------------------------------------- quotes


@dataclass(frozen=True)
class QuoteEstimate:
    """The estimated cost of an item (configured with ``values``) before it is ordered,
    and the margin at a price: what ``pegboard promise --price`` shows."""

    item: str
    qty: Decimal
    currency: str
    tree: ec.NodeCost
    unit_price: Decimal | None

    @property
    def cost(self) -> Decimal:
        return self.tree.cost

    @property
    def revenue(self) -> Decimal | None:
        return None if self.unit_price is None else self.unit_price * self.qty

    @property
    def margin(self) -> Decimal | None:
        return None if self.revenue is None else self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        return margin_pct(self.revenue, self.cost)


def quote_estimate(
    session: Session,
    item: str,
    qty: float | Decimal,
    *,
    configured: ConfiguredNode | None = None,
    unit_price: Decimal | str | None = None,
) -> QuoteEstimate:
    """The estimated cost of ``qty`` of ``item`` (as ``configured``, when it is configurable)
    and, given a unit price, the margin at it."""
    price = None if unit_price is None else money.price(unit_price)
    settings = money.costing_settings(session)
    amount = _dec(qty) if not isinstance(qty, Decimal) else qty
    structure = _Structure(session, None)
    if configured is not None:
        top = structure.configured_top(configured)
    else:
        structure.load_codes([item])
        if item not in structure.by_code:
            raise PlanningError(f"no item {item!r}")
        item_id = structure.by_code[item]
        if structure.items[item_id].make:
            top = structure.item_top(item_id)
        else:
            top = structure.bought_top(item_id)
    tree = structure.roll_up(top, amount, _rates(settings))
    return QuoteEstimate(item, amount, settings.currency, tree, price)


# --------------------------------------------------------------------------- roll-ups


class _Costed(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def revenue(self) -> Decimal | None: ...

    @property
    def cost(self) -> Decimal: ...

    @property
    def elements(self) -> ec.Elements: ...


class _RollUp:
    """Quoted revenue, estimated cost and margin summed over parts (the lines of an
    order, the orders of a project); cancelled parts are shown, not counted."""

    def _parts(self) -> Sequence[_Costed]:
        raise NotImplementedError

    def _counted(self) -> list[_Costed]:
        return [x for x in self._parts() if x.status != SalesOrderStatus.CANCELLED.value]

    @property
    def revenue(self) -> Decimal | None:
        """The quoted parts' revenue (None: none quoted)."""
        quoted = [x.revenue for x in self._counted() if x.revenue is not None]
        return sum(quoted, ZERO) if quoted else None

    @property
    def cost(self) -> Decimal:
        return sum((x.cost for x in self._counted()), ZERO)

    @property
    def elements(self) -> ec.Elements:
        return sum((x.elements for x in self._counted()), ec.Elements())

    @property
    def margin(self) -> Decimal | None:
        return None if self.revenue is None else self.revenue - self.cost

    @property
    def margin_pct(self) -> Decimal | None:
        return margin_pct(self.revenue, self.cost)


@dataclass(frozen=True)
class OrderCost(_RollUp):
    number: str
    customer: str
    project: str | None
    status: str
    currency: str
    lines: tuple[LineEstimate, ...]

    @property
    def unquoted(self) -> tuple[str, ...]:
        """Lines counted at cost without a quoted price (their margin is unknown)."""
        return _unquoted(self.lines)

    def _parts(self) -> Sequence[_Costed]:
        return self.lines


@dataclass(frozen=True)
class OrderFigures(_RollUp):
    """An order of a project's report: its lines' stored figures (``LineFigures``)."""

    number: str
    customer: str
    project: str | None
    status: str
    currency: str
    lines: tuple[LineFigures, ...]

    @property
    def unquoted(self) -> tuple[str, ...]:
        return _unquoted(self.lines)

    def _parts(self) -> Sequence[_Costed]:
        return self.lines


def _unquoted(lines: Sequence[LineEstimate] | Sequence[LineFigures]) -> tuple[str, ...]:
    cancelled = SalesOrderStatus.CANCELLED.value
    return tuple(x.ref for x in lines if x.revenue is None and x.status != cancelled)


def order_cost(session: Session, number: str) -> OrderCost:
    """Every line's estimate and the order's quoted revenue, estimated cost and margin
    (cancelled lines shown, not counted)."""
    (cost,) = orders_cost(session, [get_order(session, number)])
    return cost


OrderHeads = tuple[dict[int, str], dict[int, str], list[tuple[SalesOrder, SalesOrderLine]]]
"""Customers and projects by order id, and the orders' lines (``order_heads``)."""


def order_heads(session: Session, orders: Sequence[SalesOrder]) -> OrderHeads:
    """The orders' customers and projects (by order id) and their lines, by order number
    and line: what an order's report is headed with, read in bulk."""
    ids = [o.id for o in orders]
    customers: dict[int, str] = {}
    projects: dict[int, str] = {}
    for chunk in _chunks(ids):
        for order_id, customer, project in session.execute(
            select(SalesOrder.id, Customer.code, Project.code)
            .join(Customer, Customer.id == SalesOrder.customer_id)
            .outerjoin(Project, Project.id == SalesOrder.project_id)
            .where(SalesOrder.id.in_(chunk))
        ):
            customers[order_id] = customer
            if project is not None:
                projects[order_id] = project
    by_id = {o.id: o for o in orders}
    rows = [
        (by_id[row.sales_order_id], row)
        for chunk in _chunks(ids)
        for row in session.scalars(
            select(SalesOrderLine).where(SalesOrderLine.sales_order_id.in_(chunk))
        )
    ]
    rows.sort(key=lambda pair: (pair[0].number, pair[1].line))
    return customers, projects, rows


def orders_cost(
    session: Session, orders: Sequence[SalesOrder], heads: OrderHeads | None = None
) -> list[OrderCost]:
    """``order_cost`` of many orders (a project's), every line of them estimated at once
    (``heads``: their ``order_heads``, when already read)."""
    settings = money.costing_settings(session)
    customers, projects, rows = heads or order_heads(session, orders)
    estimates = line_estimates(session, rows, settings)
    lines: dict[int, list[LineEstimate]] = {o.id: [] for o in orders}
    for (order, _row), estimate in zip(rows, estimates, strict=True):
        lines[order.id].append(estimate)
    return [
        OrderCost(
            o.number,
            customers[o.id],
            projects.get(o.id),
            o.status.value,
            settings.currency,
            tuple(lines[o.id]),
        )
        for o in orders
    ]


@dataclass(frozen=True)
class ProjectCost(_RollUp):
    customer: str
    project: str
    currency: str
    orders: tuple[OrderCost, ...]

    def _parts(self) -> Sequence[_Costed]:
        return self.orders

    @property
    def premium(self) -> Decimal:
        """The premium of customization of every configured line counted."""
        return _premium_of(self.orders)


@dataclass(frozen=True)
class ProjectFigures(_RollUp):
    """A project's estimate from its orders' stored figures (``services.cost_estimates``),
    or their full estimates: what its cost report sums."""

    customer: str
    project: str
    currency: str
    orders: tuple[OrderCost | OrderFigures, ...]

    def _parts(self) -> Sequence[_Costed]:
        return self.orders

    @property
    def premium(self) -> Decimal:
        """The premium of customization of every configured line counted."""
        return _premium_of(self.orders)


def _premium_of(orders: Sequence[OrderCost | OrderFigures]) -> Decimal:
    cancelled = SalesOrderStatus.CANCELLED.value
    amounts = [
        x.premium_amount
        for o in orders
        if o.status != cancelled
        for x in o.lines
        if x.status != cancelled
    ]
    return sum((a for a in amounts if a is not None), ZERO)


def project_cost(session: Session, customer: str, project: str) -> ProjectCost:
    """Every order of a customer project with its revenue, estimated cost and margin, and
    the project's (cancelled orders shown, not counted)."""
    owner = get_project(session, customer, project)
    orders = session.scalars(
        select(SalesOrder).where(SalesOrder.project_id == owner.id).order_by(SalesOrder.number)
    ).all()
    return ProjectCost(
        customer, project, money.currency(session), tuple(orders_cost(session, orders))
    )
