"""Promise keeps the master schedule's planning time fence as the plan does (issue #17
item 3, the rule of #13: promise agrees with the plan), on both databases.

The basic company plans from Tuesday 2026-11-24 and works every day; a fence of 28
days ends on F = 2026-12-22, the first day beyond it. MO-1 is cancelled, so SUB's only
supply is its schedule: a line in W50 (2026-12-07, inside the fence) and 2 in 2027-W02
(2027-01-11, beyond it and beyond the reach of rule 6 from F: the plan would pull a
line due by F + 7 in rather than order anew, and so would promise). SO-2's three FA
(due 12-20) take 3 SUB on 12-18.

A quote for FA (made in 2 days of 1 SUB and 2.1 C1; C1 in stock, SUB made in 3 days
of C2 the plan leaves free on PO-1 since 12-01):

* W50 of 2, all of it SO-2's: no SUB is free inside the fence, and a new SUB completes
  no sooner than F: FA × 1 can be complete on F + 2 = 12-24 (the W02 line is later).
  Entered for that date and planned, the plan projects it on 12-24 too. Without the
  fence a new SUB is made from 12-01 to 12-04, and FA is done on 12-06.
* W50 of 4: SO-2 leaves 1 free inside the fence, which the quote takes: FA × 1 on
  12-07 + 2 = 12-09; FA × 2 needs a second, new SUB: F + 2 = 12-24.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from _clock import pin_today
from pegboard.bundle.importer import read_bundle
from pegboard.model import CompanySetting, PlanLine
from pegboard.services import mps, sales
from pegboard.services import promise as sp
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan
from pegboard.services.production import cancel_production

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
TODAY = date(2026, 11, 23)  # the basic company plans from Tuesday 2026-11-24
FENCE_END = date(2026, 12, 22)  # F: planning date + 28 days, a working day
FENCE_NOTE = "no new SUB inside the master schedule's time fence (until 2026-12-22)"


def _plan(session: Session, fence: int, w50: int = 2) -> None:
    replace_company(session, read_bundle(BASIC), author="t")
    with session.begin():
        session.add(CompanySetting(key=mps.FENCE_KEY, value=str(fence)))
    cancel_production(session, "MO-1", author="t")
    mps.set_mps_item(session, "SUB", True, author="t")
    mps.set_mps(session, "SUB", date(2026, 12, 7), w50, author="t", force=True)
    mps.set_mps(session, "SUB", date(2027, 1, 11), 2, author="t", force=True)
    run_plan(session, author="t")


def _projected(session: Session, number: str) -> date | None:
    with session.begin():
        return session.scalar(
            select(PlanLine.projected_date).where(PlanLine.demand_ref == f"{number}/1")
        )


@pin_today(TODAY)
def test_promise_makes_no_new_sub_inside_the_fence(session: Session) -> None:
    _plan(session, fence=28)
    quote = sp.promise(session, "FA", 1)
    assert quote.promised == date(2026, 12, 24)  # F + FA's 2 days
    assert [(s.position, s.item, s.date, s.reason) for s in quote.critical_path] == [
        ("1", "FA", date(2026, 12, 24), "make: lead time 2 d after components"),
        ("1.1", "SUB", FENCE_END, FENCE_NOTE),
    ]
    sub = next(o for o in quote.orders if o.item == "SUB")
    assert (sub.qty, sub.earliest_completion, sub.critical) == (1.0, FENCE_END, True)
    # nothing of SUB's schedule is free inside the fence (W50 is SO-2's), W02 is later
    assert [u for u in quote.atp if u.item == "SUB"] == []
    # the same quote entered as an order for that date and planned: the plan agrees
    sales.create_customer(session, code="NEW", author="sales")
    entered, number = sp.reserve(session, "FA", 1, customer="NEW", author="sales")
    assert entered.promised == quote.promised
    run_plan(session, author="t")
    assert _projected(session, number) == date(2026, 12, 24)


@pin_today(TODAY)
def test_without_the_fence_promise_makes_sub_at_once(session: Session) -> None:
    _plan(session, fence=0)
    quote = sp.promise(session, "FA", 1)
    # SUB from C2 free on PO-1 since 12-01: made 12-01 .. 12-04, FA 12-06
    assert quote.promised == date(2026, 12, 6)
    sub = next(o for o in quote.orders if o.item == "SUB")
    assert (sub.earliest_start, sub.earliest_completion) == (date(2026, 12, 1), date(2026, 12, 4))
    assert all("time fence" not in s.reason for s in quote.critical_path)


@pin_today(TODAY)
def test_free_schedule_inside_the_fence_is_promised(session: Session) -> None:
    _plan(session, fence=28, w50=4)
    one = sp.promise(session, "FA", 1)
    assert one.promised == date(2026, 12, 9)  # the W50 line's free SUB + FA's 2 days
    assert [(u.item, u.source, u.date, u.qty) for u in one.atp if u.item == "SUB"] == [
        ("SUB", "MPS-SUB-2026-W50", date(2026, 12, 7), 1.0)
    ]
    assert [o.item for o in one.orders] == ["FA"]
    two = sp.promise(session, "FA", 2)
    assert two.promised == date(2026, 12, 24)  # the second SUB is new: F + 2
    sub = next(o for o in two.orders if o.item == "SUB")
    assert (sub.qty, sub.earliest_completion) == (1.0, FENCE_END)
