"""Order promising: the earliest day a new order can be complete (ATP, then CTP).

Pure: the caller hands in the structure of the item to promise as a graph of
:class:`Node` (a node's lines point at other nodes; a node shared by two lines
is evaluated once per line, as the tree it stands for), the available-to-promise
lots of every item (:class:`Lot`: free stock on the planning day, receipts not
pegged to other orders on their due days) and the planning day; it gets a
:class:`PromiseResult` back. Days are date ordinals.

The rule, per node that needs quantity ``q``:

* Its ATP lots are taken in date order (on one day in the order given). With
  the cut-off day ``d`` (the planning day or the day of a lot still holding
  something), ``ATP(d)`` is what the lots available by ``d`` still hold.
* The earliest day is ``min over d of max(d, CTP(q - ATP(d)))``, where the CTP
  of a rest ``r > 0`` orders ``Q``, the rest sized as the plan would size a
  planned order for it (rule 7, ``lots.lot_size``: the item's lot rule, min_qty,
  multiple, decimal places; a ``poq`` item's period holds only this rest here),
  and is: buy → fwd(planning day + lead time calendar days, 0), the first working
  day it can arrive (rule 9, a purchase placed now); make → fwd(s, lead time) in
  working days, s the latest earliest day of its components for ``Q × qty_per``
  (scrap included in ``qty_per``; the planning day when it has none). ``CTP(0)``
  sets nothing. A node marked ``new`` (a configured, made-to-order node: it does
  not exist yet) has no ATP. Without a calendar every day is a working day, and
  fwd(d, n) is d + n.
* Lots are shared across the whole tree and consumed as they are allocated:
  depth first, lines in the order given, so an earlier line has the first pick
  of a component two lines use. This is a greedy allocation, not a global
  optimum.

Open receipts pulled in (rule 6). The plan serves a need on day t from supply due
by t, then from open receipts due at most ``reschedule_in_days`` after t, and only
then orders anew, so a receipt within that reach sets the date however soon a new
order could come. A cut-off that orders anew while a receipt of the item is still
free within that reach of the node's day is not what the plan does and is not
taken; and a make order starts no earlier than the receipts its components would
pull in from its start day (each such component is ready on that receipt's day).

Ties and determinism:

* Among cut-offs giving the same day, the latest cut-off wins: it uses more of
  the supply that exists and orders less.
* Cut-offs are tried in ascending order and the search stops once the cut-off
  itself is later than the best day found, or the lots cover everything.
* The critical path follows, from the top, the reason a node's day is what it
  is: the new order when its CTP day is at least the day of the latest lot it
  takes (ties go to the order: that is where acting helps), else that lot; below
  a make order, the component with the latest day (the first line on ties).

The master schedule's planning time fence (issue #17). With ``mps_fence_days`` > 0
the first day beyond the fence is F = fwd(planning day + mps_fence_days, 0), the
first working day past it, as the plan counts it. A node marked ``mps`` (its item is
on the master schedule) takes its ATP lots (free stock, schedule lines the plan left
free) wherever they fall, inside the fence too, but a new order of it, bought or
made, completes no sooner than F: the plan adds no supply of such an item inside the
fence (its planned orders are due, and complete, on F at the earliest), so a promise
that made one sooner would promise what the plan then cannot keep. Its parent starts
on F at the earliest.

New orders are scheduled twice. Forward (as soon as possible): a purchase is
placed on the planning day, a make order starts when its components are all
there. Backward from the promised day (``start_by``: the latest day the order
may be placed or started and still keep the promise; critical orders get the
planning day, "order today"): an order is due when its parent starts, its
start is back(due, lead time) for a make order, back(due − lead time, 0) for a
purchase (rule 1). With a ``wanted_day`` that is met, ``start_by_wanted``
is the same backward schedule from the wanted day; when it is not met the
earliest day stands and ``start_by_wanted`` is None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from pegboard.engine.calendar import WorkCalendar
from pegboard.engine.lots import lot_size
from pegboard.engine.types import LFL

EPS = 1e-9
"""Quantities closer than this are equal."""
MAX_EVALUATIONS = 200_000
"""Most node evaluations one promise may take (a guard against a structure
that shares deep sub-assemblies on many lines)."""


class PromiseInputError(ValueError):
    """The input cannot be promised (unknown node, bad quantity, too large)."""


@dataclass(frozen=True)
class Lot:
    """Quantity of an item available to promise from ``day`` on.

    ``ref`` is empty for stock on hand, else the receipt (``PO-000123/1``,
    ``MO-1042-1``)."""

    day: int
    qty: float
    ref: str = ""


@dataclass(frozen=True)
class Line:
    node: str
    qty_per: float  # per one unit of the parent, scrap included


@dataclass(frozen=True)
class Sizing:
    """How a planned order of the item is sized (rule 7): its lot rule (``types.LFL`` /
    ``FOQ`` / ``POQ``), lot_qty, min_qty, multiple, and ``scale`` = 10 ** decimals (0: the
    quantity is not rounded)."""

    rule: int = LFL
    lot_qty: float = 0.0
    min_qty: float = 0.0
    multiple: float = 0.0
    scale: float = 0.0

    def size(self, requirement: float) -> float:
        return lot_size(
            requirement, self.rule, self.lot_qty, self.min_qty, self.multiple, self.scale
        )


@dataclass(frozen=True)
class Node:
    item: str  # the item code, the key of its lots
    make: bool
    lead_time: int
    new: bool = False  # configured / made for this order: nothing of it exists yet
    lines: tuple[Line, ...] = ()
    sizing: Sizing = Sizing()  # how an order for its rest is sized
    mps: bool = False  # on the master schedule: no new order completes inside the fence


@dataclass(frozen=True)
class PromiseInput:
    top: str  # key of the top node
    qty: float
    nodes: Mapping[str, Node]
    lots: Mapping[str, Sequence[Lot]]  # per item code
    planning_day: int
    wanted_day: int | None = None
    calendar: WorkCalendar | None = None  # None: every day is a working day
    reschedule_in_days: int = 0  # rule 6: open receipts the plan pulls in before ordering
    mps_fence_days: int = 0  # the master schedule's planning time fence; 0: none


@dataclass(frozen=True)
class LotUse:
    item: str
    ref: str  # "" = stock on hand
    day: int
    qty: float


@dataclass(frozen=True)
class NewOrder:
    """What must be bought or made for the promise."""

    position: str  # "1", "1.2", "1.2.1": the line path from the top
    item: str
    make: bool
    qty: float  # what to order: the requirement sized as a planned order (rule 7)
    requirement: float  # what the node lacks after its ATP
    lead_time: int
    start_earliest: int  # forward: as soon as possible
    complete_earliest: int
    due: int  # backward from the promised day: when its parent needs it
    start_by: int  # latest day to place/start it and keep the promised day
    start_by_wanted: int | None  # the same for the wanted day, when that is met
    critical: bool


@dataclass(frozen=True)
class NodeResult:
    position: str
    item: str
    qty: float
    from_atp: float
    new_qty: float  # ordered (sized as a planned order): from_atp + new_qty may exceed qty
    lots: tuple[LotUse, ...]
    day: int  # earliest completion of the node's whole quantity
    order: NewOrder | None
    children: tuple[NodeResult, ...]


@dataclass(frozen=True)
class Step:
    """One link of the critical path."""

    position: str
    item: str
    qty: float
    day: int
    reason: str


@dataclass(frozen=True)
class PromiseResult:
    day: int
    planning_day: int
    wanted_day: int | None
    met: bool | None  # None without a wanted day
    root: NodeResult
    critical_path: tuple[Step, ...]
    orders: tuple[NewOrder, ...]  # by start_by, then position
    # the lots used, one row per lot (the lines using it summed), by item, day, ref
    atp: tuple[LotUse, ...]


@dataclass
class _Eval:
    """A node's evaluation while the search runs (mutable, internal)."""

    node: Node
    qty: float
    taken: list[tuple[int, float]] = field(default_factory=list)  # (lot index, qty)
    lot_day: int = -1  # day of the latest lot taken, -1 when none
    rest: float = 0.0
    order_qty: float = 0.0  # the rest sized as a planned order
    start: int = -1  # day the new order is placed or started, -1 when none
    ctp_day: int = -1  # day the new order completes, -1 when none
    children: list[_Eval] = field(default_factory=list)
    day: int = 0
    fenced: bool = False  # the time fence, not lead times, set ``ctp_day``


