"""Estimated against actual cost per order line, sales order and project (issue #16,
item 6), and the margin that is left: revenue − actual cost.

The variance (actual − estimated: positive means it cost more) of a line splits into
five parts that add up to it exactly:

* **price**: each component consumed, at what it really cost against the estimate's
  price (actual value − actual quantity × estimated price);
* **scrap**: components that went into scrapped units, against the scrap allowance
  of the estimate (BOM scrap %), at the estimated price;
* **usage**: the rest of the material: more or fewer components used than the
  estimate's quantity without scrap (over-issue, a component left out), at the
  estimated price; a component the estimate does not know is all usage;
* **labour**: hours worked × rate against the routing's hours × rate;
* **overhead**: actual overhead against the estimated overhead.

A line's actual cost is its production orders' (``services.actual_cost``), or for a
bought item shipped as it is, the value its shipments took out of stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.model import (
    Item,
    LineFinalCost,
    ProductionOrder,
    PurchaseLineStatus,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    StockMove,
    StockMoveKind,
)
from pegboard.services import cost_estimates, costing, money, valuation
from pegboard.services.actual_cost import ActualCost, MaterialUse, chunks, tree_costs
from pegboard.services.lookups import get_item, get_order, get_project
from pegboard.services.money import HUNDRED, ZERO, as_decimal
from pegboard.services.variance_split import Variance as Variance
from pegboard.services.variance_split import split_unused, variance_of

CANCELLED = SalesOrderStatus.CANCELLED.value
_DONE_OR_CANCELLED = (SalesOrderStatus.SHIPPED, SalesOrderStatus.CLOSED, SalesOrderStatus.CANCELLED)


@dataclass(frozen=True)
class LineVariance:
    ref: str
    item: str
    status: str
    qty: Decimal
    estimate: costing.LineEstimate | costing.LineFigures
    """The full estimate (levels, premium), or a project's stored figures of the line."""
    actual: ActualCost
    variance: Variance
    shipped_only: bool = False
    """A bought item: its actual cost is what its shipments took out of stock."""
    frozen: LineFinalCost | None = None
    """The final cost stored when the line was shipped complete: its estimated cost,
    revenue, actual cost and variance are these, no longer computed."""

    @property
    def frozen_lines(self) -> tuple[int, int]:
        """(frozen, counted): this line, frozen or not."""
        return (0 if self.frozen is None else 1), 1

    @property
    def figures(self) -> str:
        """ "frozen <when>" or "live", as every surface says it."""
        at = self.frozen_at
        return "live" if at is None else f"frozen {at:%Y-%m-%d %H:%M} UTC"

    @property
    def frozen_at(self) -> datetime | None:
        """When the line's final cost was frozen (None: its figures are live, computed
        from the ledger and the prices of now)."""
        return None if self.frozen is None else self.frozen.frozen_at

    @property
    def estimated(self) -> costing.Elements:
        f = self.frozen
        if f is None:
            return self.estimate.elements
        return costing.Elements(
            _plain(f.estimated_material), _plain(f.estimated_labour), _plain(f.estimated_overhead)
        )

    @property
    def revenue(self) -> Decimal | None:
        f = self.frozen
        if f is None:
            return self.estimate.revenue
        return None if f.revenue is None else _plain(f.revenue)

    @property
    def cost(self) -> Decimal:
        return self.actual.total

    @property
    def margin(self) -> Decimal | None:
        """Revenue − actual cost, once there is an actual cost (None: not quoted, or
        nothing made, issued or shipped for it yet)."""
        if self.revenue is None or not self.started:
            return None
        return self.revenue - self.cost

    @property
    def started(self) -> bool:
        return (
            self.frozen is not None
            or self.actual.total != 0
            or any(u.qty for u in self.actual.uses)
        )


