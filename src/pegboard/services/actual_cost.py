"""What a production order really cost, collected from execution (issue #16, item 5).

* **Material**: the components issued to the order, at the value the stock ledger gave
  them (their bucket's moving average when issued; a part bought for the order keeps
  its purchase price, ``services.valuation``). A component made by a child production
  order of the same tree is not counted at its issue: the child's own cost is.
* **Scrap**: the part of that material which went into scrapped units (quantity per ×
  units scrapped, at the component's issued average).
* **Labour**: hours confirmed on the order's operations (finished on the shop floor with
  the hours worked) × their work center's rate (``confirmed_hours``).
* **Overhead**: the settings' rate per labour hour × hours + their percentage of the
  order's own material, as the estimate computes it (``engine.costing``).

A tree (an order and its children, by ``parent_id``) rolls up into the sales-order line
it serves. A completion brings finished units into stock at the order's cost so far not
yet passed on, pro rata to the units still to complete (``completion_value``): the last
completion takes what is left, so what the ledger holds of an order equals its cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.model import (
    Item,
    OperationProgress,
    ProductionComponent,
    ProductionOrder,
    StockMove,
    StockMoveKind,
    WorkCenter,
)
from pegboard.services import money
from pegboard.services.money import HUNDRED, ZERO, as_decimal

CHUNK = 5000
"""Ids per ``IN (…)``: SQLite takes at most 32,766 parameters in one statement, and a
roll-up of every open order reads far more orders than that."""


def chunks(ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


@dataclass(frozen=True)
class Hours:
    """Hours worked on one operation and the rate of its work center."""

    hours: Decimal
    rate: Decimal


def confirmed_hours(session: Session, mo_ids: Sequence[int]) -> dict[int, list[Hours]]:
    """The hours confirmed on each order's operations (``services.shop_floor``: finished
    with the hours worked), with the rate of the work center they were worked at. An
    operation started but not finished has no hours yet."""
    out: dict[int, list[Hours]] = {}
    for chunk in chunks(mo_ids):
        rows = session.execute(
            select(
                OperationProgress.production_order_id,
                OperationProgress.hours_worked,
                WorkCenter.cost_rate,
            )
            .join(WorkCenter, WorkCenter.id == OperationProgress.work_center_id)
            .where(
                OperationProgress.production_order_id.in_(chunk),
                OperationProgress.hours_worked.is_not(None),
            )
            .order_by(OperationProgress.production_order_id, OperationProgress.sequence)
        )
        for mo_id, hours, rate in rows:
            worked = Hours(as_decimal(hours or ZERO), as_decimal(rate or ZERO))
            out.setdefault(mo_id, []).append(worked)
    return out


@dataclass(frozen=True)
class MaterialUse:
    """One component consumed by a tree: issued quantity and value, and the part of them
    that went into scrapped units."""

    item: str
    qty: Decimal
    value: Decimal
    scrap_qty: Decimal = ZERO
    scrap_value: Decimal = ZERO

    def __add__(self, other: MaterialUse) -> MaterialUse:
        return MaterialUse(
            self.item,
            self.qty + other.qty,
            self.value + other.value,
            self.scrap_qty + other.scrap_qty,
            self.scrap_value + other.scrap_value,
        )


@dataclass(frozen=True)
class ActualCost:
    """The actual cost of one production order and every order below it."""

    orders: tuple[str, ...] = ()
    material: Decimal = ZERO
    """Scrap included."""
    scrap: Decimal = ZERO
    labour: Decimal = ZERO
    overhead: Decimal = ZERO
    hours: Decimal = ZERO
    uses: tuple[MaterialUse, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return self.material + self.labour + self.overhead

    def __add__(self, other: ActualCost) -> ActualCost:
        merged: dict[str, MaterialUse] = {u.item: u for u in self.uses}
        for u in other.uses:
            merged[u.item] = merged[u.item] + u if u.item in merged else u
        return ActualCost(
            self.orders + other.orders,
            self.material + other.material,
            self.scrap + other.scrap,
            self.labour + other.labour,
            self.overhead + other.overhead,
            self.hours + other.hours,
            tuple(merged[k] for k in sorted(merged)),
        )


class _Trees:
    """Production orders, their children, issues and hours, read once for many trees."""

    def __init__(self, session: Session, tops: Iterable[ProductionOrder]) -> None:
        self.session = session
        self.settings = money.costing_settings(session)
        self.orders: dict[int, ProductionOrder] = {}
        self.children: dict[int, list[ProductionOrder]] = {}
        frontier = [mo.id for mo in tops]
        for mo in tops:
            self.orders[mo.id] = mo
        while frontier:
            rows = [
                r
                for chunk in chunks(frontier)
                for r in session.scalars(
                    select(ProductionOrder).where(ProductionOrder.parent_id.in_(chunk))
                )
            ]
            frontier = [r.id for r in rows if r.id not in self.orders]
            for r in rows:
                self.orders[r.id] = r
                self.children.setdefault(r.parent_id or 0, []).append(r)
        ids = list(self.orders)
        self.issues: dict[int, dict[int, tuple[Decimal, Decimal]]] = {}
        self.qty_per: dict[tuple[int, int], Decimal] = {}
        for chunk in chunks(ids):
            self._read(chunk)
        self.codes: dict[int, str] = {}
        for chunk in chunks(i for used in self.issues.values() for i in used):
            self.codes.update(
                session.execute(select(Item.id, Item.code).where(Item.id.in_(chunk))).all()
            )
        self.hours = confirmed_hours(session, ids)

    def _read(self, ids: list[int]) -> None:
        """The issues (quantity and value per order and component) and the quantities
        per of these orders."""
        for mo_id, item_id, qty, value in self.session.execute(
            select(
                StockMove.production_order_id,
                StockMove.item_id,
                func.sum(StockMove.qty),
                func.sum(StockMove.value),
            )
            .where(StockMove.production_order_id.in_(ids), StockMove.kind == StockMoveKind.ISSUE)
            .group_by(StockMove.production_order_id, StockMove.item_id)
        ):
            self.issues.setdefault(mo_id or 0, {})[item_id] = (
                -as_decimal(qty or 0),
                -as_decimal(value or ZERO),
            )
        for mo_id, item_id, q in self.session.execute(
            select(
                ProductionComponent.production_order_id,
                ProductionComponent.item_id,
                ProductionComponent.qty_per,
            ).where(ProductionComponent.production_order_id.in_(ids))
        ):
            self.qty_per[(mo_id, item_id)] = as_decimal(q)

    def own(self, mo: ProductionOrder) -> ActualCost:
        """This order's own charges: components not made by its children, hours, overhead."""
        made_below = {c.item_id for c in self.children.get(mo.id, [])}
        scrapped = as_decimal(mo.scrapped_qty)
        uses: list[MaterialUse] = []
        for item_id, (qty, value) in sorted(self.issues.get(mo.id, {}).items()):
            if item_id in made_below or (qty == 0 and value == 0):
                continue
            scrap_qty = min(qty, self.qty_per.get((mo.id, item_id), ZERO) * scrapped)
            scrap_value = value * scrap_qty / qty if qty else ZERO
            uses.append(MaterialUse(self.codes[item_id], qty, value, scrap_qty, scrap_value))
        material = sum((u.value for u in uses), ZERO)
        worked = self.hours.get(mo.id, [])
        hours = sum((h.hours for h in worked), ZERO)
        labour = sum((h.hours * h.rate for h in worked), ZERO)
        s = self.settings
        overhead = (
            s.overhead_per_labour_hour * hours + s.overhead_pct_of_material * material / HUNDRED
        )
        scrap = sum((u.scrap_value for u in uses), ZERO)
        return ActualCost((mo.number,), material, scrap, labour, overhead, hours, tuple(uses))

    def tree(self, mo: ProductionOrder) -> ActualCost:
        cost = self.own(mo)
        for child in sorted(self.children.get(mo.id, []), key=lambda c: c.number):
            cost = cost + self.tree(child)
        return cost


