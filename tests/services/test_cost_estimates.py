"""Stored line estimates (#16 item 3): a project's report sums the figures stored per
line, and every change to what an estimate reads makes its stored figures out of date
in the same transaction, so the report always equals a fresh computation. Both
databases; the shop is tests/_costing.py's (figures by hand in test_costing.py).

Each invalidation test makes one change through its service, then checks that the
report equals a fresh estimate of every line (``costing.orders_cost``, which stores
nothing) and that the change did move the figures (so the test could fail).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from _costing import DUE, TEMPLATES, TODAY, build_shop, buy, company, op
from pegboard import db
from pegboard.model import CostRevision, Item, LineCostEstimate, SalesOrder, SalesOrderLine
from pegboard.services import (
    bom_edit,
    capacity,
    cost_estimates,
    costing,
    items,
    money,
    order_bom,
    order_changes,
    purchasing,
    sales,
    templates,
    variance,
)
from pegboard.services.company_data import replace_company
from pegboard.services.cost_inputs import COMPANY, order_scope, revisions

D = Decimal
SIX = D("0.000001")


@pytest.fixture
def shop(session: Session) -> Session:
    build_shop(session)
    sales.add_line(session, "SO-1", item="PROFILE", qty=3, due=DUE, unit_price="7", author="s")
    sales.create_order(session, customer="ACME", project="HQ", number="SO-2", author="sales")
    sales.add_line(session, "SO-2", item="LAMP", qty=1, due=DUE, unit_price="300", author="s")
    order_bom.configure_line(
        session,
        "SO-2",
        1,
        {"length_m": "3", "finish": "white", "sensor": "no"},
        author="planner",
        today=TODAY,
    )
    sales.add_line(session, "SO-2", item="DRIVER", qty=2, due=DUE, author="s")
    return session


def report(session: Session) -> dict[str, tuple[Decimal, ...]]:
    """Each line's figures in the project's report (material, labour, overhead, premium,
    the variance split while nothing is used)."""
    with session.begin():
        found = variance.project_variance(session, "ACME", "HQ")
    out: dict[str, tuple[Decimal, ...]] = {}
    for o in found.orders:
        for x in o.lines:
            e, v = x.estimated, x.variance
            premium = x.estimate.premium_amount
            out[x.ref] = (e.material, e.labour, e.overhead, premium or D(-1), v.usage, v.scrap)
    return out


def fresh(session: Session) -> dict[str, tuple[Decimal, ...]]:
    """The same figures computed now from the structure, at the stored scale."""
    with session.begin():
        orders = session.scalars(select(SalesOrder).order_by(SalesOrder.number)).all()
        estimates = costing.orders_cost(session, orders)
    out: dict[str, tuple[Decimal, ...]] = {}
    for o in estimates:
        for x in o.lines:
            e = x.tree.total
            nothing = variance.variance_of(x.tree, variance.ActualCost())
            figures = (e.material, e.labour, e.overhead, x.premium_amount or D(-1))
            out[x.ref] = tuple(f.quantize(SIX) for f in (*figures, nothing.usage, nothing.scrap))
    return out


def stored_rows(session: Session) -> int:
    with session.begin():
        return session.scalar(select(func.count()).select_from(LineCostEstimate)) or 0


def same(a: dict[str, tuple[Decimal, ...]], b: dict[str, tuple[Decimal, ...]]) -> None:
    assert {k: tuple(f.quantize(SIX) for f in v) for k, v in a.items()} == b


def test_the_report_stores_every_line_and_reads_the_same_back(shop: Session) -> None:
    assert stored_rows(shop) == 0
    first = report(shop)
    assert stored_rows(shop) == 4
    assert report(shop) == first
    same(first, fresh(shop))
    # SO-1/1 by hand (test_costing.py): 106.40 + 71.00 + 29.64, premium 66.40
    assert first["SO-1/1"][:4] == (D("106.4"), D("71"), D("29.64"), D("66.4"))


def test_a_project_report_equals_the_full_estimate_to_the_cent(shop: Session) -> None:
    with shop.begin():
        full = costing.project_cost(shop, "ACME", "HQ")
    with shop.begin():
        stored = variance.project_variance(shop, "ACME", "HQ").estimate
    assert (stored.cost, stored.revenue, stored.premium) == (full.cost, full.revenue, full.premium)
    assert stored.elements == full.elements


Change = Callable[[Session], None]


def _bom_line(session: Session, bom: str, component: str) -> int:
    with session.begin():
        view = order_bom.read_bom(session, bom)
    return next(x.position for x in view.lines if x.component == component)


def edit_order_bom(s: Session) -> None:
    position = _bom_line(s, "BOM-SO-1-1", "SENSOR")
    order_bom.edit_bom_line(s, "BOM-SO-1-1", position=position, qty_per=2, author="planner")


def change_quantity(s: Session) -> None:
    order_changes.change_line(s, "SO-1", 1, qty=3, author="sales", today=TODAY)


def reconfigure(s: Session) -> None:
    values = {"length_m": "4", "finish": "black", "sensor": "yes"}
    order_bom.configure_line(s, "SO-2", 1, values, author="planner", today=TODAY)


def order_routing(s: Session) -> None:
    capacity.set_routing(
        s, "BODY-SO-1-1.1", [op("PAINT", 1.5, 0.2)], order_bom="BOM-SO-1-1.1", author="a"
    )


def item_routing(s: Session) -> None:
    capacity.set_routing(s, "LAMP", [op("ASM", 2, 0.25)], author="a")


def standard_cost(s: Session) -> None:
    items.update_item(s, "LED", {"unit_cost": D("2.25")}, author="a")


def work_center_rate(s: Session) -> None:
    capacity.save_work_center(s, code="ASM", cost_rate="55", author="a")


def purchase_price(s: Session) -> None:
    buy(s, "PROFILE", "7.25", date(2026, 11, 20))


def overhead_settings(s: Session) -> None:
    money.set_costing_settings(
        s, overhead_per_labour_hour="12", overhead_pct_of_material="10", author="admin"
    )


def master_bom(s: Session) -> None:
    bom_edit.change_line(s, "DRIVER", 1, qty_per=2, author="engineer")


def template_change(s: Session) -> None:
    """LAMP's template with three LEDs a metre: the default configuration, so the premium
    of every configured lamp, moves."""
    lamp = copy.deepcopy(TEMPLATES[1])
    lamp["lines"][1]["qty"] = "length_m * 3"
    templates.define_template(s, lamp, author="engineer")


def cancel_a_line(s: Session) -> None:
    order_changes.cancel_line(s, "SO-2", 2, author="sales")


@pytest.mark.parametrize(
    "change",
    [
        edit_order_bom,
        change_quantity,
        reconfigure,
        order_routing,
        item_routing,
        standard_cost,
        work_center_rate,
        purchase_price,
        overhead_settings,
        master_bom,
        template_change,
    ],
)
def test_every_change_to_an_input_is_seen_by_the_report(shop: Session, change: Change) -> None:
    before = report(shop)
    change(shop)
    after = report(shop)
    assert after != before, "the change moves some line's figures"
    same(after, fresh(shop))


def computed(session: Session) -> dict[str, object]:
    """When each line's row was computed, by order number and line."""
    with session.begin():
        rows = session.execute(
            select(SalesOrder.number, SalesOrderLine.line, LineCostEstimate.computed_at)
            .join(SalesOrderLine, SalesOrderLine.id == LineCostEstimate.sales_order_line_id)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        ).all()
    return {f"{n}/{line}": at for n, line, at in rows}