class _Sums:
    """Estimated, actual, variance and margin summed over counted parts."""

    def _parts(self) -> Sequence[LineVariance | _Sums]:
        raise NotImplementedError

    @property
    def status(self) -> str:
        raise NotImplementedError

    def _counted(self) -> list[LineVariance | _Sums]:
        return [p for p in self._parts() if p.status != CANCELLED]

    @property
    def frozen_lines(self) -> tuple[int, int]:
        """(frozen, counted) lines, cancelled ones left out."""
        pairs = [p.frozen_lines for p in self._counted()]
        return sum(f for f, _ in pairs), sum(n for _, n in pairs)

    @property
    def figures(self) -> str:
        """ "live", "frozen" (every line shipped or closed and frozen) or "k of n lines
        frozen": how much of the sum no longer moves."""
        frozen, counted = self.frozen_lines
        if frozen == 0:
            return "live"
        return "frozen" if frozen == counted else f"{frozen} of {counted} lines frozen"

    @property
    def estimated(self) -> costing.Elements:
        return sum((p.estimated for p in self._counted()), costing.Elements())

    @property
    def actual(self) -> ActualCost:
        return sum((p.actual for p in self._counted()), ActualCost())

    @property
    def variance(self) -> Variance:
        return sum((p.variance for p in self._counted()), Variance())

    @property
    def revenue(self) -> Decimal | None:
        quoted = [p.revenue for p in self._counted() if p.revenue is not None]
        return sum(quoted, ZERO) if quoted else None

    @property
    def cost(self) -> Decimal:
        return self.actual.total

    @property
    def margin(self) -> Decimal | None:
        """The margins of the parts that have one (quoted and under way): a part not
        started yet would count its whole revenue as margin."""
        margins = [p.margin for p in self._counted() if p.margin is not None]
        return sum(margins, ZERO) if margins else None


@dataclass(frozen=True)
class OrderVariance(_Sums):
    number: str
    customer: str
    project: str | None
    order_status: str
    currency: str
    lines: tuple[LineVariance, ...]
    estimate: costing.OrderCost | costing.OrderFigures
    """The order's estimate, as ``pegboard order cost`` gives it (premium, levels)."""

    @property
    def status(self) -> str:
        return self.order_status

    def _parts(self) -> Sequence[LineVariance | _Sums]:
        return self.lines


@dataclass(frozen=True)
class ProjectVariance(_Sums):
    customer: str
    project: str
    currency: str
    orders: tuple[OrderVariance, ...]

    @property
    def status(self) -> str:
        return ""

    @property
    def estimate(self) -> costing.ProjectFigures:
        """The project's estimate, as ``pegboard project show`` gives it."""
        orders = tuple(o.estimate for o in self.orders)
        return costing.ProjectFigures(self.customer, self.project, self.currency, orders)

    def _parts(self) -> Sequence[LineVariance | _Sums]:
        return self.orders


def _line_orders(session: Session, line_ids: Sequence[int]) -> dict[int, list[ProductionOrder]]:
    """The top production orders of each line (their children come with them)."""
    rows = session.scalars(
        select(ProductionOrder)
        .where(ProductionOrder.sales_order_line_id.in_(line_ids))
        .order_by(ProductionOrder.number)
    ).all()
    ids = {r.id for r in rows}
    out: dict[int, list[ProductionOrder]] = {}
    for r in rows:
        if r.parent_id is None or r.parent_id not in ids:
            out.setdefault(r.sales_order_line_id or 0, []).append(r)
    return out


def _shipped(session: Session, lines: dict[int, str]) -> dict[int, ActualCost]:
    """Bought items shipped as they are (line id -> item code): the value their shipments
    took out of stock, with the overhead on material the estimate charges on it too; in
    one query for all of them."""
    out: dict[int, ActualCost] = {}
    if not lines:
        return out
    pct = money.costing_settings(session).overhead_pct_of_material
    for chunk in chunks(sorted(lines)):
        for line_id, qty, value in session.execute(
            select(
                StockMove.sales_order_line_id, func.sum(StockMove.qty), func.sum(StockMove.value)
            )
            .where(
                StockMove.sales_order_line_id.in_(chunk), StockMove.kind == StockMoveKind.SHIPMENT
            )
            .group_by(StockMove.sales_order_line_id)
        ):
            if not qty or line_id is None:
                continue
            use = MaterialUse(lines[line_id], -as_decimal(qty), -as_decimal(value or ZERO))
            out[line_id] = ActualCost(
                (), use.value, ZERO, ZERO, pct * use.value / HUNDRED, ZERO, (use,)
            )
    return out


@dataclass(frozen=True)
class LineActual:
    """A line's actual cost, and whether it is a bought item shipped as it is."""

    cost: ActualCost
    shipped_only: bool


