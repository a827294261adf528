"""The dispatch list and the shop floor's start/finish of operations (#15 item 6), on the
welding shop of ``_shop_floor`` (its docstring has the figures by hand), both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from _shop_floor import TODAY, build
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import AuditEntry, ProductionOrder, ProductionStatus
from pegboard.services import dispatch, shop_floor


@pytest.fixture
def shop(session: Session) -> Session:
    return build(session)


def rows(session: Session, wc: str = "WELD") -> list[tuple[str, int, float, date, str, bool]]:
    with session.begin():
        listed = dispatch.dispatch_list(session, wc, today=TODAY)
    return [
        (r.order, r.sequence, r.hours, r.start, r.status, r.material.ready) for r in listed.rows
    ]


def test_the_dispatch_list_runs_in_schedule_order_with_material(shop: Session) -> None:
    assert rows(shop) == [
        ("MO-B", 20, 2.5, date(2026, 12, 2), "waiting", False),
        ("MO-D", 10, 2.0, date(2026, 12, 3), "waiting", True),
        ("MO-A", 20, 4.5, date(2026, 12, 4), "waiting", False),
        ("MO-C", 20, 1.5, date(2026, 12, 10), "waiting", False),
    ]
    with shop.begin():
        listed = dispatch.dispatch_list(shop, "WELD", today=TODAY)
    first = listed.rows[0]
    assert first.material.text == "waiting: TUBE 4 from PO-1/1 on 2026-12-01"
    assert (first.item, first.description, first.due) == (
        "FRAME",
        "weld the FRAME",
        date(2026, 12, 2),
    )
    assert not first.runnable and listed.rows[1].runnable
    assert listed.rows[3].order_status == "planned" and not listed.rows[3].runnable
    # once the tubes are in (a later day), the frames' material is ready
    with shop.begin():
        later = dispatch.dispatch_list(shop, "WELD", today=date(2026, 12, 1))
    assert [r.material.ready for r in later.rows] == [True, True, True, True]


def test_operations_start_and_finish_with_the_hours_worked(shop: Session) -> None:
    started = shop_floor.start_operation(shop, "MO-B", 10, author="olga")
    assert (started.status, started.started_by, started.planned_hours) == ("started", "olga", 2.0)
    with shop.begin():
        assert (
            shop.scalars(
                select(ProductionOrder.status).where(ProductionOrder.number == "MO-B")
            ).one()
            is ProductionStatus.IN_PROGRESS
        )
    done = shop_floor.finish_operation(shop, "MO-B", 10, "2.25", author="olga", note="burr")
    assert (done.status, done.hours_worked, done.finished_by) == ("done", Decimal("2.25"), "olga")
    shop_floor.start_operation(shop, "MO-B", 20, author="piet")
    with shop.begin():
        progress = shop_floor.order_progress(shop, "MO-B")
    assert progress.summary == "1 of 2 operations done; started: 20 WELD"
    assert progress.hours_worked == Decimal("2.25")
    assert progress.planned_hours == 4.5
    assert rows(shop)[0][:5] == ("MO-B", 20, 2.5, date(2026, 12, 2), "started")
    shop_floor.finish_operation(shop, "MO-B", 20, 3, author="piet")
    assert [r[0] for r in rows(shop)] == ["MO-D", "MO-A", "MO-C"]  # finished: off the list
    assert [r[0] for r in rows(shop, "CUT")] == ["MO-A", "MO-C"]
    with shop.begin():
        progress = shop_floor.order_progress(shop, "MO-B")
        actions = shop.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_ref == "MO-B").order_by(AuditEntry.id)
        ).all()
    assert progress.summary == "2 of 2 operations done"
    assert progress.hours_worked == Decimal("5.25")
    assert actions == ["start operation", "finish operation"] * 2


@pytest.mark.parametrize(
    ("act", "error", "message"),
    [
        (
            lambda s: shop_floor.finish_operation(s, "MO-A", 10, 1, author="x"),
            ConflictError,
            "MO-A operation 10 has not started: start it before finishing it",
        ),
        (
            lambda s: shop_floor.start_operation(s, "MO-A", 30, author="x"),
            NotFoundError,
            "MO-A has no operation 30 \\(its operations: 10, 20\\)",
        ),
        (
            lambda s: shop_floor.start_operation(s, "MO-C", 10, author="x"),
            ConflictError,
            "MO-C is planned: its operations cannot start; release it first",
        ),
        (
            lambda s: shop_floor.start_operation(s, "MO-Z", 10, author="x"),
            NotFoundError,
            "no production order 'MO-Z'",
        ),
        (
            lambda s: shop_floor.finish_operation(s, "MO-A", 10, "-1", author="x"),
            ValidationError,
            "hours worked must be a number >= 0, not -1",
        ),
        (
            lambda s: shop_floor.finish_operation(s, "MO-A", 10, "1.234", author="x"),
            ValidationError,
            "more than two decimals",
        ),
        (
            lambda s: shop_floor.finish_operation(s, "MO-A", 10, "lots", author="x"),
            ValidationError,
            "hours worked must be a number, not 'lots'",
        ),
        (
            lambda s: dispatch.dispatch_list(s, "PAINT", today=TODAY),
            NotFoundError,
            "no work center 'PAINT' \\(known: CUT, WELD\\)",
        ),
    ],
)
def test_bad_shop_floor_input_is_refused_clearly(
    shop: Session, act: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        act(shop)  # type: ignore[operator]
    shop.rollback()  # a refused read leaves its own transaction open
    with shop.begin():
        assert (
            shop.scalars(select(AuditEntry.action).where(AuditEntry.entity_ref == "MO-A")).all()
            == []
        )


def test_an_operation_starts_and_finishes_once(shop: Session) -> None:
    shop_floor.start_operation(shop, "MO-A", 10, author="olga")
    with pytest.raises(ConflictError, match=r"MO-A operation 10 was started already \(by olga"):
        shop_floor.start_operation(shop, "MO-A", 10, author="piet")
    shop_floor.finish_operation(shop, "MO-A", 10, "0", author="olga")
    with pytest.raises(ConflictError, match=r"was finished already \(by olga, 0\.00 h\)"):
        shop_floor.finish_operation(shop, "MO-A", 10, "1", author="olga")


def test_with_a_finite_schedule_the_list_follows_it(shop: Session) -> None:
    """Scheduled forward at finite capacity, the brackets (their bolts in stock) weld
    first, on 2026-11-23; the frames wait for their tubes (Tue 2026-12-01): CUT that day
    2 + 3 + 1.5 h, then WELD MO-B 2.5 h and MO-A 4.5 h (released first), leaving 1 h of
    the 8 for the planned MO-C's 1.5 h, which ends on Wed 2026-12-02."""
    from pegboard.services.schedule_run import run_schedule

    run_schedule(shop, author="planner")
    with shop.begin():
        listed = dispatch.dispatch_list(shop, "WELD", today=TODAY)
    assert listed.order_source == "finite schedule"
    tue, wed = date(2026, 12, 1), date(2026, 12, 2)
    assert [(r.order, r.sequence, r.start, r.end) for r in listed.rows] == [
        ("MO-D", 10, TODAY, TODAY),
        ("MO-B", 20, tue, tue),
        ("MO-A", 20, tue, tue),
        ("MO-C", 20, tue, wed),
    ]
