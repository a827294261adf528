"""Order BOMs and their production orders: what configuring a sales-order line creates.

Configuring line 1 of SO-1042 from template ``LR-LINEAR`` creates:

* a variant item per made-to-order node (``LR-LINEAR-SO-1042-1``, its configured
  sub-assemblies ``DRV-TRAY-SO-1042-1.1`` …), so that every order BOM is "the rows
  of sales order S for parent P" exactly as the planner and the bundle format
  read them, even when one order has several lines of the same product;
* the order BOMs ``BOM-SO-1042-1``, ``BOM-SO-1042-1.1`` … (frozen, editable);
* one production order per node, ``MO-1042-1``, ``MO-1042-1.1`` …, linked to the
  line and to its parent order, dated backward from the line's due date by lead
  times, in status ``planned`` until released.

Common (MTS) sub-assemblies stay references to their master BOM.

Each order BOM keeps the lines configuring gave it (``configuration["_configured"]``,
beside the parameter values; a parameter name never starts with ``_``), so what a
user changed by hand since (``edit_bom_line``, in the CLI, the API or the page) is
known at any time: the difference between the lines now and those (``hand_edits``).
Changing a line's quantity or date never rebuilds its order BOM; re-configuring
does, and drops the hand edits only when told to (``discard_edits``).

Reading an order's lines with their trees (``order_tree``, ``read_bom``'s view) is
``services.order_tree``, which loads none of this module's writers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    Item,
    ItemType,
    LotRule,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    Strategy,
)
from pegboard.services import audit
from pegboard.services._tx import write_transaction
from pegboard.services.calendar import back_date, load_calendar
from pegboard.services.codes import check_code
from pegboard.services.configurator import (
    ConfigurationError,
    ConfiguredLine,
    ConfiguredNode,
    configure,
)
from pegboard.services.cost_inputs import ORDER_SCOPE
from pegboard.services.line_work import released_orders
from pegboard.services.lookups import get_line, get_order
from pegboard.services.order_routing import (
    ROUTING,
    order_operations,
    routing_edits,
    write_order_routing,
)
from pegboard.services.order_tree import (
    UNRELEASED,
    BomView,
    LineTree,
    bom_view,
    configured_values,
    line_orders,
    line_tree,
    top_bom,
)
from pegboard.services.templates import DbCatalog

_CLOSED_ORDER = (SalesOrderStatus.SHIPPED, SalesOrderStatus.CLOSED, SalesOrderStatus.CANCELLED)


CONFIGURED = "_configured"
"""The key of ``Bom.configuration`` holding the lines as configured: [component, qty, scrap]."""

Lines = dict[str, list[tuple[str, float, float]]]
"""Order BOM number -> its lines (component code, qty per, scrap %), in position order."""


@dataclass(frozen=True)
class LineChange:
    """A difference between two versions of an order BOM's lines: a hand edit when the
    first is what configuring gave it."""

    bom: str
    component: str
    before: tuple[float, float] | None  # qty per, scrap %; None: added by hand
    after: tuple[float, float] | None  # None: removed by hand

    def __str__(self) -> str:
        def amount(qs: tuple[float, float]) -> str:
            return f"{qs[0]:g}" + (f" (+{qs[1]:g} % scrap)" if qs[1] else "")

        if self.before is None and self.after is not None:
            return f"{self.bom}: {self.component} × {amount(self.after)} added"
        if self.after is None and self.before is not None:
            return f"{self.bom}: {self.component} × {amount(self.before)} removed"
        assert self.before is not None and self.after is not None
        return f"{self.bom}: {self.component} {amount(self.before)} → {amount(self.after)}"

    def as_dict(self) -> dict[str, object]:
        def side(qs: tuple[float, float] | None) -> dict[str, float] | None:
            return None if qs is None else {"qty_per": qs[0], "scrap_pct": qs[1]}

        return {
            "bom": self.bom,
            "component": self.component,
            "before": side(self.before),
            "after": side(self.after),
        }


def _differences(old: Lines, new: Lines) -> list[LineChange]:
    """What differs from ``old`` to ``new``, BOM by BOM and component by component (a
    component listed twice in one BOM is matched occurrence by occurrence)."""
    out = []
    for number in sorted(set(old) | set(new)):
        before = _keyed(old.get(number, []))
        after = _keyed(new.get(number, []))
        for key in dict.fromkeys([*before, *after]):
            was, now = before.get(key), after.get(key)
            if was is None or now is None or not _same(was, now):
                out.append(LineChange(number, key[0], was, now))
    return out


def _keyed(lines: list[tuple[str, float, float]]) -> dict[tuple[str, int], tuple[float, float]]:
    seen: dict[str, int] = {}
    out = {}
    for code, qty, scrap in lines:
        seen[code] = seen.get(code, 0) + 1
        out[(code, seen[code])] = (float(qty), float(scrap))
    return out


def _same(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return all(abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y)) for x, y in zip(a, b, strict=True))


def _order_digits(number: str) -> str:
    match = re.fullmatch(r"SO-(.+)", number)
    return match.group(1) if match else number


def line_product(session: Session, row: SalesOrderLine) -> str:
    """The product a sales-order line is configured from: its order BOM's source item,
    else the line's item (a line not configured yet, or not configurable)."""
    return _template_item(session, row)


