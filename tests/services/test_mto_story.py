"""The make-to-order workflow told as a story, on both databases.

Hartwell Construction, already a customer of the lighting contractor (the
``lighting`` demo bundle), opens a new project: the Riverside Tower roof
terrace. It orders four recessed LED runs ``LR-7040``, each 14.56 m long, black,
DALI-controlled and with a 3 h emergency kit. The planner enters the order,
confirms it and configures the line; the configurator turns the engineering
template (``templates.json``) into order BOMs and production orders dated back
from the due date; the plan sees the order and the exported bundle carries it.
Then the customer changes its mind (no emergency kit), the paint shop releases
the body, the customer wants six runs instead of four, and finally cancels.

Every step is checked against numbers worked out by hand from
``src/pegboard/demo/lighting/templates.json``; every bad input is refused
with the rule named and nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.demo import demo_path
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    AuditEntry,
    Bom,
    BomKind,
    BomLine,
    BomParameter,
    Item,
    ItemType,
    ProductionOrder,
    ProductionStatus,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
    StockBalance,
    StockMove,
    StockMoveKind,
    Strategy,
)
from pegboard.services import audit, order_bom, order_changes, plan_results, sales, templates
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.configurator import ConfigurationError
from pegboard.services.dataset import BomRow, Dataset, ProductionRow
from pegboard.services.order_tree import LineTree, order_tree
from pegboard.services.planning import run_plan

LIGHTING = demo_path("lighting")
TEMPLATES: list[dict[str, Any]] = json.loads(
    (LIGHTING / "templates.json").read_text(encoding="utf-8")
)

TODAY = date(2026, 11, 23)
"""The lighting bundle's planning date: the day the order comes in."""
DUE = TODAY + timedelta(days=42)  # 2027-01-04, as in example_order.json
CUSTOMER = "Hartwell Construction"
PROJECT = "Riverside Tower roof terrace"
NUMBER = "SO-1009"
"""The demo holds SO-1001 … SO-1008, so the new order is the next one."""

RUN = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}

# The order BOMs, worked out by hand from templates.json for RUN:
#
# LR-7040 (BOM-SO-1009-1), per run of 14.56 m:
#   BODY-7040          1                                   configured: its own order BOM
#   SA-LEDMOD-2240     ceil(14.56 / 2.24) = ceil(6.5)    = 7
#   SA-DRVTRAY-40D     control = dali; ceil(14.56 / 2.24) = 7
#   DIF-OPAL-7040      14.56 / 3                         = 4.85333…, 5 % scrap
#   CAP-7040-W         1
#   BRK-MNT-7040       ceil(14.56 / 1.2) + 1 = 13 + 1   = 14
#   SA-EMG-KIT-3H      1, only because emergency == 'yes'
#   PKG-CTN-2500       ceil(14.56 / 2.4) = ceil(6.07)    = 7
# BODY-7040 (BOM-SO-1009-1.1), length and finish passed down:
#   EXT-AL-7040        14.56 / 6                         = 2.42666…, 3 % scrap
#   PWD-RAL9005        finish = black; 14.56 * 0.004     = 0.05824
TOP = f"LR-7040-{NUMBER}-1"
BODY = f"BODY-7040-{NUMBER}-1.1"
TOP_LINES: dict[str, tuple[float, float]] = {  # component -> (qty per run, scrap %)
    BODY: (1.0, 0.0),
    "SA-LEDMOD-2240": (7.0, 0.0),
    "SA-DRVTRAY-40D": (7.0, 0.0),
    "DIF-OPAL-7040": (14.56 / 3, 5.0),
    "CAP-7040-W": (1.0, 0.0),
    "BRK-MNT-7040": (14.0, 0.0),
    "SA-EMG-KIT-3H": (1.0, 0.0),
    "PKG-CTN-2500": (7.0, 0.0),
}
BODY_LINES: dict[str, tuple[float, float]] = {
    "EXT-AL-7040": (14.56 / 6, 3.0),
    "PWD-RAL9005": (14.56 * 0.004, 0.0),
}
# Production orders, dated backward by lead times (LR-7040 and BODY-7040: 3 working days;
# the lighting company works Monday to Friday, New Year's Day and Christmas Day off):
#   MO-1009-1    4 × LR-7040 variant,   due Monday 2027-01-04, start Tuesday 2026-12-29
#                (Thursday 31, Wednesday 30 and Tuesday 29 December: 1 January is a holiday)
#   MO-1009-1.1  4 × BODY-7040 variant, due 2026-12-29 (the parent's start), start Wednesday
#                2026-12-23 (Monday 28, Thursday 24, Wednesday 23: Friday 25 is Christmas Day)
MO_TOP = "MO-1009-1"
MO_BODY = "MO-1009-1.1"


# --------------------------------------------------------------------------- helpers


