"""A work center's window pages its operations (``work_center_gantt``, offset by
``MAX_ROWS``): every operation running in a busy week exactly once over the pages, in
start order, from the backward load and from the finite schedule alike; an offset past
the end shows the last page. Both databases."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from _busy_week import EXTRA, MONDAY, build
from pegboard.services.load import capacity_load
from pegboard.services.work_center_gantt import (
    BACKWARD,
    FINITE,
    MAX_ROWS,
    WorkCenterGantt,
    work_center_gantt,
)

TODAY = MONDAY - timedelta(weeks=2)


def _pages(session: Session, start: date, weeks: int) -> list[WorkCenterGantt]:
    def page(offset: int) -> WorkCenterGantt:
        return work_center_gantt(
            session, "LED-ASM", today=TODAY, start=start, weeks=weeks, offset=offset
        )

    pages = [page(0)]
    while pages[-1].offset + MAX_ROWS < pages[-1].total:
        pages.append(page(pages[-1].offset + MAX_ROWS))
    return pages


def _keys(pages: list[WorkCenterGantt]) -> list[tuple[str, int]]:
    return [(op.order, op.sequence) for page in pages for op in page.operations]


def _check_pages(
    session: Session, source: str, start: date = MONDAY, weeks: int = 1
) -> list[tuple[str, int]]:
    pages = _pages(session, start, weeks)
    total = pages[0].total
    assert total > 2 * MAX_ROWS and len(pages) == -(-total // MAX_ROWS)
    assert all(p.source == source and p.total == total for p in pages)
    assert [len(p.operations) for p in pages[:-1]] == [MAX_ROWS] * (len(pages) - 1)
    keys = _keys(pages)
    assert len(keys) == len(set(keys)) == total  # each exactly once
    ops = [op for p in pages for op in p.operations]
    assert [(o.start, o.end) for o in ops] == sorted((o.start, o.end) for o in ops)
    assert pages[0].hidden == total - MAX_ROWS
    past = work_center_gantt(
        session, "LED-ASM", today=TODAY, start=start, weeks=weeks, offset=10 * total
    )
    assert past.offset == pages[-1].offset and past.operations == pages[-1].operations
    return keys


def test_a_busy_weeks_pages_hold_each_operation_once(session: Session) -> None:
    build(session)
    keys = _check_pages(session, BACKWARD)
    last = MONDAY + timedelta(days=6)
    whole = {
        (op.order, op.sequence)
        for op in capacity_load(session, work_center="LED-ASM").operations
        if op.end >= MONDAY and op.start <= last
    }
    assert set(keys) == whole
    assert sum(1 for order, _ in keys if order.startswith("MO-BUSY-")) == EXTRA


def test_the_finite_schedules_pages_too(session: Session) -> None:
    from pegboard.services.schedule_run import run_schedule

    build(session)
    run_schedule(session, author="test")  # forward from today: the orders' first weeks
    first = work_center_gantt(session, "LED-ASM", today=TODAY).first
    assert first is not None
    keys = _check_pages(session, FINITE, first, 12)
    assert sum(1 for order, _ in keys if order.startswith("MO-BUSY-")) > 2 * MAX_ROWS