def line_actuals(session: Session, lines: dict[int, str]) -> dict[int, LineActual]:
    """The actual cost of each sales-order line (line id -> item code): its production
    orders' trees, or for a line without any, what its shipments took out of stock. Bulk
    reads, whatever the number of lines: the orders, their trees, issues, hours and the
    shipments each in a few queries."""
    ids = sorted(lines)
    tops: dict[int, list[ProductionOrder]] = {}
    for chunk in chunks(ids):
        tops.update(_line_orders(session, chunk))
    costs = tree_costs(session, [mo for mos in tops.values() for mo in mos])
    shipped = _shipped(session, {i: code for i, code in lines.items() if i not in tops})
    out: dict[int, LineActual] = {}
    for line_id in ids:
        mos = tops.get(line_id)
        if mos:
            out[line_id] = LineActual(sum((costs[mo.id] for mo in mos), ActualCost()), False)
        else:
            out[line_id] = LineActual(shipped.get(line_id, ActualCost()), True)
    return out


def open_orders_actual(session: Session) -> dict[str, ActualCost]:
    """The actual cost so far of every open sales order (not shipped, closed or
    cancelled), by order number: what execution has collected for their lines."""
    open_statuses = [s for s in SalesOrderStatus if s not in _DONE_OR_CANCELLED]
    rows = session.execute(
        select(SalesOrderLine.id, Item.code, SalesOrder.number)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .where(
            SalesOrder.status.in_(open_statuses),
            SalesOrderLine.status != SalesOrderStatus.CANCELLED,
        )
    ).all()
    actual = line_actuals(session, {line_id: code for line_id, code, _n in rows})
    out: dict[str, ActualCost] = {}
    for line_id, _code, number in rows:
        out[number] = out.get(number, ActualCost()) + actual[line_id].cost
    return out


def final_costs(session: Session, line_ids: Sequence[int]) -> dict[int, LineFinalCost]:
    """The frozen final costs of these lines, by line id (lines not shipped yet, or
    shipped before final costs were kept, have none)."""
    return {
        r.sales_order_line_id: r
        for chunk in chunks(line_ids)
        for r in session.scalars(
            select(LineFinalCost).where(LineFinalCost.sales_order_line_id.in_(chunk))
        )
    }


def _plain(stored: Decimal) -> Decimal:
    """A stored figure without the column's trailing zeros (``2.500000`` is ``2.5``, as
    when computed), never in exponent form (``1E+2``)."""
    whole = stored.to_integral_value()
    return whole.quantize(Decimal(1)) if stored == whole else stored.normalize()


def _line(
    est: costing.LineEstimate | costing.LineFigures,
    actual: ActualCost,
    shipped_only: bool,
    f: LineFinalCost | None,
) -> LineVariance:
    """One line's figures: computed now (from its tree, or from its stored figures while
    no material is used), or the frozen ones of a line shipped complete (its orders and
    material uses stay the ledger's, which no longer change)."""
    if f is None:
        if isinstance(est, costing.LineEstimate):
            found = variance_of(est.tree, actual)
        else:
            found = split_unused(est.elements, est.unused, actual)
    else:
        actual = ActualCost(
            actual.orders,
            _plain(f.actual_material),
            _plain(f.actual_scrap),
            _plain(f.actual_labour),
            _plain(f.actual_overhead),
            _plain(f.actual_hours),
            actual.uses,
        )
        found = Variance(
            _plain(f.price_variance),
            _plain(f.usage_variance),
            _plain(f.scrap_variance),
            _plain(f.labour_variance),
            _plain(f.overhead_variance),
        )
    return LineVariance(est.ref, est.item, est.status, est.qty, est, actual, found, shipped_only, f)


def order_variance(session: Session, number: str) -> OrderVariance:
    """Every line of a sales order: estimated and actual cost by element, the variance
    split, and the margin at the quoted price."""
    (found,) = _variances(session, [get_order(session, number)])
    return found


def project_variance(session: Session, customer: str, project: str) -> ProjectVariance:
    """Every order of a customer project, estimated against actual, and its margin. The
    lines' estimates are their stored figures (``services.cost_estimates``); only a line
    whose material is being used is estimated level by level, for its variance split."""
    owner = get_project(session, customer, project)
    orders = session.scalars(
        select(SalesOrder).where(SalesOrder.project_id == owner.id).order_by(SalesOrder.number)
    ).all()
    found = _variances(session, orders, stored=True)
    return ProjectVariance(customer, project, money.currency(session), found)


