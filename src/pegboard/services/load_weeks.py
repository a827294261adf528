"""The capacity page's load: a few work centers' weeks at a time, overloaded first.

Drawing every work center's every week with every order (as the page did) is what
a small shop's page did; on a full-size company (200 work centers, 729,000 operations)
it was 9 s of CPU and 56 MB of HTML nobody could read. A planner wants the work
centers in trouble first, a window of weeks to page through, and per bar the few
orders that weigh most, with the rest one click away (the work center's page for that
week).

Which work centers are in trouble depends on every order, so the backward load is
worked out whole, once, and its weeks kept (``LoadSummary``/``LoadWeek``): each work
center's loaded weeks with the hours asked and had, how many orders ask them and the
``TOP`` that ask most. The summary holds while what the load reads is unchanged: the
current plan run and the load's revision (``plan_inputs.LOAD``, raised on every
committed change to open production orders, routings, work centers and the calendar,
not by a stock move or a sales order line, which the load never reads). The plan job
works it out as it ends (``refresh``), so the first view after a plan reads it; a view
after a change to the load's inputs works it out again, every other view reads only the
rows of the work centers and weeks it shows. Its numbers are the whole load's
(``tests/services/test_load_weeks.py`` holds them equal on both databases).
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.model import WorkCenter
from pegboard.model.capacity import LoadSummary, LoadWeek
from pegboard.services import load, plan_inputs
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services._gc import collector_paused
from pegboard.services._tx import writes
from pegboard.services.bounds import check_day
from pegboard.services.plan_results import current_run

TOP = 3
"""Orders named per week: the ones asking most hours of it."""
PER_PAGE = 12
MAX_PER_PAGE = 50
DEFAULT_WEEKS = 12
MAX_WEEKS = 26
EPS = load.EPS


@dataclass(frozen=True)
class _Key:
    """What the load reads is unchanged while ``run_id`` (the current plan run: its
    planned orders) and ``load`` (``plan_inputs.LOAD``) are; the plan and capacity
    revisions are kept beside them for the record."""

    run_id: int | None
    load: int
    inputs: int
    capacity: int


def _key(session: Session) -> _Key:
    run = current_run(session)
    now = plan_inputs.current(session)
    return _Key(
        run.id if run is not None else None,
        now[plan_inputs.LOAD].revision,
        now[plan_inputs.PLAN].revision,
        now[plan_inputs.CAPACITY].revision,
    )


def _summary_of(session: Session, key: _Key) -> LoadSummary | None:
    return session.scalars(
        select(LoadSummary)
        .where(
            LoadSummary.plan_run_id.is_(None)
            if key.run_id is None
            else LoadSummary.plan_run_id == key.run_id,
            LoadSummary.load_revision == key.load,
        )
        .order_by(LoadSummary.id.desc())
        .limit(1)
    ).first()


def kept_summary(session: Session, key: _Key | None = None) -> LoadSummary | None:
    """The kept summary when it is the load's as it is now (a view reads it, no work);
    None when the next view must work it out. ``key``: the load's as read already."""
    return _summary_of(session, key if key is not None else _key(session))


def current_summary(session: Session) -> LoadSummary:
    """The summary of the load as it is now: the one kept, or worked out and kept (the
    view after a change to what the load reads; it writes the summary as it ends)."""
    key = _key(session)
    found = kept_summary(session, key)
    if found is not None:
        return found
    started = time.process_time()
    rows = week_rows(session)
    return _store(session, key, rows, time.process_time() - started)


def refresh(session: Session) -> LoadSummary:
    """Work the summary out now unless the kept one is current: the plan job's last step,
    after the plan is committed, so the first capacity view after a plan reads it."""
    summary = current_summary(session)
    session.commit()
    return summary


@dataclass(frozen=True)
class WeekRow:
    """One loaded week of one work center, as kept."""

    work_center_id: int
    monday: date
    required: float
    available: float
    orders: int
    top: list[list[str | float]]