def counts(session: Session) -> dict[str, int]:
    """Rows per table that configuring, changing or cancelling may write."""
    tables = (
        Item,
        Bom,
        BomLine,
        BomParameter,
        ProductionOrder,
        SalesOrder,
        SalesOrderLine,
        StockBalance,
        StockMove,
        AuditEntry,
    )
    with session.begin():
        return {
            t.__tablename__: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in tables
        }


def tree(session: Session, number: str = NUMBER) -> list[LineTree]:
    with session.begin():
        return order_tree(session, number, today=TODAY)


def bom_lines(session: Session, bom_number: str) -> dict[str, tuple[float, float]]:
    with session.begin():
        rows = session.execute(
            select(Item.code, BomLine.qty_per, BomLine.scrap_pct)
            .join(BomLine, BomLine.component_id == Item.id)
            .join(Bom, Bom.id == BomLine.bom_id)
            .where(Bom.number == bom_number)
        ).all()
    return {code: (qty, scrap) for code, qty, scrap in rows}


def production_orders(session: Session) -> dict[str, ProductionOrder]:
    with session.begin():
        rows = session.scalars(
            select(ProductionOrder).join(SalesOrder).where(SalesOrder.number == NUMBER)
        ).all()
    return {mo.number: mo for mo in rows}


def history(session: Session, ref: str, action: str) -> list[AuditEntry]:
    """Audit entries of ``ref`` with ``action``, oldest first."""
    with session.begin():
        entries = audit.history(session, ref=ref)
    return [e for e in reversed(entries) if e.action == action]


def set_production_status(session: Session, number: str, status: ProductionStatus) -> None:
    """Test setup: the shop floor releases an order (there is no release service yet)."""
    with session.begin():
        session.execute(
            update(ProductionOrder).where(ProductionOrder.number == number).values(status=status)
        )


def reserve(session: Session, item: str, qty: float, *, number: str = NUMBER) -> None:
    """Test setup: ``qty`` of ``item`` in 'main' reserved for the order, with its ledger move."""
    with session.begin():
        item_id = session.scalars(select(Item.id).where(Item.code == item)).one()
        order_id = session.scalars(select(SalesOrder.id).where(SalesOrder.number == number)).one()
        session.add(
            StockBalance(item_id=item_id, location="main", sales_order_id=order_id, qty=qty)
        )
        session.add(
            StockMove(
                item_id=item_id,
                location="main",
                sales_order_id=order_id,
                qty=qty,
                kind=StockMoveKind.RESERVATION,
                reference=f"reserved for {number}",
                author="stores",
            )
        )


