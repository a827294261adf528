"""What the current plan's planned parent orders need of one item, summed per release day.

A common fastener is needed by a hundred thousand planned orders (117,000 pegging rows
for the full-size generated company's most-used one): joining them to their parents'
release dates takes 100-150 ms on SQLite however the query is written, the better part
of the item page. So the sums are kept in process once read, for as long as the plan
stays as it was when they were read.

What changes them: a new plan run (another run id and start), and a firm, which re-pegs
the firmed parent's rows to its production order and takes the order out of the run's
release counts (``firming.carry_into_plan``). The key is the database's URL, the run,
a digest of those counts (which only ever go down) and the load's revision
(``plan_inputs.LOAD``: its number, its last change in words and when it was committed).
The counts alone only name a state while a database has one unbroken history: firming
PL-A in one and PL-B (same type, same release day) in another gives the same digest,
and a copy of the database put back under the same URL (a scenario made again from
live, a restored backup) has the same run. Every committed firm of a make order, and
every committed change to the production orders, raises the load's revision with its
own time, so two histories, or a firm rolled back and another committed, never share a
key. A run stored without release counts is read every time.

Only a reader whose transaction has written nothing, flushed or not
(``cost_inputs.WROTE``), may reuse (the page and the API's read): a firm checked and
rolled back (``firm_pin``) flushes its rows before it reads, and would otherwise leave
sums of a state that never was.

Reuse follows the plan's pegging as the plan run and its firms left it, not the item's
current supplies. A fresh read finds the pegging rows through the item's supplies as
they are now (``plan_results.item_supply_refs``): a supply removed without a firm drops
the parents' needs pegged to it from a fresh read (the board's checks). A production
order deleted raises the load's revision, so reuse sees that too; a stock location
emptied of its balance rows does not, and a reused read keeps those needs until the
next plan or firm. A firmed buy order's rows name its new purchase line, another of the
same item's supplies: the sums are the same, and its firm (which raises no load
revision) needs no other key.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.model import Pegging, PlannedOrder, PlanRun
from pegboard.services import plan_inputs
from pegboard.services.cost_inputs import WROTE
from pegboard.services.plan_results import item_supply_refs

DayNeed = tuple[date, float, str, int]
"""A release day, what the parents releasing that day need, the first of them (by
number) and how many they are."""

_CHUNK = 5_000
"""Supply refs per IN list: well under every database's bind-parameter limit."""

_State = tuple[str, int, str, str, str, int, str, str]
"""The database, the run (id, start, finish), its release counts' digest and the load's
revision (number, change, when)."""

_KEPT: dict[tuple[str, int, str, str, str, int, str, str, int], list[DayNeed]] = {}
_KEPT_LIMIT = 256
"""Items whose needs are kept (a few hundred day rows each); all let go when full."""


def parent_needs(
    session: Session, item_id: int, run: PlanRun, *, reuse: bool = False
) -> list[DayNeed]:
    """The planned parents' needs of the item per release day (their pegging rows to the
    item's supplies), read once per plan state when ``reuse`` (see the module docstring);
    ``reuse`` only from a transaction that has written nothing."""
    state = _state(session, run) if reuse else None
    if state is None:
        return _read(session, item_id, run.id)
    key = (*state, item_id)
    kept = _KEPT.get(key)
    if kept is None:
        kept = _read(session, item_id, run.id)
        if len(_KEPT) >= _KEPT_LIMIT:
            _KEPT.clear()
        _KEPT[key] = kept
    return list(kept)


def _state(session: Session, run: PlanRun) -> _State | None:
    """The database state the sums are kept under (see the module docstring); None when
    the run has no release counts or this transaction has written (flushed or not)."""
    release = (run.counts or {}).get("release")
    if not isinstance(release, dict) or _written(session):
        return None
    digest = hashlib.blake2b(
        json.dumps(release, sort_keys=True).encode(), digest_size=16
    ).hexdigest()
    url = str(session.get_bind().engine.url)
    load = plan_inputs.current(session)[plan_inputs.LOAD]
    return (
        url,
        run.id,
        run.started_at.isoformat(),
        str(run.finished_at),
        digest,
        load.revision,
        load.change or "",
        str(load.changed_at),
    )


def _written(session: Session) -> bool:
    """Whether this transaction has written: rows flushed or write statements run
    (``cost_inputs.WROTE``, set by the write listener), or rows not flushed yet."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def _read(session: Session, item_id: int, run_id: int) -> list[DayNeed]:
    """Summed per release day in the database: a person reads them per day ("PL-000069
    and 1,312 more"), not one by one. The pegging rows are found through the item's own
    supplies (index on supply ref and item)."""
    supplies = item_supply_refs(session, item_id, run_id)
    out: list[DayNeed] = []
    for chunk in range(0, len(supplies), _CHUNK):
        needs = session.execute(
            select(
                PlannedOrder.release_date,
                func.sum(Pegging.qty),
                func.min(PlannedOrder.number),
                func.count(func.distinct(PlannedOrder.number)),
            )
            .join(PlannedOrder, PlannedOrder.number == Pegging.demand_ref)
            .where(
                Pegging.supply_ref.in_(supplies[chunk : chunk + _CHUNK]),
                Pegging.item_id == item_id,
                Pegging.plan_run_id == run_id,
                Pegging.demand_type == "planned_order",
                # the plan tables hold the current run only; the parent's run is not
                # asked, so its index answers without reading the row
                PlannedOrder.firmed_as.is_(None),
            )
            .group_by(PlannedOrder.release_date)
        ).all()
        out += [(day, float(qty), first, int(count)) for day, qty, first, count in needs]
    return out