def week_rows(session: Session) -> list[WeekRow]:
    """The whole backward load's weeks (``load.capacity_load``'s, the same sums), each
    with its count of orders and the ``TOP`` asking most, in key order."""
    with collector_paused():
        placed = load.placed_load(session)
    wcs, ids, labels, ops, got = placed
    if not got.rows:
        return []
    m = len(got.rows)
    wc = np.fromiter((k[0] for k in got.rows), np.int64, count=m)
    day = np.fromiter((k[1] for k in got.rows), np.int64, count=m)
    hours = np.fromiter(got.rows.values(), np.float64, count=m)
    order = np.lexsort((day, wc))  # within a week, its days in date order: the load's sums
    wc, day, hours = wc[order], day[order], hours[order]
    monday = day - (day - 1) % 7
    new = np.ones(m, dtype=bool)
    new[1:] = (wc[1:] != wc[:-1]) | (monday[1:] != monday[:-1])
    week = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    required = np.bincount(week, weights=hours, minlength=len(first))
    at, mondays = wc[first], monday[first]
    table_first = int(mondays.min())
    table = load.hours_had(
        wcs, date.fromordinal(table_first), date.fromordinal(int(mondays.max()) + 6)
    )
    available = np.zeros(len(first), dtype=np.float64)
    for i in range(7):
        available += table[at, mondays - table_first + i]
    # each user's share: the week (group) of its row, its order and its hours
    place = np.empty(m, dtype=np.int64)
    place[order] = week
    group = np.repeat(place, np.diff(got.cut))
    counts, tops = _top_orders(group, ops.order[got.users], got.used, labels, len(first))
    return [
        WeekRow(ids[w], date.fromordinal(d), r, a, c, t)
        for w, d, r, a, c, t in zip(
            at.tolist(),
            mondays.tolist(),
            required.tolist(),
            available.tolist(),
            counts,
            tops,
            strict=True,
        )
    ]


def _top_orders(
    group: npt.NDArray[np.int64],
    order: npt.NDArray[np.int64],
    used: npt.NDArray[np.float64],
    labels: list[str],
    n: int,
) -> tuple[list[int], list[list[list[str | float]]]]:
    """Per group 0 … n - 1: how many distinct orders use it, and the ``TOP`` using most
    hours of it (ties by label) as [label, hours]."""
    names, rank = load.label_ids(labels)
    width = max(len(names), 1)
    pair, inverse = load.distinct(group * width + rank[order])
    hours = np.bincount(inverse, weights=used, minlength=len(pair)).astype(np.float64)
    of, label = pair // width, pair % width
    counts = np.bincount(of, minlength=n)
    picked = _most(of, hours, counts)
    text = [names[k] for k in label[picked].tolist()]
    rounded = [round(h, 6) for h in hours[picked].tolist()]
    bounds = np.cumsum(np.minimum(counts, TOP)).tolist()
    tops: list[list[list[str | float]]] = [
        [[text[i], rounded[i]] for i in range(lo, hi)]
        for lo, hi in itertools.pairwise([0, *bounds])
    ]
    return counts.tolist(), tops