def balances(session: Session, item: str) -> dict[str | None, float]:
    """Stock of ``item`` in 'main' per reservation (None: free), from the balance cache."""
    with session.begin():
        rows = session.execute(
            select(SalesOrder.number, StockBalance.qty)
            .select_from(StockBalance)
            .join(Item, Item.id == StockBalance.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
            .where(Item.code == item, StockBalance.location == "main")
        ).all()
    return {so: float(qty) for so, qty in rows}


def ledger(session: Session, item: str) -> dict[str | None, float]:
    """The same, summed from the stock moves: it must always match ``balances``."""
    with session.begin():
        rows = session.execute(
            select(SalesOrder.number, func.sum(StockMove.qty))
            .select_from(StockMove)
            .join(Item, Item.id == StockMove.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockMove.sales_order_id)
            .where(Item.code == item, StockMove.location == "main")
            .group_by(SalesOrder.number)
        ).all()
    return {so: float(qty) for so, qty in rows}


def approx_lines(lines: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    return {k: pytest.approx(v, rel=1e-12) for k, v in lines.items()}


# --------------------------------------------------------------------------- the story


@pytest.fixture
def company(session: Session) -> Session:
    """The lighting contractor's data, without templates yet (engineering defines them below)."""
    data = read_bundle(LIGHTING)
    data.templates = []
    replace_company(session, data, author="import")
    return session


@pytest.fixture
def lighting(company: Session) -> Session:
    """Engineering has defined the configurable products of templates.json."""
    numbers = [templates.define_template(company, d, author="engineering") for d in TEMPLATES]
    assert numbers == ["BOM-BODY-7040", "BOM-LR-7040"]
    return company


def enter_order(session: Session, *, due: date = DUE, qty: float = 4) -> str:
    """Sales opens the project, enters the order with one LR-7040 line and confirms it."""
    sales.create_project(session, customer=CUSTOMER, code=PROJECT, author="sales")
    number = sales.create_order(session, customer=CUSTOMER, project=PROJECT, author="sales")
    line = sales.add_line(session, number, item="LR-7040", qty=qty, due=due, author="sales")
    assert (number, line) == (NUMBER, 1)
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="sales")
    return number


@pytest.fixture
def ordered(lighting: Session) -> Session:
    """The order is confirmed, its line not configured yet."""
    enter_order(lighting)
    return lighting


@pytest.fixture
def configured(ordered: Session) -> Session:
    """The planner has configured the line: 14.56 m, black, DALI, emergency kit."""
    order_bom.configure_line(ordered, NUMBER, 1, RUN, author="planner", today=TODAY)
    return ordered


def test_configuring_creates_variants_order_boms_and_dated_production_orders(
    ordered: Session,
) -> None:
    result = order_bom.configure_line(ordered, NUMBER, 1, RUN, author="planner", today=TODAY)

    # The line now points to its own variant of LR-7040; its body got a variant too.
    assert result.ref == f"{NUMBER}/1"
    assert result.item == TOP
    with ordered.begin():
        variants = {
            code: (kind, strategy, lead)
            for code, kind, strategy, lead in ordered.execute(
                select(Item.code, Item.type, Item.strategy, Item.lead_time_days).where(
                    Item.code.in_([TOP, BODY])
                )
            )
        }
        line_item = ordered.scalar(
            select(Item.code)
            .join(SalesOrderLine, SalesOrderLine.item_id == Item.id)
            .join(SalesOrder)
            .where(SalesOrder.number == NUMBER)
        )
    assert variants == {
        TOP: (ItemType.MAKE, Strategy.MTO, 3),
        BODY: (ItemType.MAKE, Strategy.MTO, 3),
    }
    assert line_item == TOP

    # Order BOMs: numbered after the order and line, with the quantities worked out above.
    assert result.bom is not None
    assert result.bom.number == f"BOM-{NUMBER}-1"
    assert result.bom.item == TOP
    assert result.bom.configuration == {
        "length_m": 14.56,
        "finish": "black",
        "control": "dali",
        "emergency": "yes",
    }
    assert [line.component for line in result.bom.lines] == list(TOP_LINES)
    body = result.bom.lines[0].child
    assert body is not None
    assert body.number == f"BOM-{NUMBER}-1.1"
    assert body.configuration == {"length_m": 14.56, "finish": "black"}
    assert bom_lines(ordered, f"BOM-{NUMBER}-1") == approx_lines(TOP_LINES)
    assert bom_lines(ordered, f"BOM-{NUMBER}-1.1") == approx_lines(BODY_LINES)
    with ordered.begin():
        kinds = {
            number: (kind, line)
            for number, kind, line in ordered.execute(
                select(Bom.number, Bom.kind, SalesOrderLine.line)
                .join(SalesOrder, SalesOrder.id == Bom.sales_order_id)
                .join(SalesOrderLine, SalesOrderLine.id == Bom.sales_order_line_id)
                .where(SalesOrder.number == NUMBER)
            )
        }
    assert kinds == {
        f"BOM-{NUMBER}-1": (BomKind.ORDER, 1),
        f"BOM-{NUMBER}-1.1": (BomKind.ORDER, 1),
    }

    # Production orders: planned, the body's under the run's, dated back by lead times.
    mos = {p.number: p for p in result.production_orders}
    assert list(mos) == [MO_TOP, MO_BODY]
    top, child = mos[MO_TOP], mos[MO_BODY]
    assert (top.item, top.qty, top.status, top.parent, top.bom) == (
        TOP,
        4.0,
        "planned",
        None,
        f"BOM-{NUMBER}-1",
    )
    assert (child.item, child.qty, child.status, child.parent, child.bom) == (
        BODY,
        4.0,
        "planned",
        MO_TOP,
        f"BOM-{NUMBER}-1.1",
    )
    assert (top.due, top.start) == (date(2027, 1, 4), date(2026, 12, 29))
    assert (child.due, child.start) == (date(2026, 12, 29), date(2026, 12, 23))
    assert not top.start_in_past and not child.start_in_past
    assert not top.needs_review and not child.needs_review
    stored = production_orders(ordered)
    assert stored[MO_BODY].parent_id == stored[MO_TOP].id
    assert {mo.status for mo in stored.values()} == {ProductionStatus.PLANNED}

    # order_tree shows the same as configure_line returned.
    assert tree(ordered) == [result]

    # The audit trail has the configuration with the values as entered.
    (entry,) = history(ordered, f"{NUMBER}/1", "configure")
    assert entry.author == "planner"
    assert entry.before is None
    assert entry.after == {
        "product": "LR-7040",
        "values": RUN,
        "bom": f"BOM-{NUMBER}-1",
        "production_orders": [MO_TOP, MO_BODY],
    }


Dated = tuple[date, date, bool]
"""A production order's due date, start date and whether it should have started already."""


@pytest.mark.parametrize(
    ("due", "top", "body"),
    [
        # due Wednesday: the run starts last Friday, the body the Tuesday before: both late
        (
            date(2026, 11, 25),
            (date(2026, 11, 25), date(2026, 11, 20), True),
            (date(2026, 11, 20), date(2026, 11, 17), True),
        ),
        # due next Tuesday: the run starts Thursday, the body today, which is not the past
        (
            date(2026, 12, 1),
            (date(2026, 12, 1), date(2026, 11, 26), False),
            (date(2026, 11, 26), TODAY, False),
        ),
        # due next Monday: the run starts Wednesday; the body should have started on
        # Friday, the last working day
        (
            date(2026, 11, 30),
            (date(2026, 11, 30), date(2026, 11, 25), False),
            (date(2026, 11, 25), date(2026, 11, 20), True),
        ),
        # due on Sunday the 29th: the run is finished on Friday the 27th, so it starts
        # Tuesday, and its body should have started on Thursday the 19th
        (
            date(2026, 11, 29),
            (date(2026, 11, 27), date(2026, 11, 24), False),
            (date(2026, 11, 24), date(2026, 11, 19), True),
        ),
    ],
)
def test_start_in_past_when_the_due_date_is_within_the_lead_times(
    lighting: Session, due: date, top: Dated, body: Dated
) -> None:
    enter_order(lighting, due=due)
    result = order_bom.configure_line(lighting, NUMBER, 1, RUN, author="planner", today=TODAY)
    dated = {p.number: (p.due, p.start, p.start_in_past) for p in result.production_orders}
    assert dated == {MO_TOP: top, MO_BODY: body}


def test_the_plan_and_the_exported_bundle_see_the_configured_order(
    configured: Session, tmp_path: Path
) -> None:
    run_plan(configured, author="planner")
    with configured.begin():
        exceptions = [r for r in plan_results.exception_rows(configured) if r[4] == NUMBER]
        overview = sales.project_overview(configured, CUSTOMER, PROJECT)
    shortages = {item for kind, item, *_ in exceptions if kind == "shortage"}
    # 7 LED module sets per run, 28 in all: far more than the stock of the demo.
    assert "SA-LEDMOD-2240" in shortages
    assert len(overview) == 1
    assert (overview[0].number, overview[0].status, overview[0].due) == (
        NUMBER,
        "confirmed",
        DUE,
    )
    assert overview[0].projected is not None

    with configured.begin():
        exported = read_company(configured)
    expected_bom = {
        BomRow(TOP, component, qty, scrap, NUMBER) for component, (qty, scrap) in TOP_LINES.items()
    } | {
        BomRow(BODY, component, qty, scrap, NUMBER)
        for component, (qty, scrap) in BODY_LINES.items()
    }
    expected_productions = [
        ProductionRow(MO_TOP, TOP, 4.0, DUE, date(2026, 12, 29), "planned", False, NUMBER),
        ProductionRow(
            MO_BODY, BODY, 4.0, date(2026, 12, 29), date(2026, 12, 23), "planned", False, NUMBER
        ),
    ]

    def order_rows(data: Dataset) -> tuple[set[BomRow], list[ProductionRow], list[tuple[Any, ...]]]:
        return (
            {r for r in data.bom if r.sales_order == NUMBER},
            [r for r in data.productions if r.sales_order == NUMBER],
            [
                (r.line, r.customer, r.project, r.item, r.qty, r.due_date)
                for r in data.sales
                if r.sales_order == NUMBER
            ],
        )

    boms, productions, lines = order_rows(exported)
    assert {r.parent for r in boms} == {TOP, BODY}
    assert boms == expected_bom
    assert productions == expected_productions
    assert lines == [(1, CUSTOMER, PROJECT, TOP, 4.0, DUE)]

    # Export, import the bundle, export again: the order's rows survive, and all the rest.
    folder = tmp_path / "bundle"
    write_dataset(exported, folder)
    replace_company(configured, read_bundle(folder), author="import")
    with configured.begin():
        again = read_company(configured)
    assert order_rows(again) == (expected_bom, expected_productions, lines)
    assert again.canonical() == exported.canonical()


def test_reconfiguring_without_the_emergency_kit_rebuilds_the_order_boms(
    configured: Session,
) -> None:
    before = counts(configured)
    result = order_bom.configure_line(
        configured, NUMBER, 1, {**RUN, "emergency": "no"}, author="planner", today=TODAY
    )

    without_kit = {k: v for k, v in TOP_LINES.items() if k != "SA-EMG-KIT-3H"}
    assert result.bom is not None
    assert result.bom.number == f"BOM-{NUMBER}-1"
    assert result.bom.configuration["emergency"] == "no"
    assert bom_lines(configured, f"BOM-{NUMBER}-1") == approx_lines(without_kit)
    assert bom_lines(configured, f"BOM-{NUMBER}-1.1") == approx_lines(BODY_LINES)
    # The production orders are made again, under the same numbers and dates.
    assert [(p.number, p.item, p.qty, p.due, p.status) for p in result.production_orders] == [
        (MO_TOP, TOP, 4.0, DUE, "planned"),
        (MO_BODY, BODY, 4.0, date(2026, 12, 29), "planned"),
    ]
    # Same items, BOMs and orders; one BOM line fewer; one audit entry more.
    after = counts(configured)
    assert after == {
        **before,
        "bom_line": before["bom_line"] - 1,
        "audit_entry": before["audit_entry"] + 1,
    }

    first, second = history(configured, f"{NUMBER}/1", "configure")
    assert first.after is not None and second.before is not None and second.after is not None
    assert first.after["values"] == RUN
    assert second.before["values"] == {
        "length_m": 14.56,
        "finish": "black",
        "control": "dali",
        "emergency": "yes",
    }
    assert second.before["production_orders"] == [MO_TOP, MO_BODY]
    assert second.after["values"] == {**RUN, "emergency": "no"}


def test_change_before_release_rebuilds_from_the_stored_configuration(
    configured: Session,
) -> None:
    later = DUE + timedelta(days=7)
    flagged = order_changes.change_line(
        configured, NUMBER, 1, qty=6, due=later, author="sales", today=TODAY
    )
    assert flagged == []
    (line,) = tree(configured)
    assert (line.qty, line.due) == (6.0, later)
    # Due Monday 2027-01-11: the run starts Wednesday the 6th, the body Thursday 31 December
    # (Tuesday 5, Monday 4 and Thursday 31: New Year's Day is a holiday).
    assert [(p.number, p.qty, p.due, p.start) for p in line.production_orders] == [
        (MO_TOP, 6.0, later, date(2027, 1, 6)),
        (MO_BODY, 6.0, date(2027, 1, 6), date(2026, 12, 31)),
    ]
    # Same configuration, so the same order BOMs.
    assert bom_lines(configured, f"BOM-{NUMBER}-1") == approx_lines(TOP_LINES)
    assert bom_lines(configured, f"BOM-{NUMBER}-1.1") == approx_lines(BODY_LINES)
    (entry,) = history(configured, f"{NUMBER}/1", "change")
    # with what the change did to each production order (configured for Monday 01-04:
    # the run from Tuesday 12-29, the body from Wednesday 12-23, Christmas a holiday)
    assert entry.before == {
        "qty": 4.0,
        "due": DUE.isoformat(),
        MO_TOP: "qty 4, start 2026-12-29, due 2027-01-04",
        MO_BODY: "qty 4, start 2026-12-23, due 2026-12-29",
    }
    assert entry.after == {
        "qty": 6,
        "due": later.isoformat(),
        MO_TOP: "qty 6, start 2027-01-06, due 2027-01-11",
        MO_BODY: "qty 6, start 2026-12-31, due 2027-01-06",
        "flagged": [],
    }


def test_released_work_freezes_the_configuration_and_change_and_cancel_follow_it(
    configured: Session,
) -> None:
    # The paint shop releases the body.
    set_production_status(configured, MO_BODY, ProductionStatus.RELEASED)

    # The configuration can no longer change, and the refusal names the released order.
    before = counts(configured)
    with pytest.raises(ConflictError, match=MO_BODY) as refused:
        order_bom.configure_line(
            configured, NUMBER, 1, {**RUN, "emergency": "no"}, author="planner", today=TODAY
        )
    assert refused.value.params["production_orders"] == [MO_BODY]
    assert counts(configured) == before
    assert bom_lines(configured, f"BOM-{NUMBER}-1") == approx_lines(TOP_LINES)

    # Six runs instead of four: the released body is flagged, the unreleased run follows.
    flagged = order_changes.change_line(configured, NUMBER, 1, qty=6, author="sales", today=TODAY)
    assert flagged == [MO_BODY]
    mos = production_orders(configured)
    assert (mos[MO_TOP].qty, mos[MO_TOP].status, mos[MO_TOP].needs_review) == (
        6.0,
        ProductionStatus.PLANNED,
        False,
    )
    assert (mos[MO_BODY].qty, mos[MO_BODY].status, mos[MO_BODY].needs_review) == (
        4.0,
        ProductionStatus.RELEASED,
        True,
    )
    assert "qty 4 → 6" in mos[MO_BODY].review_note
    (change,) = history(configured, f"{NUMBER}/1", "change")
    # the run resized, the released body kept as it is and flagged
    top_before, top_after = (f"qty {q}, start 2026-12-29, due 2027-01-04" for q in (4, 6))
    assert change.before == {"qty": 4.0, "due": DUE.isoformat(), MO_TOP: top_before}
    assert change.after == {
        "qty": 6,
        "due": DUE.isoformat(),
        MO_TOP: top_after,
        "flagged": [MO_BODY],
    }
    (line,) = tree(configured)
    assert {p.number: p.needs_review for p in line.production_orders} == {
        MO_TOP: False,
        MO_BODY: True,
    }

    # Stores had put a finished run and a body aside for the order, and brackets.
    reserve(configured, TOP, 2.0)
    reserve(configured, BODY, 1.0)
    reserve(configured, "BRK-MNT-7040", 10.0)
    free_brackets = balances(configured, "BRK-MNT-7040")[None]

    # The customer cancels the line.
    flagged = order_changes.cancel_line(configured, NUMBER, 1, author="sales")
    assert flagged == [MO_BODY]
    mos = production_orders(configured)
    assert mos[MO_TOP].status is ProductionStatus.CANCELLED
    assert mos[MO_BODY].status is ProductionStatus.RELEASED
    assert mos[MO_BODY].needs_review
    assert "cancelled" in mos[MO_BODY].review_note

    # The line's own items go back to the free pool; it was the order's only line, so the
    # order is cancelled too and holds nothing: the brackets put aside for it are free again.
    assert balances(configured, TOP) == {NUMBER: 0.0, None: 2.0}
    assert balances(configured, BODY) == {NUMBER: 0.0, None: 1.0}
    assert balances(configured, "BRK-MNT-7040") == {NUMBER: 0.0, None: free_brackets + 10.0}
    for item in (TOP, BODY, "BRK-MNT-7040"):
        assert ledger(configured, item) == pytest.approx(balances(configured, item))
    with configured.begin():
        releases = configured.execute(
            select(Item.code, StockMove.qty, StockMove.author)
            .join(Item)
            .where(StockMove.kind == StockMoveKind.RELEASE)
        ).all()
    assert sorted(releases) == sorted(
        [
            (TOP, -2.0, "sales"),
            (TOP, 2.0, "sales"),
            (BODY, -1.0, "sales"),
            (BODY, 1.0, "sales"),
            ("BRK-MNT-7040", -10.0, "sales"),
            ("BRK-MNT-7040", 10.0, "sales"),
        ]
    )

    (cancel,) = history(configured, f"{NUMBER}/1", "cancel")
    assert cancel.author == "sales"
    assert cancel.before == {"status": "confirmed"}
    assert cancel.after == {
        "status": "cancelled",
        "cancelled": [MO_TOP],
        "flagged": [MO_BODY],
        "freed": {TOP: 2.0, BODY: 1.0},
    }

    # It was the only line, so the order is cancelled, and nothing can change it any more.
    with configured.begin():
        order = sales.get_order(configured, NUMBER)
        assert order.status is SalesOrderStatus.CANCELLED
    (line,) = tree(configured)
    assert line.status == "cancelled"
    with pytest.raises(ConflictError, match="cancelled"):
        order_bom.configure_line(configured, NUMBER, 1, RUN, author="planner", today=TODAY)
    with pytest.raises(ConflictError, match="cancelled"):
        order_changes.change_line(configured, NUMBER, 1, qty=2, author="sales", today=TODAY)
    with pytest.raises(ConflictError, match="cancelled"):
        order_changes.cancel_line(configured, NUMBER, 1, author="sales")

    # The export no longer has the order's line; the released body is still open work.
    with configured.begin():
        exported = read_company(configured)
    assert [r for r in exported.sales if r.sales_order == NUMBER] == []
    # The cancelled order is no longer backlog: the body already on the shop floor is
    # exported as free supply (leftover of a cancelled order), the cancelled run not at all.
    released = [r for r in exported.productions if r.production_order in (MO_TOP, MO_BODY)]
    assert [(r.production_order, r.sales_order) for r in released] == [(MO_BODY, "")]


def test_after_release_a_new_due_date_moves_only_the_unreleased_orders(
    configured: Session,
) -> None:
    set_production_status(configured, MO_BODY, ProductionStatus.RELEASED)
    later = DUE + timedelta(days=10)
    flagged = order_changes.change_line(
        configured, NUMBER, 1, due=later, author="sales", today=TODAY
    )
    assert flagged == [MO_BODY]
    (line,) = tree(configured)
    assert (line.qty, line.due) == (4.0, later)
    # The run moves to Thursday 2027-01-14 with its three working days (from Monday the
    # 11th); the released body stays where it was, flagged.
    assert [(p.number, p.qty, p.start, p.due, p.needs_review) for p in line.production_orders] == [
        (MO_TOP, 4.0, date(2027, 1, 11), date(2027, 1, 14), False),
        (MO_BODY, 4.0, date(2026, 12, 23), date(2026, 12, 29), True),
    ]


def test_the_review_note_reads_as_a_planner_would_write_it(configured: Session) -> None:
    """The note is shown to the planner: dates as 2027-01-04, not as Python reprs."""
    set_production_status(configured, MO_BODY, ProductionStatus.RELEASED)
    order_changes.change_line(configured, NUMBER, 1, qty=6, author="sales", today=TODAY)
    note = production_orders(configured)[MO_BODY].review_note
    assert "2027-01-04" in note
    assert "datetime" not in note


def test_cancelling_one_of_two_lines_keeps_the_order(configured: Session) -> None:
    sales.add_line(configured, NUMBER, item="CAP-7040-W", qty=8, due=DUE, author="sales")
    assert order_changes.cancel_line(configured, NUMBER, 1, author="sales") == []
    with configured.begin():
        assert sales.get_order(configured, NUMBER).status is SalesOrderStatus.CONFIRMED
    statuses = [line.status for line in tree(configured)]
    assert statuses == ["cancelled", "confirmed"]
    assert order_changes.cancel_line(configured, NUMBER, 2, author="sales") == []
    with configured.begin():
        assert sales.get_order(configured, NUMBER).status is SalesOrderStatus.CANCELLED


def test_cancelling_the_only_line_records_the_order_status_change(configured: Session) -> None:
    """The order goes from confirmed to cancelled: that change belongs in its audit trail too,
    as every other status change of an order does (``sales.set_status``)."""
    order_changes.cancel_line(configured, NUMBER, 1, author="sales")
    with configured.begin():
        entries = audit.history(configured, entity="sales_order", ref=NUMBER)
    cancelled = [e for e in entries if (e.after or {}).get("status") == "cancelled"]
    assert len(cancelled) == 1, [(e.action, e.before, e.after) for e in entries]
    assert cancelled[0].before == {"status": "confirmed"}


def test_cancelling_the_whole_order_cancels_its_unreleased_production_orders(
    configured: Session,
) -> None:
    """Cancelling the order (not line by line) must not leave its planned production orders
    open: the plan would go on buying and making components for an order nobody wants."""
    sales.set_status(configured, NUMBER, SalesOrderStatus.CANCELLED, author="sales")
    statuses = {n: mo.status for n, mo in production_orders(configured).items()}
    assert statuses == {MO_TOP: ProductionStatus.CANCELLED, MO_BODY: ProductionStatus.CANCELLED}
    run_plan(configured, author="planner")
    with configured.begin():
        pegged = [r for r in plan_results.pegging_rows(configured) if r[4] in (MO_TOP, MO_BODY)]
    assert pegged == []


def test_a_draft_order_is_not_planned_until_it_is_confirmed(lighting: Session) -> None:
    """A draft is a quote: configuring it to price it must not make the plan buy brackets
    and LED modules for it. From confirmation on, the plan sees it ("order confirm")."""
    number = sales.create_order(lighting, customer=CUSTOMER, author="sales")
    sales.add_line(lighting, number, item="LR-7040", qty=4, due=DUE, author="sales")
    order_bom.configure_line(lighting, number, 1, RUN, author="planner", today=TODAY)

    def pegged() -> list[str]:
        run_plan(lighting, author="planner")
        with lighting.begin():
            return sorted(
                {r[0] for r in plan_results.pegging_rows(lighting) if r[4] in (MO_TOP, MO_BODY)}
            )

    assert pegged() == []
    sales.set_status(lighting, number, SalesOrderStatus.CONFIRMED, author="sales")
    assert MO_BODY in pegged()


def test_a_redefined_template_keeps_configured_lines_changeable(configured: Session) -> None:
    """Engineering saves the templates again (say, to fix a label). Lines configured from the
    old version must still be re-configurable and changeable: they are configured from the
    product LR-7040, not from the variant item LR-7040-SO-1009-1 the line now points to."""
    for definition in TEMPLATES:
        templates.define_template(configured, definition, author="engineering")
    result = order_bom.configure_line(
        configured, NUMBER, 1, {**RUN, "emergency": "no"}, author="planner", today=TODAY
    )
    assert result.item == TOP
    order_changes.change_line(configured, NUMBER, 1, qty=5, author="sales", today=TODAY)
    assert [p.qty for p in tree(configured)[0].production_orders] == [5.0, 5.0]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("values", "parameter", "reason"),
    [
        ({"length_m": "100"}, "length_m", "is 100 m; it must be between 0.56 and 30 m"),
        ({"finish": "gold"}, "finish", "must be one of white, black; got 'gold'"),
        ({"colour": "red"}, "colour", "has no parameter 'colour'; its parameters are: length_m"),
        ({"emergency": "maybe"}, "emergency", "must be yes or no"),
        ({"length_m": "nan"}, "length_m", "must be a number, got 'nan'"),
    ],
)
def test_bad_values_are_refused_naming_the_rule_and_nothing_is_written(
    ordered: Session, values: dict[str, str], parameter: str, reason: str
) -> None:
    before = counts(ordered)
    with pytest.raises(ConfigurationError, match=reason) as refused:
        order_bom.configure_line(
            ordered, NUMBER, 1, {**RUN, **values}, author="planner", today=TODAY
        )
    assert refused.value.params["parameter"] == parameter
    assert "LR-7040" in refused.value.message
    assert counts(ordered) == before
    (line,) = tree(ordered)
    assert (line.item, line.bom, line.production_orders) == ("LR-7040", None, ())


