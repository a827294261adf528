"""The dispatch list of a work center: what to run next, in schedule order, and whether
its material is there.

Rows are the work center's operations of open production orders (planned, released,
in progress) not finished yet, in the order the schedule runs them. When a finite
schedule of the current plan exists (``pegboard schedule``, ``plan --finite``), that is
its order: each operation's start day on the work center, then its priority rank
(``services.schedule``). Without one, each operation's start day as the load schedules
it backward from its order's due date at infinite capacity (``services.load``), then
its order's due date, number and sequence; the list says which it follows.

The material status of an operation is its order's: the supplies the current plan
pegs to the order's components (stock, purchase lines, other production orders,
planned orders) and the day each is available; the order's material is there when all
are by today. A released order whose components are issued pegs nothing: ready.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import Item, Pegging, ProductionOrder, ProductionStatus, SalesOrder
from pegboard.services.load import LoadReport, capacity_load
from pegboard.services.pins import pinned_keys
from pegboard.services.planning import current_run
from pegboard.services.reports import SupplyAvailability
from pegboard.services.schedule import current_schedule, scheduled_operations
from pegboard.services.shop_floor import DONE, OperationStatus, progress_of

OPEN = (ProductionStatus.PLANNED, ProductionStatus.RELEASED, ProductionStatus.IN_PROGRESS)
FINITE, BACKWARD = "finite schedule", "backward load"
MAX_ROWS = 500
_CHUNK = 5_000


@dataclass(frozen=True)
class Material:
    ready: bool
    text: str
    """"ready", "waiting: LED-7 from PO-1004/1 on 2027-01-05", "no plan yet" …"""
    ready_on: date | None = None


@dataclass(frozen=True)
class DispatchRow:
    rank: int
    order: str
    order_status: str
    item: str
    sales_order: str
    due: date
    sequence: int
    description: str
    hours: float
    """Standard hours still to do (setup + run × what remains of the order)."""
    start: date
    end: date
    status: str
    """waiting or started (finished operations leave the list)."""
    material: Material
    operation: OperationStatus | None
    pinned: bool = False
    """A planner pinned it on the board (``services.pins``): schedules keep it on its day."""

    @property
    def runnable(self) -> bool:
        return self.order_status != ProductionStatus.PLANNED.value and self.material.ready


@dataclass(frozen=True)
class DispatchList:
    work_center: str
    rows: list[DispatchRow]
    order_source: str
    """Where the order comes from: "finite schedule" or "backward load"."""
    truncated: bool = False


class _Order(NamedTuple):
    status: ProductionStatus
    due_date: date
    item: str
    sales_order: str


def _orders(session: Session, numbers: list[str]) -> dict[str, _Order]:
    """The open production orders among ``numbers``, by number: the few columns a row
    shows, read as tuples (a busy work center's list names thousands of orders)."""
    out: dict[str, _Order] = {}
    for start in range(0, len(numbers), _CHUNK):
        for number, status, due, item, so in session.execute(
            select(
                ProductionOrder.number,
                ProductionOrder.status,
                ProductionOrder.due_date,
                Item.code,
                SalesOrder.number,
            )
            .join(Item, Item.id == ProductionOrder.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == ProductionOrder.sales_order_id)
            .where(
                ProductionOrder.number.in_(numbers[start : start + _CHUNK]),
                ProductionOrder.status.in_(OPEN),
            )
        ):
            out[number] = _Order(status, due, item, so or "")
    return out


def material_status(session: Session, orders: list[str], today: date) -> dict[str, Material]:
    """Each production order's material as the current plan pegs it (module doc)."""
    run = current_run(session)
    if run is None:
        return {o: Material(False, "no plan yet: run the plan to know") for o in orders}
    rows: list[tuple[str, str, str, str, float]] = []
    for start in range(0, len(orders), _CHUNK):
        rows += session.execute(
            select(
                Pegging.demand_ref, Pegging.supply_type, Pegging.supply_ref, Item.code, Pegging.qty
            )
            .join(Item, Item.id == Pegging.item_id)
            .where(
                Pegging.plan_run_id == run.id,
                Pegging.demand_type == "production_order",
                Pegging.demand_ref.in_(orders[start : start + _CHUNK]),
            )
        ).all()
    when = SupplyAvailability(session, run.planning_date).of([(t, ref) for _, t, ref, _, _ in rows])
    late: dict[str, list[tuple[date, str]]] = defaultdict(list)
    latest: dict[str, date] = {}
    for order, supply_type, ref, item, qty in rows:
        day = when.get((supply_type, ref), run.planning_date)
        latest[order] = max(latest.get(order, day), day)
        if day > today:
            late[order].append((day, f"{item} {qty:g} from {ref} on {day.isoformat()}"))
    out: dict[str, Material] = {}
    for order in orders:
        if order not in late:
            out[order] = Material(True, "ready", latest.get(order))
            continue
        waits = [text for _, text in sorted(late[order], reverse=True)]
        more = f" (+{len(waits) - 3} more)" if len(waits) > 3 else ""
        out[order] = Material(False, "waiting: " + "; ".join(waits[:3]) + more, latest[order])
    return out


@dataclass(frozen=True)
class _Planned:
    order: str
    sequence: int
    hours: float
    start: date
    end: date
    pinned: bool = False


def _in_schedule_order(
    session: Session, work_center: str, placed: LoadReport | None
) -> tuple[list[_Planned], str]:
    """The work center's operations of production orders in schedule order (module doc);
    ``placed``: the work center's backward load already worked out (its planned orders'
    operations are dropped with the other orders that are not open production orders)."""
    if current_schedule(session) is not None:
        rows = scheduled_operations(session, work_center)
        planned = [
            _Planned(r.order, r.sequence, r.hours, r.start, r.end, r.pinned)
            for r in rows
            if r.order_type == "production_order"
        ]
        return planned, FINITE
    if placed is None:
        # only production orders are dispatched: the plan's proposals are left out of the load
        numbers = set(
            session.scalars(select(ProductionOrder.number).where(ProductionOrder.status.in_(OPEN)))
        )
        placed = capacity_load(session, work_center=work_center, orders=numbers)
        ops = sorted(placed.operations, key=lambda o: (o.start, o.end, o.order, o.sequence))
        pinned = pinned_keys(session, {o.order for o in ops}) if ops else set()
    else:
        ops = sorted(placed.operations, key=lambda o: (o.start, o.end, o.order, o.sequence))
        pinned = pinned_keys(session)  # of every open order: a few, where an IN list is long
    return [
        _Planned(o.order, o.sequence, o.hours, o.start, o.end, (o.order, o.sequence) in pinned)
        for o in ops
    ], BACKWARD


def dispatch_list(
    session: Session,
    work_center: str,
    *,
    today: date,
    limit: int = MAX_ROWS,
    placed: LoadReport | None = None,
) -> DispatchList:
    """What ``work_center`` should run next, in schedule order (module doc). ``placed``:
    the work center's backward load (``capacity_load(work_center=…)``) when the caller
    has it already (its page draws the same placement: ``services.work_center_view``)."""
    ops, source = _in_schedule_order(session, work_center, placed)
    orders = _orders(session, sorted({op.order for op in ops}))
    ops = [op for op in ops if op.order in orders]
    progress = progress_of(session, [op.order for op in ops])
    material = material_status(session, sorted(orders), today)
    rows: list[DispatchRow] = []
    for op in ops:
        status = next((s for s in progress[op.order].operations if s.sequence == op.sequence), None)
        if status is not None and status.status == DONE:
            continue
        mo = orders[op.order]
        rows.append(
            DispatchRow(
                rank=len(rows) + 1,
                order=op.order,
                order_status=mo.status.value,
                item=mo.item,
                sales_order=mo.sales_order,
                due=mo.due_date,
                sequence=op.sequence,
                description=status.description if status else "",
                hours=op.hours,
                start=op.start,
                end=op.end,
                status=status.status if status else "waiting",
                material=material[op.order],
                operation=status,
                pinned=op.pinned,
            )
        )
    return DispatchList(work_center, rows[:limit], source, len(rows) > limit)