class _Search:
    def __init__(self, inp: PromiseInput) -> None:
        self.nodes = inp.nodes
        self.pd = inp.planning_day
        self.calendar = inp.calendar or WorkCalendar()
        self.reach = max(int(inp.reschedule_in_days), 0)
        fence = int(inp.mps_fence_days)
        self.fence_day = self.calendar.fwd(self.pd + fence, 0) if fence > 0 else -1
        """F: the earliest day a new order of an ``mps`` node completes (-1: no fence)."""
        self.lots: dict[str, list[Lot]] = {}
        self.left: dict[str, list[float]] = {}
        for item, lots in inp.lots.items():
            ordered = sorted(
                (lot for lot in lots if lot.qty > EPS), key=lambda lot: max(lot.day, self.pd)
            )
            self.lots[item] = [Lot(max(lot.day, self.pd), lot.qty, lot.ref) for lot in ordered]
            self.left[item] = [lot.qty for lot in self.lots[item]]
        self.evaluations = 0

    # consumption: (item, lot index, qty) rows, undone by adding back
    def _undo(self, used: list[tuple[str, int, float]]) -> None:
        for item, i, qty in used:
            self.left[item][i] += qty

    def _redo(self, used: list[tuple[str, int, float]]) -> None:
        for item, i, qty in used:
            self.left[item][i] -= qty

    def evaluate(self, key: str, qty: float, used: list[tuple[str, int, float]]) -> _Eval:
        """The node's best evaluation, its consumption applied and appended to ``used``."""
        self.evaluations += 1
        if self.evaluations > MAX_EVALUATIONS:
            raise PromiseInputError(
                f"the structure is too large to promise (more than {MAX_EVALUATIONS} nodes)"
            )
        node = self.nodes.get(key)
        if node is None:
            raise PromiseInputError(f"no node {key!r}")
        lots = [] if node.new else self.lots.get(node.item, [])
        left = self.left.get(node.item, [])
        cutoffs = [self.pd]
        for i, lot in enumerate(lots):
            if left[i] > EPS and lot.day > cutoffs[-1]:
                cutoffs.append(lot.day)
        best: _Eval | None = None
        best_used: list[tuple[str, int, float]] = []
        for n, cutoff in enumerate(cutoffs):
            if best is not None and cutoff > best.day:
                break
            trial_used: list[tuple[str, int, float]] = []
            trial = self._with_cutoff(node, qty, lots, cutoff, trial_used)
            self._undo(trial_used)
            pulled_in = (
                trial.rest > 0
                and n + 1 < len(cutoffs)
                and self._free_receipt(node.item, lots, cutoff, trial.day + self.reach) >= 0
            )
            if not pulled_in and (best is None or trial.day <= best.day):  # ties: later
                best, best_used = trial, trial_used
            if trial.rest <= 0:
                break
        assert best is not None
        self._redo(best_used)
        used.extend(best_used)
        return best

    def _free_receipt(self, item: str, lots: list[Lot], after: int, until: int) -> int:
        """The day of the first receipt of ``item`` still free, due in (after, until]; -1
        when there is none (stock is never due after the planning day)."""
        left = self.left.get(item, [])
        for i, lot in enumerate(lots):
            if lot.day > until:
                break
            if lot.day > after and left[i] > EPS and lot.ref:
                return lot.day
        return -1

    def _with_cutoff(
        self,
        node: Node,
        qty: float,
        lots: list[Lot],
        cutoff: int,
        used: list[tuple[str, int, float]],
    ) -> _Eval:
        ev = _Eval(node, qty)
        need = qty
        left = self.left.get(node.item, [])
        for i, lot in enumerate(lots):
            if need <= EPS or lot.day > cutoff:
                break
            take = min(left[i], need)
            if take <= EPS:
                continue
            left[i] -= take
            used.append((node.item, i, take))
            ev.taken.append((i, take))
            ev.lot_day = lot.day
            need -= take
        ev.rest = need if need > EPS else 0.0
        if ev.rest > 0:
            ev.order_qty = node.sizing.size(ev.rest)
            if node.make:
                start = self.pd
                for line in node.lines:
                    child = self.evaluate(line.node, ev.order_qty * line.qty_per, used)
                    ev.children.append(child)
                    start = max(start, child.day)
                ev.start = self._pulled_in_start(ev.children, start)
                ev.ctp_day = self.calendar.fwd(ev.start, node.lead_time)
            else:
                ev.start = self.pd
                ev.ctp_day = self.calendar.fwd(self.pd + node.lead_time, 0)
            if node.mps and ev.ctp_day < self.fence_day:
                ev.ctp_day, ev.fenced = self.fence_day, True
        ev.day = max(self.pd, ev.lot_day, ev.ctp_day)
        return ev

    def _pulled_in_start(self, children: list[_Eval], start: int) -> int:
        """The start of a make order once the plan has served its components' need on that
        day: a component that orders anew while a receipt of it is free within the
        rescheduling reach of the start is served by that receipt first (rule 6)."""
        if not self.reach:
            return start
        moved = True
        while moved:
            moved = False
            for child in children:
                if child.rest <= 0 or child.node.new:
                    continue
                lots = self.lots.get(child.node.item, [])
                day = self._free_receipt(child.node.item, lots, start, start + self.reach)
                if day > start:
                    start, moved = day, True
        return start


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _lot_reason(lot: Lot) -> str:
    return "stock" if not lot.ref else f"{lot.ref} due {_iso(lot.day)}"