def _most(
    of: npt.NDArray[np.int64], hours: npt.NDArray[np.float64], counts: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The pairs (given sorted by group, then label) that are their group's ``TOP`` most
    hours, group after group, most first, the first in label order among equal hours:
    ``TOP`` rounds of taking each group's largest left, instead of sorting a full-size
    load's 800,000 pairs by hours to keep 20,000 of them."""
    held = counts[counts > 0]
    starts = np.cumsum(held) - held
    slot = np.repeat(np.arange(len(held)), held)  # each pair's group among those held
    left = hours.astype(np.float64, copy=True)
    taken_slot, taken_round, taken = [], [], []
    for k in range(min(TOP, int(held.max(initial=0)))):
        best = np.maximum.reduceat(left, starts)
        at = np.flatnonzero((left == best[slot]) & (left > -np.inf))
        first = np.ones(len(at), dtype=bool)
        first[1:] = slot[at][1:] != slot[at][:-1]
        at = at[first]
        left[at] = -np.inf
        taken_slot.append(slot[at])
        taken_round.append(np.full(len(at), k, dtype=np.int64))
        taken.append(at)
    if not taken:
        return np.empty(0, dtype=np.int64)
    picked = np.concatenate(taken)
    return picked[np.lexsort((np.concatenate(taken_round), np.concatenate(taken_slot)))]


@writes
def _store(session: Session, key: _Key, rows: list[WeekRow], cpu: float) -> LoadSummary:
    """Keep the summary worked out at ``key`` (read before the load, so a change committed
    meanwhile leaves it out of date, never wrongly current) and drop older ones."""
    summary = LoadSummary(
        plan_run_id=key.run_id,
        inputs_revision=key.inputs,
        capacity_revision=key.capacity,
        load_revision=key.load,
        computed_at=clock.now(),
        cpu_seconds=round(cpu, 3),
    )
    session.add(summary)
    session.flush()
    if rows:
        # as columns through the bulk path (one executemany, or COPY), ``top`` as the
        # JSON text the column's type would write: the ORM's insert of a dict per week
        # took twice as long for a full-size company's 6,500 weeks
        ordered = sorted(rows, key=lambda r: (r.work_center_id, r.monday))
        bulk_insert_columns(
            session.connection(),
            LoadWeek,
            {
                "work_center_id": [r.work_center_id for r in ordered],
                "monday": [r.monday for r in ordered],
                "required": [r.required for r in ordered],
                "available": [r.available for r in ordered],
                "orders": [r.orders for r in ordered],
                "top": [json.dumps(r.top) for r in ordered],
            },
            same={"summary_id": summary.id},
        )
    # the summary before this one stays, so that a page being read from it while this
    # one was stored still finds its rows; older ones go
    previous = session.scalar(select(func.max(LoadSummary.id)).where(LoadSummary.id < summary.id))
    if previous is not None:
        session.execute(delete(LoadWeek).where(LoadWeek.summary_id < previous))
        session.execute(delete(LoadSummary).where(LoadSummary.id < previous))
    return summary


# --- one page of the capacity page -------------------------------------------------------


@dataclass(frozen=True)
class Week(load.HoursAgainstCapacity):
    start: date
    """The Monday."""
    label: str
    """2027-W02."""
    required: float
    available: float
    orders: int
    top: tuple[tuple[str, float], ...]
    """The orders asking most of the week (at most ``TOP``), most hours first."""

    @property
    def more(self) -> int:
        """Orders asking hours of the week besides those in ``top``."""
        return self.orders - len(self.top)


@dataclass(frozen=True)
class CenterLoad:
    """One work center's weeks in the window, every week of it (unloaded ones too)."""

    code: str
    description: str
    weeks: list[Week]
    over_hours: float
    """Hours asked past what it has, summed over the window's weeks."""
    peak_percent: float | None
    """The window's fullest week, in percent of its hours."""

    @property
    def overloaded(self) -> int:
        return sum(1 for w in self.weeks if w.over)


@dataclass(frozen=True)
class LoadPage:
    centers: list[CenterLoad]
    start: date
    """The Monday the window starts."""
    weeks: int
    page: int
    pages: int
    matching: int
    """Work centers the filter keeps (over all pages)."""
    total: int
    """Work centers of the company."""
    search: str
    overloaded_only: bool
    first: date | None
    last: date | None
    """The first and last week anything loads (to page to)."""
    computed_at: datetime
    offset: int
    """How many work centers come before this page's."""

    @property
    def mondays(self) -> list[date]:
        return [self.start + timedelta(weeks=i) for i in range(self.weeks)]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def load_page(
    session: Session,
    *,
    today: date,
    search: str = "",
    start: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    page: int = 1,
    per_page: int = PER_PAGE,
    overloaded_only: bool = False,
) -> LoadPage:
    """The work centers whose code or description holds ``search``, most hours over
    capacity in the window first (then the fullest week's load %, then code), one page of
    ``per_page``; each with its weeks from ``start``'s Monday (default: this week's, or the
    last loaded weeks when nothing loads from this week on)."""
    summary = current_summary(session)
    weeks = max(1, min(weeks, MAX_WEEKS))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    span = session.execute(
        select(func.min(LoadWeek.monday), func.max(LoadWeek.monday)).where(
            LoadWeek.summary_id == summary.id
        )
    ).one()
    first_week, last_week = span[0], span[1]
    if start is not None:
        first = _monday(check_day(start, "from"))
    elif last_week is not None and last_week < _monday(today):
        first = max(first_week or last_week, last_week - timedelta(weeks=weeks - 1))
    else:
        first = _monday(today)
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    ranked = _ranked(session, summary.id, first, last, search.strip(), overloaded_only)
    pages = max(1, -(-len(ranked) // per_page))
    page = max(1, min(page, pages))
    shown = ranked[(page - 1) * per_page : page * per_page]
    return LoadPage(
        _centers(session, summary.id, shown, first, weeks),
        first,
        weeks,
        page,
        pages,
        len(ranked),
        session.scalar(select(func.count()).select_from(WorkCenter)) or 0,
        search.strip(),
        overloaded_only,
        first_week,
        last_week,
        summary.computed_at,
        (page - 1) * per_page,
    )


_Ranked = tuple[int, str, str, float, float | None]
"""(id, code, description, hours over, fullest week's %)."""


def _ranked(
    session: Session, summary_id: int, first: date, last: date, search: str, only_over: bool
) -> list[_Ranked]:
    """The work centers the filter keeps, most overloaded first: their weeks in the
    window summed by the database (a few thousand rows at most), the order worked here."""
    over = case(
        (LoadWeek.required > LoadWeek.available + EPS, LoadWeek.required - LoadWeek.available),
        else_=0.0,
    )
    percent = case(
        (LoadWeek.available > 0, 100.0 * LoadWeek.required / LoadWeek.available), else_=None
    )
    sums = {
        wc_id: (float(o or 0.0), None if p is None else float(p))
        for wc_id, o, p in session.execute(
            select(LoadWeek.work_center_id, func.sum(over), func.max(percent))
            .where(
                LoadWeek.summary_id == summary_id,
                LoadWeek.monday >= first,
                LoadWeek.monday <= last,
            )
            .group_by(LoadWeek.work_center_id)
        )
    }
    needle = search.casefold()
    rows: list[_Ranked] = []
    for wc_id, code, description in session.execute(
        select(WorkCenter.id, WorkCenter.code, WorkCenter.description)
    ):
        if needle and needle not in code.casefold() and needle not in description.casefold():
            continue
        hours, pct = sums.get(wc_id, (0.0, None))
        if only_over and hours <= EPS:
            continue
        rows.append((wc_id, code, description, hours, pct))
    rows.sort(key=lambda r: (-round(r[3], 6), -(r[4] or 0.0), r[1]))
    return rows


def _centers(
    session: Session, summary_id: int, shown: list[_Ranked], first: date, weeks: int
) -> list[CenterLoad]:
    """The shown work centers' weeks: their kept rows in the window, and what each has in
    the weeks nothing loads (worked out from its hours and the calendars)."""
    if not shown:
        return []
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    ids = [r[0] for r in shown]
    kept: dict[tuple[int, date], LoadWeek] = {
        (w.work_center_id, w.monday): w
        for w in session.scalars(
            select(LoadWeek).where(
                and_(
                    LoadWeek.summary_id == summary_id,
                    LoadWeek.work_center_id.in_(ids),
                    LoadWeek.monday >= first,
                    LoadWeek.monday <= last,
                )
            )
        )
    }
    wcs, position = load.work_centers(session)
    table = load.hours_had(wcs, first, last)
    out = []
    for wc_id, code, description, hours, pct in shown:
        k = position[wc_id]
        row = []
        for i in range(weeks):
            monday = first + timedelta(weeks=i)
            got = kept.get((wc_id, monday))
            if got is None:
                has = float(sum(table[k, 7 * i + d] for d in range(7)))
                row.append(Week(monday, _label(monday), 0.0, has, 0, ()))
                continue
            top = tuple((str(name), float(h)) for name, h in got.top)
            row.append(Week(monday, _label(monday), got.required, got.available, got.orders, top))
        out.append(CenterLoad(code, description, row, hours, pct))
    return out
