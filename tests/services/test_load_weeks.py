"""services.load_weeks: the capacity page's kept weeks are the whole load's (the same
hours, the same orders counted, the orders asking most named), a page holds the same
numbers for the work centers it shows, most overloaded first, filtered and windowed; a
change to what the load reads works the weeks out again. Both databases."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import WorkCenter
from pegboard.model.capacity import LoadSummary
from pegboard.services import capacity, company_data, planning
from pegboard.services.load import capacity_load
from pegboard.services.load_weeks import TOP, current_summary, load_page, week_rows

TODAY = date(2026, 11, 23)


def _sample(session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    planning.run_plan(session, author="test")


def _whole_weeks(session: Session) -> dict[tuple[str, date], tuple[float, float, tuple[str, ...]]]:
    return {
        (p.work_center, p.start): (p.required, p.available, p.orders)
        for p in capacity_load(session).weeks
    }


def _order_hours(session: Session) -> dict[tuple[str, date, str], float]:
    """Each order's hours per work center and ISO week, from the whole load's days (an
    order's hours of a day: its operations' on that work center, spread as placed)."""
    placed = capacity_load(session).placed
    out: dict[tuple[str, date, str], float] = defaultdict(float)
    load = placed.load
    users, used, cut = load.users.tolist(), load.used.tolist(), load.cut.tolist()
    for i, (wc, day) in enumerate(load.rows):
        monday = date.fromordinal(day - (day - 1) % 7)
        for k, hours in zip(users[cut[i] : cut[i + 1]], used[cut[i] : cut[i + 1]], strict=True):
            label = placed.labels[int(placed.ops.order[k])]
            out[(placed.codes[wc], monday, label)] += hours
    return out


def test_the_kept_weeks_are_the_whole_loads(session: Session) -> None:
    _sample(session)
    whole = _whole_weeks(session)
    share = _order_hours(session)
    codes = dict(session.execute(select(WorkCenter.id, WorkCenter.code)).all())
    rows = week_rows(session)
    assert {(codes[r.work_center_id], r.monday) for r in rows} == set(whole)
    named_more = 0
    for r in rows:
        required, available, orders = whole[(codes[r.work_center_id], r.monday)]
        assert (r.required, r.available, r.orders) == (required, available, len(orders))
        # the orders asking most, most first (ties by label), with their hours of the week
        mine = sorted(
            ((-share[(codes[r.work_center_id], r.monday, o)], o) for o in orders),
        )[:TOP]
        assert [name for name, _ in r.top] == [o for _, o in mine]
        for (name, hours), (minus, _o) in zip(r.top, mine, strict=True):
            assert abs(float(hours) + minus) < 1e-6, name
        named_more += r.orders > TOP
    assert named_more  # the sample has weeks of more orders than are named


def test_a_page_shows_the_whole_loads_numbers_overloaded_first(session: Session) -> None:
    _sample(session)
    whole = _whole_weeks(session)
    start = date(2026, 11, 23)
    page = load_page(session, today=TODAY, start=start, weeks=8, per_page=2)
    assert (page.start, page.weeks, page.page, page.pages, page.matching) == (start, 8, 1, 3, 6)
    over = {
        code: sum(
            max(0.0, r - a)
            for (c, monday), (r, a, _o) in whole.items()
            if c == code and start <= monday < start + timedelta(weeks=8) and r > a + 1e-6
        )
        for code in {c for c, _ in whole}
    }
    first = page.centers[0]
    assert first.code == "POWDER" and first.over_hours == max(over.values()) > 0
    every = [
        c for n in (1, 2, 3) for c in load_page(session, today=TODAY, start=start, weeks=8,
                                                 per_page=2, page=n).centers
    ]  # fmt: skip
    assert len({c.code for c in every}) == 6
    ranked = [(-round(c.over_hours, 6), -(c.peak_percent or 0.0), c.code) for c in every]
    assert ranked == sorted(ranked)  # most hours over, then the fullest week, then code
    for c in every:
        assert len(c.weeks) == 8
        for w in c.weeks:
            required, available, orders = whole.get((c.code, w.start), (0.0, None, ()))
            assert (w.required, w.orders) == (required, len(orders))
            if available is not None:
                assert w.available == available
            assert w.more == max(0, len(orders) - TOP)
            assert {o for o, _ in w.top} <= set(orders)


def test_the_filter_and_the_window(session: Session) -> None:
    _sample(session)
    found = load_page(session, today=TODAY, search="powder")  # the description or code
    assert [c.code for c in found.centers] == ["POWDER"] and found.matching == 1
    assert found.total == 6
    over = load_page(session, today=TODAY, start=date(2026, 11, 23), overloaded_only=True)
    assert [c.code for c in over.centers] == ["POWDER"]
    nothing = load_page(session, today=TODAY, start=date(2031, 1, 6), overloaded_only=True)
    assert nothing.centers == [] and nothing.matching == 0
    late = load_page(session, today=TODAY, start=date(2026, 11, 25), weeks=3)
    assert late.start == date(2026, 11, 23)  # the window starts on the Monday
    assert [w.label for w in late.centers[0].weeks] == ["2026-W48", "2026-W49", "2026-W50"]
    # by default this week, or the last loaded weeks when nothing loads from it on
    assert load_page(session, today=TODAY).start == TODAY
    far = load_page(session, today=date(2031, 1, 8), weeks=4)
    assert far.last is not None and far.start == far.last - timedelta(weeks=3)


def test_a_change_works_the_weeks_out_again(session: Session) -> None:
    _sample(session)
    start = date(2026, 11, 23)
    before = load_page(session, today=TODAY, start=start, search="POWDER").centers[0]
    kept = current_summary(session).id
    assert current_summary(session).id == kept  # nothing changed: the same kept weeks
    capacity.save_work_center(session, code="POWDER", units=4, author="ann")
    after = load_page(session, today=TODAY, start=start, search="POWDER").centers[0]
    assert current_summary(session).id != kept
    assert sum(w.available for w in after.weeks) > sum(w.available for w in before.weeks)
    assert after.over_hours < before.over_hours
    # the one before stays (a page may be reading it), older ones go
    assert session.scalar(select(func.count()).select_from(LoadSummary)) == 2
    assert (after.weeks[0].required, after.weeks[0].available) == next(
        (p.required, p.available)
        for p in capacity_load(session, work_center="POWDER").weeks
        if p.start == start
    )
    capacity.save_work_center(session, code="POWDER", units=5, author="ann")
    load_page(session, today=TODAY, start=start, search="POWDER")
    assert kept not in session.scalars(select(LoadSummary.id)).all()  # two changes ago
    assert session.scalar(select(func.count()).select_from(LoadSummary)) == 2
