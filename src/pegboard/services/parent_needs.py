"""What the current plan's planned parent orders need of one item, summed per release day.

A common fastener is needed by a hundred thousand planned orders (117,000 pegging rows
for the full-size generated company's most-used one): joining them to their parents'
release dates takes 100-150 ms on SQLite however the query is written, the better part
of the item page. So the sums are kept in process once read, for as long as the plan
stays as it was when they were read.

What changes them: a new plan run (another run id and start), and a firm, which re-pegs
the firmed parent's rows to its production order and takes the order out of the run's
release counts (``firming.carry_into_plan``). Those counts, per type and release day, only
ever go down, so their digest names each state of the run once: a firm since the sums
were read gives another key, never the old sums. A run stored without release counts is
read every time. Only a reader whose transaction has written nothing may reuse (the page
and the API's read): a firm checked and rolled back (``firm_pin``) would otherwise leave
sums of a state that never was, under a key a later firm can reach.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.model import Pegging, PlannedOrder, PlanRun
from pegboard.services.plan_results import item_supply_refs

DayNeed = tuple[date, float, str, int]
"""A release day, what the parents releasing that day need, the first of them (by
number) and how many they are."""

_CHUNK = 5_000
"""Supply refs per IN list: well under every database's bind-parameter limit."""

_KEPT: dict[tuple[str, int, str, str, str, int], list[DayNeed]] = {}
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


def _state(session: Session, run: PlanRun) -> tuple[str, int, str, str, str] | None:
    """The database, the run and a digest of its release counts; None when it has none."""
    release = (run.counts or {}).get("release")
    if not isinstance(release, dict) or session.new or session.dirty or session.deleted:
        return None
    digest = hashlib.blake2b(
        json.dumps(release, sort_keys=True).encode(), digest_size=16
    ).hexdigest()
    url = str(session.get_bind().engine.url)
    return (url, run.id, run.started_at.isoformat(), str(run.finished_at), digest)


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