class _Builder:
    """Turns the search's evaluations into frozen results, with both schedules."""

    def __init__(self, search: _Search) -> None:
        self.search = search
        self.critical: set[str] = set()

    def mark_critical(self, ev: _Eval, position: str, steps: list[Step]) -> None:
        node = ev.node
        if ev.ctp_day >= 0 and ev.ctp_day >= ev.lot_day:
            self.critical.add(position)
            if ev.fenced:
                until = _iso(self.search.fence_day)
                reason = (
                    f"no new {node.item} inside the master schedule's time fence (until {until})"
                )
                steps.append(Step(position, node.item, ev.qty, ev.day, reason))
                return
            if not node.make:
                reason = f"buy: lead time {node.lead_time} d"
                steps.append(Step(position, node.item, ev.qty, ev.day, reason))
                return
            if not ev.children:
                reason = f"make: lead time {node.lead_time} d"
                steps.append(Step(position, node.item, ev.qty, ev.day, reason))
                return
            reason = f"make: lead time {node.lead_time} d after components"
            steps.append(Step(position, node.item, ev.qty, ev.day, reason))
            latest = max(range(len(ev.children)), key=lambda n: (ev.children[n].day, -n))
            self.mark_critical(ev.children[latest], f"{position}.{latest + 1}", steps)
            return
        if not ev.taken:  # a quantity too small to count (below EPS)
            steps.append(Step(position, node.item, ev.qty, ev.day, "nothing to supply"))
            return
        lot = self.search.lots[node.item][ev.taken[-1][0]]
        steps.append(Step(position, node.item, ev.qty, ev.day, _lot_reason(lot)))

    def start_by(self, node: Node, due: int) -> int:
        """The latest day to start (make: back(due, lead time) in working days) or place
        (buy: back(due − lead time, 0), the last working day) an order due on ``due``."""
        calendar = self.search.calendar
        if node.make:
            return calendar.back(due, node.lead_time)
        return calendar.back(due - node.lead_time, 0)

    def build(self, ev: _Eval, position: str, due: int, due_wanted: int | None) -> NodeResult:
        node = ev.node
        lots = self.search.lots.get(node.item, [])
        uses = tuple(
            LotUse(node.item, lots[i].ref, lots[i].day, round(qty, 6)) for i, qty in ev.taken
        )
        order = None
        children: list[NodeResult] = []
        if ev.rest > 0:
            start_by = self.start_by(node, due)
            start_by_wanted = None if due_wanted is None else self.start_by(node, due_wanted)
            order = NewOrder(
                position=position,
                item=node.item,
                make=node.make,
                qty=round(ev.order_qty, 6),
                requirement=round(ev.rest, 6),
                lead_time=node.lead_time,
                start_earliest=ev.start,
                complete_earliest=ev.ctp_day,
                due=due,
                start_by=start_by,
                start_by_wanted=start_by_wanted,
                critical=position in self.critical,
            )
            for n, child in enumerate(ev.children):
                children.append(self.build(child, f"{position}.{n + 1}", start_by, start_by_wanted))
        return NodeResult(
            position=position,
            item=node.item,
            qty=round(ev.qty, 6),
            from_atp=round(ev.qty - ev.rest, 6),
            new_qty=round(ev.order_qty, 6),
            lots=uses,
            day=ev.day,
            order=order,
            children=tuple(children),
        )