def _template_item(session: Session, row: SalesOrderLine) -> str:
    """The product the line was configured from (the line's item until it is configured).

    Read from the order BOM's source item, which survives the template being redefined.
    """
    top = top_bom(session, row)
    source = top.source_item_id if top is not None and top.source_item_id else row.item_id
    return session.scalars(select(Item.code).where(Item.id == source)).one()


def _remove_derived(session: Session, row: SalesOrderLine) -> None:
    """Drop the line's unreleased production orders and its order BOMs (children cascade)."""
    session.execute(
        delete(ProductionOrder).where(
            ProductionOrder.sales_order_line_id == row.id,
            ProductionOrder.status.in_((*UNRELEASED, ProductionStatus.CANCELLED)),
        )
    )
    session.execute(
        delete(Bom)
        .where(Bom.sales_order_line_id == row.id, Bom.parent_bom_id.is_(None))
        .execution_options(**{ORDER_SCOPE: row.sales_order_id})  # its estimates only
    )
    session.flush()


def _values_text(node: ConfiguredNode) -> str:
    return ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in node.values.items()
    )


class _Writer:
    """Writes one configured tree: variant items, order BOMs, production orders."""

    def __init__(self, session: Session, order: SalesOrder, row: SalesOrderLine, today: date):
        self.session = session
        self.order = order
        self.row = row
        self.today = today
        self.digits = _order_digits(order.number)
        self.orders: list[ProductionOrder] = []
        self.calendar = load_calendar(session.connection())

    def _item(self, code: str) -> Item:
        item = self.session.scalar(select(Item).where(Item.code == code))
        if item is None:
            raise NotFoundError(f"no item {code!r}", item=code)
        return item

    def _variant(self, node: ConfiguredNode, pos: str) -> Item:
        base = self._item(node.item)
        code = f"{node.item}-{self.order.number}-{pos}"
        summary = _values_text(node)
        description = f"{base.description} ({summary})" if summary else base.description
        variant = self.session.scalar(select(Item).where(Item.code == code))
        if variant is None:
            variant = Item(
                code=code,
                type=ItemType.MAKE,
                strategy=Strategy.MTO,
                lot_rule=LotRule.LFL,
                description="",
            )
            self.session.add(variant)
        variant.description = description[:500]
        variant.uom = base.uom
        variant.lead_time_days = base.lead_time_days
        variant.unit_cost = base.unit_cost
        variant.type = ItemType.MAKE
        variant.strategy = Strategy.MTO
        self.session.flush()
        return variant

    def write(
        self,
        node: ConfiguredNode,
        pos: str,
        parent: Bom | None,
        qty: float,
        due: date,
        parent_mo: ProductionOrder | None,
    ) -> Item:
        variant = self._variant(node, pos)
        template_bom = None
        if node.from_template:
            template_bom = self.session.scalar(
                select(Bom.id)
                .join(Item, Item.id == Bom.item_id)
                .where(Item.code == node.item, Bom.kind == BomKind.ENGINEERING)
            )
        bom = Bom(
            number=f"BOM-{self.order.number}-{pos}",
            kind=BomKind.ORDER,
            item_id=variant.id,
            sales_order_id=self.order.id,
            sales_order_line_id=self.row.id,
            parent_bom_id=parent.id if parent else None,
            template_bom_id=template_bom,
            source_item_id=self._item(node.item).id,
            configuration=dict(node.values),
        )
        self.session.add(bom)
        self.session.flush()
        # finished on a working day, started its lead time in working days before (rule 1)
        due = back_date(self.calendar, due)
        start = back_date(self.calendar, due, variant.lead_time_days)
        mo = ProductionOrder(
            number=f"MO-{self.digits}-{pos}",
            item_id=variant.id,
            qty=qty,
            completed_qty=0.0,
            scrapped_qty=0.0,
            due_date=due,
            start_date=start,
            status=ProductionStatus.PLANNED,
            components_issued=False,
            sales_order_id=self.order.id,
            sales_order_line_id=self.row.id,
            parent_id=parent_mo.id if parent_mo else None,
            bom_id=bom.id,
        )
        self.session.add(mo)
        self.session.flush()
        self.orders.append(mo)
        routing = write_order_routing(
            self.session, bom, node.operations, bom.source_item_id or variant.id
        )
        children = 0
        configured: list[list[object]] = []
        for position, line in enumerate(node.lines, 1):
            component = self._component(line, pos, children, bom, qty, start, mo)
            if line.child is not None:
                children += 1
            self.session.add(
                BomLine(
                    bom_id=bom.id,
                    position=position,
                    component_id=component.id,
                    qty_per=line.qty_per,
                    scrap_pct=line.scrap_pct,
                )
            )
            configured.append([component.code, line.qty_per, line.scrap_pct])
        bom.configuration = {**dict(node.values), CONFIGURED: configured, ROUTING: routing}
        self.session.flush()
        return variant

    def _component(
        self,
        line: ConfiguredLine,
        pos: str,
        children: int,
        bom: Bom,
        qty: float,
        start: date,
        mo: ProductionOrder,
    ) -> Item:
        if line.child is None:
            return self._item(line.component)
        child_qty = qty * line.qty_per * (1 + line.scrap_pct / 100)
        return self.write(line.child, f"{pos}.{children + 1}", bom, child_qty, start, mo)