@pytest.mark.parametrize(
    ("change", "changed", "kept"),
    [
        (edit_order_bom, "SO-1", "SO-2"),
        (change_quantity, "SO-1", "SO-2"),
        (reconfigure, "SO-2", "SO-1"),
        (order_routing, "SO-1", "SO-2"),
    ],
)
def test_an_order_s_own_change_leaves_the_other_orders_rows_current(
    shop: Session, change: Change, changed: str, kept: str
) -> None:
    report(shop)
    with shop.begin():
        ids = dict(shop.execute(select(SalesOrder.number, SalesOrder.id)).all())
        scopes = [COMPANY, order_scope(ids["SO-1"]), order_scope(ids["SO-2"])]
        was = revisions(shop, scopes)
    before = computed(shop)
    change(shop)
    with shop.begin():
        now = revisions(shop, scopes)
    assert now[COMPANY] == was[COMPANY]
    assert now[order_scope(ids[kept])] == was[order_scope(ids[kept])]
    assert now[order_scope(ids[changed])] > was[order_scope(ids[changed])]
    same(report(shop), fresh(shop))
    after = computed(shop)
    assert {k for k in after if after[k] != before[k]} == {f"{changed}/1", f"{changed}/2"}


def test_a_change_and_a_cancelled_line_in_sequence_stay_consistent(shop: Session) -> None:
    """Stored == recomputed for every line after each of a sequence of edits."""
    for change in (
        edit_order_bom,
        purchase_price,
        cancel_a_line,
        reconfigure,
        change_quantity,
        work_center_rate,
        master_bom,
        standard_cost,
    ):
        change(shop)
        same(report(shop), fresh(shop))


def test_a_new_company_replaces_the_stored_figures(shop: Session) -> None:
    report(shop)
    replace_company(shop, company(), author="import")
    assert stored_rows(shop) == 0
    with shop.begin():
        assert shop.scalar(select(CostRevision.revision).where(CostRevision.scope == COMPANY))