def tree_costs(session: Session, tops: Sequence[ProductionOrder]) -> dict[int, ActualCost]:
    """The actual cost of each of these production orders with every order below it."""
    if not tops:
        return {}
    trees = _Trees(session, tops)
    return {mo.id: trees.tree(mo) for mo in tops}


def production_cost(session: Session, mo: ProductionOrder) -> ActualCost:
    return tree_costs(session, [mo])[mo.id]


def completion_value(session: Session, mo: ProductionOrder, qty: float) -> Decimal:
    """What ``qty`` units completed now bring into stock: the order's charges (components
    issued, at their ledger value, hours and overhead) not yet passed on by earlier
    completions, pro rata to the units still to complete; all of it for the last ones.

    Called after ``mo.completed_qty`` counts these units and the backflush is issued.
    """
    trees = _Trees(session, [mo])
    charged = -sum(
        (as_decimal(v or ZERO) for v in _issue_values(session, mo.id)), ZERO
    ) + _own_conversion(trees, mo)
    passed = as_decimal(
        session.scalar(
            select(func.coalesce(func.sum(StockMove.value), 0)).where(
                StockMove.production_order_id == mo.id,
                StockMove.kind == StockMoveKind.COMPLETION,
            )
        )
        or ZERO
    )
    left = charged - passed
    before = as_decimal(mo.completed_qty) - as_decimal(qty)
    still = as_decimal(mo.qty) - before
    if left <= 0 or still <= as_decimal(qty):
        return max(left, ZERO)
    return left * as_decimal(qty) / still


def _issue_values(session: Session, mo_id: int) -> Sequence[Decimal]:
    return session.scalars(
        select(StockMove.value).where(
            StockMove.production_order_id == mo_id, StockMove.kind == StockMoveKind.ISSUE
        )
    ).all()


def _own_conversion(trees: _Trees, mo: ProductionOrder) -> Decimal:
    """Labour and overhead of the order itself (its children pass theirs on through the
    sub-assemblies they complete into it)."""
    own = trees.own(mo)
    return own.labour + own.overhead