def configure_line(
    session: Session,
    number: str,
    line: int,
    values: Mapping[str, str],
    *,
    author: str,
    today: date,
    discard_edits: bool = False,
) -> LineTree:
    """Configure (or re-configure) a line: order BOM tree and production orders, one
    transaction. Re-configuring rebuilds the order BOMs from the template, so it is
    refused while they carry hand edits, naming them, unless ``discard_edits``; the
    history records every line it adds, removes or changes, and the edits it dropped."""
    with write_transaction(session):
        order, row = get_line(session, number, line)
        if order.status in _CLOSED_ORDER or row.status in _CLOSED_ORDER:
            raise ConflictError(f"{number}/{line} is {row.status.value}; it cannot be configured")
        released = released_orders(line_orders(session, row))
        if released:
            names = ", ".join(o.number for o in released)
            raise ConflictError(
                f"{number}/{line} has released production orders ({names}); "
                "configuration can no longer change",
                production_orders=[o.number for o in released],
            )
        node = configure(DbCatalog(session), _template_item(session, row), values)
        edits = _hand_edits(session, order, row)
        routed = routing_edits(session, _line_boms(session, row))
        if (edits or routed) and not discard_edits:
            raise ConflictError(
                f"{number}/{line} has hand edits that re-configuring drops: "
                + "; ".join([*(str(e) for e in edits), *routed])
                + "; confirm that they are to be dropped (--discard-edits on the command "
                "line, discard_edits in the API, the tick box on the page) or keep them and "
                "change the order BOM by hand instead",
                sales_order=number,
                line=line,
                hand_edits=[e.as_dict() for e in edits],
                routing_edits=routed,
            )
        before = _snapshot_of(session, row)
        old = _tree_lines(session, row)
        writer = _write_line(session, order, row, node, today)
        changed = _differences(old, _tree_lines(session, row))
        audit.record(
            session,
            author=author,
            entity="sales_order_line",
            ref=f"{number}/{line}",
            action="configure",
            before=before,
            after={
                "product": _template_item(session, row),
                "values": dict(values),
                "bom": f"BOM-{number}-{line}",
                "production_orders": [o.number for o in writer.orders],
                **({"lines": [c.as_dict() for c in changed]} if before is not None else {}),
                **({"dropped_edits": [e.as_dict() for e in edits]} if edits else {}),
                **({"dropped_routing_edits": routed} if routed else {}),
            },
        )
        session.flush()
        return line_tree(session, order, row, today)