def test_a_row_of_an_older_revision_is_never_read(shop: Session) -> None:
    """A row left at an older revision (as after a change committed while the report
    computed it) is computed again, whatever figures it holds."""
    report(shop)
    with shop.begin():
        for r in shop.scalars(select(LineCostEstimate)):
            r.material = D("999999")
            r.company_revision -= 1
    same(report(shop), fresh(shop))


def test_figures_are_stored_on_demand_after_an_upgrade(shop: Session) -> None:
    """A database upgraded to 0025 has no rows: the first report computes and stores them."""
    with shop.begin():
        orders = shop.scalars(select(SalesOrder)).all()
        cost_estimates.orders_figures(shop, orders)
    assert stored_rows(shop) == 4


def test_the_project_s_figures_equal_its_full_estimate(shop: Session) -> None:
    """``pegboard project show``'s figures (stored) against ``costing.project_cost``."""
    with shop.begin():
        full = costing.project_cost(shop, "ACME", "HQ")
    for _ in range(2):  # computed and stored, then read back
        with shop.begin():
            found = cost_estimates.project_figures(shop, "ACME", "HQ")
        assert (found.cost, found.revenue, found.margin, found.premium) == (
            full.cost,
            full.revenue,
            full.margin,
            full.premium,
        )
        assert [(o.number, o.cost) for o in found.orders] == [
            (o.number, o.cost) for o in full.orders
        ]


def company_revision(session: Session) -> int:
    with session.begin():
        return revisions(session, [COMPANY])[COMPANY]


def test_receiving_a_purchase_keeps_the_rows_and_cancelling_one_does_not(shop: Session) -> None:
    """A receipt changes no price an estimate reads; cancelling the priced purchase the
    profile's price comes from does (its price falls back to the one before)."""
    report(shop)
    was = company_revision(shop)
    purchasing.confirm_purchase(shop, "PO-000002", author="buyer")
    purchasing.receive_purchase(shop, "PO-000002", author="buyer")
    assert company_revision(shop) == was
    before = report(shop)
    latest = buy(shop, "PROFILE", "6.50", date(2026, 11, 10))
    assert company_revision(shop) > was
    assert report(shop) != before
    purchasing.cancel_purchase(shop, latest, author="buyer")
    assert report(shop) == before
    same(report(shop), fresh(shop))


def test_figures_of_a_change_rolled_back_are_never_kept(shop: Session) -> None:
    """A report inside a transaction that changes a line (flushed, then a savepoint rolled
    back, then the whole rolled back) keeps none of its figures: no stored row is
    stamped ahead of the committed revisions, so none can pass for current later."""
    report(shop)
    with shop.begin():
        row = shop.scalars(
            select(SalesOrderLine)
            .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
            .where(SalesOrder.number == "SO-1", SalesOrderLine.line == 1)
        ).one()
        row.qty = 5
        shop.flush()
        with shop.begin_nested() as inner:
            inner.rollback()
        orders = shop.scalars(select(SalesOrder).order_by(SalesOrder.number)).all()
        changed = cost_estimates.orders_figures(shop, orders)
        assert changed[0].lines[0].qty == 5
        shop.rollback()
    with shop.begin():
        ids = dict(shop.execute(select(SalesOrder.id, SalesOrder.number)).all())
        now = revisions(shop, [COMPANY, *(order_scope(i) for i in ids)])
        ahead = [
            (ids[order], r.order_revision, r.company_revision)
            for r, order in shop.execute(
                select(LineCostEstimate, SalesOrderLine.sales_order_id).join(
                    SalesOrderLine, SalesOrderLine.id == LineCostEstimate.sales_order_line_id
                )
            ).all()
            if r.order_revision > now[order_scope(order)] or r.company_revision > now[COMPANY]
        ]
    assert ahead == []
    same(report(shop), fresh(shop))


def test_a_report_beside_a_writer_answers_and_keeps_nothing_of_its_change(
    shop: Session, engine: Engine
) -> None:
    """While another session holds an uncommitted change (on SQLite, the write lock), the
    project's report still answers with the committed figures (its store gives up or
    writes the committed ones), and after that change commits the report follows it."""
    before = report(shop)
    with shop.begin():
        shop.execute(delete(LineCostEstimate))  # none stored: the report must store them
    with db.session_factory(engine)() as other, other.begin():
        led = other.scalars(select(Item).where(Item.code == "LED")).one()
        led.unit_cost = D("9.75")
        other.flush()
        assert report(shop) == before
        same(report(shop), fresh(shop))
    after = report(shop)
    assert after != before
    same(after, fresh(shop))