def test_a_bad_reconfiguration_keeps_the_previous_one(configured: Session) -> None:
    before = counts(configured)
    previous = tree(configured)
    with pytest.raises(ConfigurationError, match=r"between 0\.56 and 30"):
        order_bom.configure_line(
            configured, NUMBER, 1, {**RUN, "length_m": "31"}, author="planner", today=TODAY
        )
    assert counts(configured) == before
    assert tree(configured) == previous


def hostile(qty: str = "1", condition: str | None = None) -> dict[str, Any]:
    """LR-7040 with one line whose quantity or condition is ``qty`` / ``condition``."""
    line: dict[str, Any] = {"component": "SA-LEDMOD-2240", "qty": qty}
    if condition is not None:
        line["condition"] = condition
    return {
        "item": "LR-7040",
        "parameters": [
            {"name": "length_m", "kind": "number", "min": 0.56, "max": 30, "default": "2.24"}
        ],
        "lines": [line, {"component": "CAP-7040-W", "qty": 1}],
    }


DEEP = "abs(" * 60 + "length_m" + ")" * 60


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        (hostile("__import__('os').system('x')"), "only these functions may be called"),
        (hostile("length_m ** 10 ** 10"), "fails with the default values: cannot be evaluated"),
        (hostile(DEEP), "nested deeper than 24 levels"),
        (hostile("length_m.real"), "Attribute is not allowed"),
        (hostile("(1).__class__"), "Attribute is not allowed"),
        (hostile("1", condition="__import__('os').system('x') == 0"), "only these functions"),
        (hostile("open('/etc/passwd')"), "only these functions may be called"),
        (hostile("lenght_m * 2"), "unknown parameter(s): lenght_m"),
        (hostile("[length_m][0]"), "Subscript is not allowed"),
        (hostile("lambda: 1"), "Lambda is not allowed"),
    ],
    ids=[
        "import",
        "power",
        "deep",
        "attribute",
        "dunder",
        "condition",
        "open",
        "typo",
        "subscript",
        "lambda",
    ],
)
def test_hostile_template_formulas_are_refused_and_no_bom_is_written(
    company: Session, definition: dict[str, Any], reason: str
) -> None:
    before = counts(company)
    with pytest.raises(ConfigurationError) as refused:
        templates.define_template(company, definition, author="engineering")
    message = refused.value.message
    assert reason in message
    assert message.startswith("LR-7040 line 1: ")
    assert counts(company) == before
    with company.begin():
        assert (
            company.scalar(
                select(Bom.id).join(Item, Item.id == Bom.item_id).where(Item.code == "LR-7040")
            )
            is None
        )