def derive(
    session: Session, order: SalesOrder, row: SalesOrderLine, values: Mapping[str, str], today: date
) -> _Writer:
    """(Re)build the line's variant items, order BOMs and production orders from its product.

    Runs inside the caller's transaction; the caller has checked nothing is released
    and that no hand edit is lost.
    """
    node = configure(DbCatalog(session), _template_item(session, row), values)
    return _write_line(session, order, row, node, today)


def _write_line(
    session: Session, order: SalesOrder, row: SalesOrderLine, node: ConfiguredNode, today: date
) -> _Writer:
    _remove_derived(session, row)
    writer = _Writer(session, order, row, today)
    variant = writer.write(node, str(row.line), None, row.qty - row.shipped_qty, row.due_date, None)
    row.item_id = variant.id
    return writer


def _line_boms(session: Session, row: SalesOrderLine) -> list[Bom]:
    return list(
        session.scalars(select(Bom).where(Bom.sales_order_line_id == row.id).order_by(Bom.number))
    )


def _tree_lines(session: Session, row: SalesOrderLine) -> Lines:
    """The line's order BOMs as they are now."""
    out: Lines = {}
    rows = session.execute(
        select(Bom.number, Item.code, BomLine.qty_per, BomLine.scrap_pct)
        .join(BomLine, BomLine.bom_id == Bom.id)
        .join(Item, Item.id == BomLine.component_id)
        .where(Bom.sales_order_line_id == row.id)
        .order_by(Bom.number, BomLine.position)
    )
    for number, code, qty, scrap in rows:
        out.setdefault(number, []).append((code, float(qty), float(scrap)))
    for bom in _line_boms(session, row):
        out.setdefault(bom.number, [])
    return out


def _configured_lines(session: Session, order: SalesOrder, row: SalesOrderLine) -> Lines:
    """The line's order BOMs as configuring gave them. An order BOM configured before
    they were kept is compared with what its template gives for its values."""
    boms = _line_boms(session, row)
    out: Lines = {}
    missing = False
    for bom in boms:
        kept = (bom.configuration or {}).get(CONFIGURED)
        if isinstance(kept, list):
            out[bom.number] = [(str(c), float(q), float(sc)) for c, q, sc in kept]
        else:
            missing = True
    if missing:
        values = configuration_of(session, row)
        try:
            if values is None:
                raise ConfigurationError("not configured")
            node = configure(DbCatalog(session), _template_item(session, row), values)
            out = _node_lines(node, order.number, str(row.line)) | out
        except ConfigurationError:
            # an imported order BOM, or a template its values no longer fit: nothing
            # is known to be a hand edit
            out = _tree_lines(session, row) | out
    return out


def _node_lines(node: ConfiguredNode, order: str, pos: str) -> Lines:
    """A configured tree's lines per order BOM, numbered and named as ``_Writer`` does."""
    lines = []
    out: Lines = {}
    children = 0
    for line in node.lines:
        code = line.component
        if line.child is not None:
            children += 1
            child_pos = f"{pos}.{children}"
            code = f"{line.child.item}-{order}-{child_pos}"
            out.update(_node_lines(line.child, order, child_pos))
        lines.append((code, line.qty_per, line.scrap_pct))
    out[f"BOM-{order}-{pos}"] = lines
    return out