def _walk(node: NodeResult) -> list[NodeResult]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def promise(inp: PromiseInput) -> PromiseResult:
    """The earliest completion of ``inp.qty`` of the top node, and how (see the module)."""
    if not (isinstance(inp.qty, int | float) and math.isfinite(inp.qty) and inp.qty > 0):
        raise PromiseInputError(f"qty must be a number greater than 0, not {inp.qty!r}")
    for key, node in inp.nodes.items():
        if node.lead_time < 0:
            raise PromiseInputError(f"{key}: lead time {node.lead_time} < 0")
        for line in node.lines:
            if not (math.isfinite(line.qty_per) and line.qty_per >= 0):
                raise PromiseInputError(f"{key}: quantity per {line.qty_per!r} of {line.node}")
    search = _Search(inp)
    top = search.evaluate(inp.top, float(inp.qty), [])
    promised = top.day
    wanted = inp.wanted_day
    met = None if wanted is None else promised <= wanted
    builder = _Builder(search)
    steps: list[Step] = []
    builder.mark_critical(top, "1", steps)
    root = builder.build(top, "1", promised, wanted if met else None)
    nodes = _walk(root)
    orders = sorted(
        (n.order for n in nodes if n.order is not None),
        key=lambda o: (o.start_by, [int(p) for p in o.position.split(".")]),
    )
    merged: dict[tuple[str, int, str], float] = {}
    for n in nodes:
        for use in n.lots:
            lot_key = (use.item, use.day, use.ref)
            merged[lot_key] = merged.get(lot_key, 0.0) + use.qty
    atp = [
        LotUse(item, ref, day, round(qty, 6)) for (item, day, ref), qty in sorted(merged.items())
    ]
    return PromiseResult(
        day=promised,
        planning_day=search.pd,
        wanted_day=wanted,
        met=met,
        root=root,
        critical_path=tuple(steps),
        orders=tuple(orders),
        atp=tuple(atp),
    )