def test_a_formula_is_never_executed(company: Session, tmp_path: Path) -> None:
    witness = tmp_path / "pwned"
    definition = hostile(f"__import__('pathlib').Path({str(witness)!r}).touch() or 1")
    with pytest.raises(ConfigurationError, match="only these functions may be called"):
        templates.define_template(company, definition, author="engineering")
    assert not witness.exists()


def test_a_template_with_an_unknown_component_is_refused(company: Session) -> None:
    definition = hostile()
    definition["lines"].append({"component": "NO-SUCH-PART", "qty": "ceil(length_m)"})
    before = counts(company)
    with pytest.raises(ValidationError, match=r"template LR-7040: unknown item\(s\) NO-SUCH-PART"):
        templates.define_template(company, definition, author="engineering")
    assert counts(company) == before


def test_a_template_for_an_unknown_or_bought_item_is_refused(company: Session) -> None:
    before = counts(company)
    with pytest.raises(NotFoundError, match="no item 'LR-9999'"):
        templates.define_template(company, {**hostile(), "item": "LR-9999"}, author="eng")
    with pytest.raises(ValidationError, match="CAP-7040-W is bought"):
        templates.define_template(company, {**hostile(), "item": "CAP-7040-W"}, author="eng")
    assert counts(company) == before


@pytest.mark.parametrize("item", ["CAP-7040-W", "VT-1500-010V"])
def test_configuring_an_item_without_template_says_it_is_not_configurable(
    lighting: Session, item: str
) -> None:
    """A bought part, and a made-to-order fixture that has only a master BOM."""
    number = sales.create_order(lighting, customer=CUSTOMER, author="sales")
    sales.add_line(lighting, number, item=item, qty=2, due=DUE, author="sales")
    before = counts(lighting)
    with pytest.raises(ConfigurationError, match=f"{item} is not configurable"):
        order_bom.configure_line(lighting, number, 1, {}, author="planner", today=TODAY)
    assert counts(lighting) == before