def _hand_edits(session: Session, order: SalesOrder, row: SalesOrderLine) -> list[LineChange]:
    if top_bom(session, row) is None:
        return []
    return _differences(_configured_lines(session, order, row), _tree_lines(session, row))


def hand_edits(session: Session, number: str, line: int) -> list[LineChange]:
    """What was changed by hand in the line's order BOMs since it was configured: what
    re-configuring would drop."""
    order, row = get_line(session, number, line)
    return _hand_edits(session, order, row)


def configuration_of(session: Session, row: SalesOrderLine) -> dict[str, str] | None:
    """The parameter values the line was configured with (as text), or None if it was not."""
    top = top_bom(session, row)
    if top is None or top.configuration is None:
        return None
    return {
        k: (f"{v!r}" if isinstance(v, float) else str(v)) for k, v in configured_values(top).items()
    }


def _snapshot_of(session: Session, row: SalesOrderLine) -> dict[str, object] | None:
    top = top_bom(session, row)
    if top is None:
        return None
    return {
        "bom": top.number,
        "values": configured_values(top),
        "production_orders": [o.number for o in line_orders(session, row)],
    }


def read_bom(session: Session, number: str) -> BomView:
    """An order BOM with its lines and the order BOMs of its configured sub-assemblies."""
    return bom_view(session, _order_bom(session, number))


def check_order_bom(session: Session, sales_order: str, number: str) -> None:
    """Refuse (not found) an order BOM that is not one of ``sales_order``'s."""
    order = get_order(session, sales_order)
    found = session.scalar(
        select(Bom.id).where(
            Bom.number == number, Bom.sales_order_id == order.id, Bom.kind == BomKind.ORDER
        )
    )
    if found is None:
        raise NotFoundError(f"{sales_order} has no order BOM {number!r}", bom=number)


def _order_bom(session: Session, number: str) -> Bom:
    bom = session.scalar(select(Bom).where(Bom.number == number))
    if bom is None:
        raise NotFoundError(f"no BOM {number!r}", bom=number)
    if bom.kind is not BomKind.ORDER:
        raise ConflictError(
            f"{number} is an engineering BOM; change templates with `pegboard template load`",
            bom=number,
        )
    return bom


def _flag_bom_orders(session: Session, bom: Bom, note: str) -> list[str]:
    """Released production orders built from ``bom`` need the planner's eye after an edit."""
    flagged = []
    for mo in session.scalars(select(ProductionOrder).where(ProductionOrder.bom_id == bom.id)):
        if mo.status not in (*UNRELEASED, ProductionStatus.CANCELLED):
            mo.needs_review = True
            mo.review_note = note[:500]
            flagged.append(mo.number)
    return flagged


def _line_dict(session: Session, line: BomLine) -> dict[str, object]:
    code = session.scalars(select(Item.code).where(Item.id == line.component_id)).one()
    return {
        "position": line.position,
        "component": code,
        "qty_per": line.qty_per,
        "scrap_pct": line.scrap_pct,
    }