def _variances(
    session: Session, orders: Sequence[SalesOrder], *, stored: bool = False
) -> tuple[OrderVariance, ...]:
    """``order_variance`` of many orders, their lines estimated, their actual costs and
    frozen final costs read together (a project's report: a few queries, not per line).
    ``stored``: the lines' stored figures, estimated only where the split needs it."""
    heads = costing.order_heads(session, orders)
    estimates: list[costing.OrderCost | costing.OrderFigures] = [
        *(
            cost_estimates.orders_figures(session, orders, heads)
            if stored
            else costing.orders_cost(session, orders, heads)
        )
    ]
    rows = {(row.sales_order_id, row.line): row for _order, row in heads[2]}
    by_id = {o.id: o for o in orders}
    ids: dict[int, costing.LineEstimate | costing.LineFigures] = {
        rows[(order.id, int(e.ref.rsplit("/", 1)[1]))].id: e
        for order, estimate in zip(orders, estimates, strict=True)
        for e in estimate.lines
    }
    frozen = final_costs(session, sorted(ids))
    actual = line_actuals(session, {i: e.item for i, e in ids.items()})
    used = [
        (by_id[r.sales_order_id], r)
        for r in rows.values()
        if r.id in ids
        and not isinstance(ids[r.id], costing.LineEstimate)
        and r.id not in frozen
        and actual[r.id].cost.uses
    ]
    if used:
        trees = costing.line_estimates(session, used, money.costing_settings(session))
        ids.update({r.id: e for (_o, r), e in zip(used, trees, strict=True)})
    by_ref = {
        e.ref: _line(e, actual[i].cost, actual[i].shipped_only, frozen.get(i))
        for i, e in ids.items()
    }
    return tuple(
        OrderVariance(
            order.number,
            estimate.customer,
            estimate.project,
            order.status.value,
            estimate.currency,
            tuple(by_ref[e.ref] for e in estimate.lines),
            estimate,
        )
        for order, estimate in zip(orders, estimates, strict=True)
    )


@dataclass(frozen=True)
class ProductionCost:
    number: str
    status: str
    qty: float
    completed: float
    scrapped: float
    actual: ActualCost

    @property
    def unit_cost(self) -> Decimal | None:
        done = as_decimal(self.completed)
        return self.actual.total / done if done > 0 else None


@dataclass(frozen=True)
class ItemCost:
    item: str
    currency: str
    unit_cost: Decimal
    """The standard cost (``item.unit_cost``)."""
    moving_average: Decimal | None
    on_hand: float
    value: Decimal
    last_purchase: Decimal | None
    productions: tuple[ProductionCost, ...]


def item_cost(session: Session, code: str, *, limit: int = 200) -> ItemCost:
    """What an item costs: its standard cost, the moving average and value of its stock,
    its last purchase price, and the actual cost of its latest production orders."""
    item = get_item(session, code)
    rows = valuation.stock_value(session, item=code)
    last = session.scalar(
        select(PurchaseOrderLine.unit_price)
        .where(
            PurchaseOrderLine.item_id == item.id,
            PurchaseOrderLine.unit_price > 0,
            PurchaseOrderLine.status != PurchaseLineStatus.CANCELLED,
        )
        .order_by(PurchaseOrderLine.due_date.desc(), PurchaseOrderLine.id.desc())
        .limit(1)
    )
    mos = session.scalars(
        select(ProductionOrder)
        .where(ProductionOrder.item_id == item.id)
        .order_by(ProductionOrder.number.desc())
        .limit(limit)
    ).all()
    costs = tree_costs(session, mos)
    return ItemCost(
        item=item.code,
        currency=money.currency(session),
        unit_cost=as_decimal(item.unit_cost),
        moving_average=valuation.moving_average(session, item.id),
        on_hand=sum(r.qty for r in rows),
        value=valuation.total(rows),
        last_purchase=None if last is None else as_decimal(last),
        productions=tuple(
            ProductionCost(
                mo.number,
                mo.status.value,
                mo.qty,
                mo.completed_qty,
                mo.scrapped_qty,
                costs[mo.id],
            )
            for mo in mos
        ),
    )