def test_a_line_of_a_cancelled_order_cannot_be_configured(ordered: Session) -> None:
    sales.set_status(ordered, NUMBER, SalesOrderStatus.CANCELLED, author="sales")
    before = counts(ordered)
    with pytest.raises(ConflictError, match=f"{NUMBER}/1 is cancelled"):
        order_bom.configure_line(ordered, NUMBER, 1, RUN, author="planner", today=TODAY)
    assert counts(ordered) == before


def test_unknown_order_or_line(lighting: Session) -> None:
    with pytest.raises(NotFoundError, match="no sales order 'SO-9999'"):
        order_bom.configure_line(lighting, "SO-9999", 1, RUN, author="planner", today=TODAY)
    enter_order(lighting)
    with pytest.raises(NotFoundError, match=f"{NUMBER} has no line 2"):
        order_bom.configure_line(lighting, NUMBER, 2, RUN, author="planner", today=TODAY)


@pytest.mark.parametrize("qty", [0.0, -1.0, float("nan"), float("inf")])
def test_change_to_a_bad_quantity_is_refused(configured: Session, qty: float) -> None:
    before = counts(configured)
    with pytest.raises(ValidationError, match="qty must be a number greater than 0"):
        order_changes.change_line(configured, NUMBER, 1, qty=qty, author="sales", today=TODAY)
    assert counts(configured) == before