def edit_bom_line(
    session: Session,
    number: str,
    *,
    position: int | None = None,
    component: str | None = None,
    qty_per: float | None = None,
    scrap_pct: float | None = None,
    remove: bool = False,
    sales_order: str | None = None,
    author: str,
) -> BomView:
    """Add (no position), change or remove one line of an order BOM, for this order only.

    The one rule for every adapter: refused once the sales order is shipped, closed or
    cancelled; allowed while production orders built from the BOM are released, which
    are then flagged for review (their frozen component lists do not change). With
    ``sales_order``, the BOM must be one of that order's."""
    for name, value in (("qty_per", qty_per), ("scrap_pct", scrap_pct)):
        if value is not None and (
            value != value or value < 0 or value > 1e12 or (name == "qty_per" and value == 0)
        ):
            raise ValidationError(
                f"{name} must be a number {'> 0' if name == 'qty_per' else '>= 0'}", field=name
            )
    with write_transaction(session):
        bom = _order_bom(session, number)
        order = session.get(SalesOrder, bom.sales_order_id) if bom.sales_order_id else None
        if sales_order is not None and (order is None or order.number != sales_order):
            raise NotFoundError(f"{sales_order} has no order BOM {number!r}", bom=number)
        if order is not None and order.status in _CLOSED_ORDER:
            raise ConflictError(
                f"{order.number} is {order.status.value}; its order BOMs are not edited",
                sales_order=order.number,
                status=order.status.value,
            )
        before: dict[str, object] | None = None
        if position is None:
            if component is None or qty_per is None:
                raise ValidationError("a new line needs a component and a qty_per")
            last = max((ln.position for ln in _lines(session, bom)), default=0)
            line = BomLine(
                bom_id=bom.id,
                position=last + 1,
                component_id=_item_id(session, component),
                qty_per=qty_per,
                scrap_pct=scrap_pct or 0.0,
            )
            session.add(line)
            action = "add_line"
        else:
            line = _line_at(session, bom, position)
            before = _line_dict(session, line)
            if remove:
                if session.scalar(
                    select(Bom.id).where(
                        Bom.parent_bom_id == bom.id, Bom.item_id == line.component_id
                    )
                ):
                    raise ConflictError(
                        f"line {position} of {number} is a configured sub-assembly with its own "
                        "order BOM; re-configure the line to drop it"
                    )
                session.delete(line)
                action = "remove_line"
            else:
                if component is not None:
                    line.component_id = _item_id(session, component)
                if qty_per is not None:
                    line.qty_per = qty_per
                if scrap_pct is not None:
                    line.scrap_pct = scrap_pct
                action = "change_line"
        session.flush()
        after = None if remove else _line_dict(session, line)
        flagged = _flag_bom_orders(session, bom, f"order BOM {number} edited: {action}")
        audit.record(
            session,
            author=author,
            entity="bom",
            ref=number,
            action=action,
            before=before,
            after={**(after or {}), "flagged": flagged},
        )
        return bom_view(session, bom)


def _lines(session: Session, bom: Bom) -> list[BomLine]:
    return list(session.scalars(select(BomLine).where(BomLine.bom_id == bom.id)))


def _line_at(session: Session, bom: Bom, position: int) -> BomLine:
    line = session.scalar(
        select(BomLine).where(BomLine.bom_id == bom.id, BomLine.position == position)
    )
    if line is None:
        raise NotFoundError(
            f"{bom.number} has no line {position}", bom=bom.number, position=position
        )
    return line


def _item_id(session: Session, code: str) -> int:
    ident = session.scalar(select(Item.id).where(Item.code == code))
    if ident is None:
        raise NotFoundError(f"no item {code!r}", item=code)
    return ident


def _as_node(session: Session, bom: Bom) -> ConfiguredNode:
    """An existing order BOM tree as a configured tree, hand edits included."""
    children = {
        b.item_id: b for b in session.scalars(select(Bom).where(Bom.parent_bom_id == bom.id))
    }
    lines = []
    for line in sorted(_lines(session, bom), key=lambda ln: ln.position):
        child = children.get(line.component_id)
        code = session.scalars(select(Item.code).where(Item.id == line.component_id)).one()
        lines.append(
            ConfiguredLine(
                code,
                line.qty_per,
                line.scrap_pct,
                _as_node(session, child) if child is not None else None,
            )
        )
    source = bom.source_item_id or bom.item_id
    item = session.scalars(select(Item.code).where(Item.id == source)).one()
    values: dict[str, float | str] = {
        k: v for k, v in configured_values(bom).items() if isinstance(v, float | int | str)
    }
    return ConfiguredNode(
        item,
        values,
        tuple(lines),
        bom.template_bom_id is not None,
        order_operations(session, bom.id),
    )


def copy_order_bom(
    session: Session, number: str, to_order: str, to_line: int, *, author: str, today: date
) -> LineTree:
    """Give another sales-order line the same structure (hand edits included), with its own
    variant items, order BOMs and production orders."""
    with write_transaction(session):
        source = _order_bom(session, number)
        node = _as_node(session, source)
        order, row = get_line(session, to_order, to_line)
        if order.status in _CLOSED_ORDER or row.status in _CLOSED_ORDER:
            raise ConflictError(f"{to_order}/{to_line} is {row.status.value}; it cannot change")
        if released := released_orders(line_orders(session, row)):
            raise ConflictError(
                f"{to_order}/{to_line} has released production orders "
                f"({', '.join(o.number for o in released)})"
            )
        _remove_derived(session, row)
        writer = _Writer(session, order, row, today)
        variant = writer.write(
            node, str(row.line), None, row.qty - row.shipped_qty, row.due_date, None
        )
        row.item_id = variant.id
        _copy_configured(session, source, f"BOM-{to_order}-{to_line}")
        audit.record(
            session,
            author=author,
            entity="sales_order_line",
            ref=f"{to_order}/{to_line}",
            action="copy_bom",
            after={
                "from": number,
                "bom": f"BOM-{to_order}-{to_line}",
                "production_orders": [o.number for o in writer.orders],
            },
        )
        session.flush()
        return line_tree(session, order, row, today)


def _copy_configured(session: Session, source: Bom, target: str) -> None:
    """A copied order BOM tree keeps the source's hand edits as hand edits: each copy
    takes its source's lines as configured, its sub-assemblies renamed as copied."""
    pairs: list[tuple[Bom, Bom]] = []
    frontier = [source]
    while frontier:
        bom = frontier.pop()
        copy = session.scalar(
            select(Bom).where(Bom.number == target + bom.number[len(source.number) :])
        )
        if copy is None:
            continue
        pairs.append((bom, copy))
        frontier.extend(session.scalars(select(Bom).where(Bom.parent_bom_id == bom.id)))
    items = {b.item_id for pair in pairs for b in pair}
    codes = dict(session.execute(select(Item.id, Item.code).where(Item.id.in_(items))).all())
    renamed = {codes[a.item_id]: codes[b.item_id] for a, b in pairs}
    for bom, copy in pairs:
        kept = (bom.configuration or {}).get(CONFIGURED)
        if isinstance(kept, list):
            lines = [[renamed.get(str(c), str(c)), q, sc] for c, q, sc in kept]
            copy.configuration = {**configured_values(copy), CONFIGURED: lines}


def save_as_template(
    session: Session, number: str, new_item: str, *, description: str = "", author: str
) -> str:
    """Keep an order's structure as a new product with master BOMs, for other customers.

    The top becomes ``new_item``; its configured sub-assemblies become
    ``new_item-1``, ``new_item-2`` … Returns the new item code.
    """
    new_item = check_code(new_item, "new_item")
    with write_transaction(session):
        bom = _order_bom(session, number)
        if session.scalar(select(Item.id).where(Item.code == new_item)) is not None:
            raise ConflictError(f"item {new_item!r} exists already", item=new_item)
        _save_tree(session, bom, new_item, description, new_item, [0])
        audit.record(
            session,
            author=author,
            entity="bom",
            ref=number,
            action="save_as_template",
            after={"item": new_item},
        )
    return new_item


def _save_tree(
    session: Session, bom: Bom, code: str, description: str, root: str, counter: list[int]
) -> int:
    source = session.get(Item, bom.item_id)
    assert source is not None
    item = Item(
        code=code,
        description=description or source.description,
        type=ItemType.MAKE,
        strategy=Strategy.MTO,
        uom=source.uom,
        lead_time_days=source.lead_time_days,
        lot_rule=LotRule.LFL,
        unit_cost=source.unit_cost,
    )
    session.add(item)
    session.flush()
    master = Bom(number=f"BOM-{code}", kind=BomKind.ENGINEERING, item_id=item.id)
    session.add(master)
    session.flush()
    children = {
        b.item_id: b for b in session.scalars(select(Bom).where(Bom.parent_bom_id == bom.id))
    }
    for line in sorted(_lines(session, bom), key=lambda ln: ln.position):
        component = line.component_id
        if (child := children.get(component)) is not None:
            counter[0] += 1
            component = _save_tree(session, child, f"{root}-{counter[0]}", "", root, counter)
        session.add(
            BomLine(
                bom_id=master.id,
                position=line.position,
                component_id=component,
                qty_per=line.qty_per,
                scrap_pct=line.scrap_pct,
            )
        )
    session.flush()
    return item.id
