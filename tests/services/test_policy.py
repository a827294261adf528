"""Stock policy from the backlog, worked out by hand on a small company.

FA (make, mto, lead 4) is made of 1 SUB (make, mts, lead 6), made of 2 C (buy,
mts, lead 10, unit cost 8, multiple 25); all in pieces (whole units). Open
sales of FA: 3 due pd+12, 2 due pd+15, 1 due pd+30 and 1 overdue (pd-5). FA due
d -> SUB need d-4 -> C need d-4-6 = d-10, x2:

    pd+12 -> C 6 on pd+2;  pd+15 -> C 4 on pd+5;  pd+30 -> C 2 on pd+20;
    pd-5  -> C 2 on pd-15, counted on pd.

The company's shortest default window (policy_min_window_days) is 10 here. C's
window = its own lead time 10 + its parents' cumulative lead time 4 + 6 = 20
days, [pd, pd+20): daily needs 2 on pd, 6 on pd+2, 4 on pd+5 (pd+20 is
outside): total 12, ADU = 0.6; E[x²] = (4+36+16)/20 = 2.8, σd² = 2.8 - 0.36 =
2.44, σd = 1.562050. z(0.95) = 1.644854; SS = 1.644854 × √(10 × 2.44) =
8.124978 -> 9 (whole units); ROP = 0.6 × 10 + 9 = 15. D = 0.6 × 365 = 219
(12 over 20 days), H = 8 × 25 % = 2, S = 50: EOQ = √(2 × 219 × 50 / 2) =
√10950 = 104.642248; Q = ⌈104.64 / 25⌉ × 25 = 125. Position = free 10 (5 more
are reserved for SO-A) + open PO 4 = 14 ≤ ROP 15: order ⌊(15 - 14) / 125⌋ + 1
= 1 × 125.
As a DDMRP buffer (DLT 10, LTF = VF = 0.5): red base 0.6×10×0.5 = 3, safety
1.5, red 4.5 -> 5, yellow 6, green max(3, 0, 0) = 3; TOR 5, TOY 11, TOG 14;
NFP = 10 + 4 - 2 (due on pd) = 12 > 11: no order.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import AuditEntry, Item, PlannedOrder
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, PurchaseRow, SalesRow, StockRow
from pegboard.services.planning import run_plan
from pegboard.services.policy import applying as policy_applying
from pegboard.services.policy import computation as policy_computation
from pegboard.services.policy import explain as policy_explain
from pegboard.services.policy import runs as policy_runs
from pegboard.services.policy import settings as policy_settings
from pegboard.services.policy import stored as policy_stored
from pegboard.services.policy.item_policy import ItemPolicy, Position

PD = date(2026, 11, 23)


def item(
    code: str, type_: str, strategy: str, lead: int, cost: float = 0.0, multiple: float = 0.0
) -> ItemRow:
    return ItemRow(
        code,
        code.lower(),
        type_,
        strategy,
        "ea",
        lead,
        "lfl",
        None,
        None,
        0.0,
        multiple,
        0.0,
        cost,
        "",
    )


def day(n: int) -> date:
    return PD + timedelta(days=n)


def company(min_window: str | None = "10") -> Dataset:
    settings = {"planning_date": PD.isoformat()}
    if min_window is not None:
        settings["policy_min_window_days"] = min_window
    return Dataset(
        settings=settings,
        items=[
            item("FA", "make", "mto", 4),
            item("SUB", "make", "mts", 6),
            item("C", "buy", "mts", 10, cost=8.0, multiple=25.0),
        ],
        bom=[BomRow("FA", "SUB", 1.0, 0.0, ""), BomRow("SUB", "C", 2.0, 0.0, "")],
        stock=[StockRow("C", 10.0, "main", ""), StockRow("C", 5.0, "main", "SO-A")],
        purchases=[PurchaseRow("PO-1", 1, "C", 4.0, day(3), "open", "", "Acme")],
        sales=[
            SalesRow("SO-A", 1, "ACME", "", "FA", 3, 0, day(12), 100),
            SalesRow("SO-B", 1, "ACME", "", "FA", 2, 0, day(15), 100),
            SalesRow("SO-C", 1, "ACME", "", "FA", 1, 0, day(30), 100),
            SalesRow("SO-D", 1, "ACME", "", "FA", 1, 0, day(-5), 100),
        ],
    )


@pytest.fixture
def shop(session: Session) -> Session:
    replace_company(session, company(), author="import")
    return session


def one(session: Session, code: str) -> ItemPolicy:
    [p] = policy_computation.compute(session, items=[code])
    return p


def test_reorder_point_figures_by_hand(shop: Session) -> None:
    c = one(shop, "C")
    assert (c.window_days, c.cover_days, c.min_window_days, c.decimals) == (20, 20, 10, 0)
    assert c.adu == pytest.approx(0.6)
    assert c.sigma_d == pytest.approx(1.562050, abs=1e-6)
    assert c.sigma_lt == 0 and c.lead_time_observations == 0
    assert c.safety_stock == 9
    assert c.reorder_point == 15
    assert c.eoq == pytest.approx(104.642248, abs=1e-6)
    assert c.order_qty == 125
    assert c.position == Position(10.0, 0.0, 4.0, 0.0)
    assert c.below_rop and c.suggested_qty == 125
    formulas = {f.name: f.formula for f in c.formulas}
    assert formulas["safety stock"].endswith(
        "1.645 × √(10.00 × 1.56² + 0.60² × 0.00²) = 8.12, up to whole units: 9"
    )
    assert formulas["reorder point"] == "ROP = ADU × L + SS = 0.60 × 10.00 + 9 = 15"
    assert formulas["annual demand"] == (
        "D = ADU × 365, extrapolated from the need of the 20-day window "
        "(2026-11-23 to 2026-12-12): 12.00 / 20 × 365 = 219.00"
    )
    assert formulas["EOQ"] == "EOQ = √(2 × D × S / H) = √(2 × 219.00 × 50.00 / 2.00) = 104.64"
    assert formulas["order qty"] == (
        "Q = ⌈max(EOQ 104.64, min_qty 0.00) / 25.00⌉ × 25.00 up to whole units = 125"
    )
    inputs = {f.name: f.formula for f in c.inputs}
    assert "unknown (fewer than 3 receipts)" in inputs["σL"]
    assert inputs["window"] == (
        "W = 20 days (lead time 10 days + parents' cumulative lead time 10 working days = "
        "20 days; at least policy_min_window_days 10): 2026-11-23 to 2026-12-12"
    )


def test_only_mts_items_below_first(shop: Session) -> None:
    rows = policy_computation.compute(shop)
    assert [p.item for p in rows] == ["C", "SUB"]
    sub = rows[1]
    # SUB: its lead 6 + parent FA's 4 = 10 days; the overdue 1 and SO-A's 3 on pd+8
    assert sub.window_days == 10
    assert sub.adu == pytest.approx(4 / 10)


def test_window_and_service_level_overrides(shop: Session) -> None:
    [c] = policy_computation.compute(shop, items=["C"], window_days=20, service_level=0.5)
    # 20 days: needs 2, 6, 4 (pd+20 is outside [pd, pd+20)): ADU 0.6; z(0.5) = 0 -> SS 0
    assert c.adu == pytest.approx(0.6)
    assert c.safety_stock == pytest.approx(0.0)
    assert c.reorder_point == pytest.approx(6.0)


def test_ddmrp_buffer_zones(shop: Session) -> None:
    policy_settings.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    c = one(shop, "C")
    z = c.zones
    assert z is not None
    assert (z.dlt, z.red_base, z.red_safety, z.red, z.yellow, z.green) == pytest.approx(
        (10, 3, 1.5, 5, 6, 3)
    )
    assert (z.top_of_red, z.top_of_yellow, z.top_of_green) == (5, 11, 14)
    assert z.net_flow == pytest.approx(12)
    assert not z.order and z.suggested == 0
    assert not c.below_rop and c.suggested_qty == 0
    texts = {f.name: f.formula for f in z.figures}
    assert texts["red"] == "red = red base + red safety = 3.00 + 1.50 = 4.50, up to whole units: 5"
    assert texts["suggested order"] == "no order: NFP 12.00 > TOY 11"


def test_item_settings_override_defaults(shop: Session) -> None:
    policy_settings.set_item_policy(
        shop, "C", {"ordering_cost": 200.0, "holding_pct": 50.0}, author="planner"
    )
    c = one(shop, "C")
    # H = 8 × 50 % = 4; EOQ = √(2 × 219 × 200 / 4) = √21900 = 147.99 -> 150
    assert c.eoq == pytest.approx(147.986486, abs=1e-6)
    assert c.order_qty == 150
    view = policy_settings.set_item_policy(shop, "C", {"ordering_cost": None}, author="planner")
    assert view.ordering_cost is None and view.holding_pct == 50.0


def test_apply_writes_items_audits_and_the_plan_uses_it(shop: Session) -> None:
    with pytest.raises(NotFoundError, match="no policy run yet"):
        policy_applying.apply(shop, ["C"], author="planner")
    policy_runs.run_policy(shop, author="planner", today=PD)
    assert [p.item for p in policy_stored.preview(shop, ["C"])] == ["C"]
    changed = policy_applying.apply(shop, ["C"], author="planner")
    assert [p.item for p in changed] == ["C"]
    with shop.begin():
        c = shop.scalar(select(Item).where(Item.code == "C"))
        assert c is not None
        assert c.safety_stock == 9
        assert c.min_qty == 125
        entry = shop.scalar(select(AuditEntry).where(AuditEntry.action == "policy_apply"))
        assert entry is not None and entry.entity_ref == "C" and entry.author == "planner"
        assert entry.before == {"safety_stock": 0.0, "min_qty": 0.0}
    # applying again changes nothing
    assert policy_applying.apply(shop, ["C"], author="planner") == []
    run_plan(shop, author="planner", today=PD)
    with shop.begin():
        qty = shop.scalars(
            select(PlannedOrder.qty)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(Item.code == "C")
        ).all()
    # gross 14 + safety stock 9 - stock 10 - PO 4 > 0: one order of at least min_qty 125
    assert list(qty) == [125]


def test_a_run_is_stored_paged_and_explained(shop: Session) -> None:
    assert policy_runs.latest_run(shop) is None
    assert policy_stored.policy_page(shop).total == 0
    seen: list[str] = []
    summary = policy_runs.run_policy(
        shop, author="planner", today=PD, progress=lambda stage, _d, _t: seen.append(stage)
    )
    assert seen == ["loading", "computing", "storing", "done"]
    assert (summary.items, summary.below, summary.planning_date) == (2, 2, PD)
    run = policy_runs.latest_run(shop)
    assert run is not None and run.id == summary.run_id and run.author == "planner"
    assert run.window_days is None and run.service_level is None
    page = policy_stored.policy_page(shop)
    assert page.total == 2 and [p.item for p in page.rows] == ["C", "SUB"]
    stored = page.rows[0]
    fresh = one(shop, "C")
    # the stored line gives the very numbers and formula texts of a fresh computation
    assert stored.formulas == fresh.formulas and stored.inputs == fresh.inputs
    assert stored.reorder_point == 15
    assert stored.suggested_qty == 125 and stored.position == Position(10, 0, 4, 0)
    # every figure of the formulas is the stored (vectorised) number
    figures = {f.name: f.value for f in stored.formulas}
    assert figures["safety stock"] == stored.safety_stock
    assert figures["EOQ"] == stored.eoq and figures["order qty"] == stored.order_qty
    assert [p.item for p in policy_stored.policy_page(shop, q="su").rows] == ["SUB"]
    assert [p.item for p in policy_stored.policy_page(shop, sort="-adu").rows] == ["C", "SUB"]
    assert [p.item for p in policy_stored.policy_page(shop, sort="adu").rows] == ["SUB", "C"]
    assert [p.item for p in policy_stored.policy_page(shop, limit=1, offset=1).rows] == ["SUB"]
    assert policy_stored.policy_page(shop, below_only=True).total == 2
    with pytest.raises(ValidationError):
        policy_stored.policy_page(shop, sort="nope")
    e = policy_explain.explain(shop, "C")
    assert e.daily == (2, 0, 6, 0, 0, 4, *[0] * 14) and e.start == PD
    assert e.run is not None and e.run.id == run.id
    with pytest.raises(NotFoundError, match="make-to-order"):
        policy_explain.explain(shop, "FA")
    with pytest.raises(NotFoundError, match="no item"):
        policy_explain.explain(shop, "NOPE")
    # a second run replaces the lines; options are recorded
    policy_settings.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    assert (
        policy_explain.explain(shop, "C").policy.zones is None
    )  # settings count from the next run
    policy_runs.run_policy(shop, author="planner", today=PD, window_days=20, service_level=0.5)
    run2 = policy_runs.latest_run(shop)
    assert run2 is not None and (run2.window_days, run2.service_level) == (20, 0.5)
    c = policy_explain.explain(shop, "C").policy
    assert c.zones is not None and c.zones.top_of_green == pytest.approx(c.top_of_green)
    assert c.window_days == 20 and c.service_level_source == "--service-level"
    assert policy_stored.policy_page(shop).total == 2


def test_a_buffer_line_keeps_its_zones(shop: Session) -> None:
    policy_settings.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    policy_runs.run_policy(shop, author="planner", today=PD)
    c = policy_explain.explain(shop, "C").policy
    z = c.zones
    assert z is not None
    assert (z.top_of_red, z.top_of_yellow, z.top_of_green) == (5, 11, 14)
    assert (c.top_of_red, c.top_of_yellow, c.top_of_green) == (
        z.top_of_red,
        z.top_of_yellow,
        z.top_of_green,
    )
    assert c.net_flow == z.net_flow == pytest.approx(12)
    assert not c.below_rop and c.suggested_qty == 0
    assert {ch.field: ch.after for ch in c.changes} == {"safety_stock": 5.0, "min_qty": 3.0}


def test_a_policy_job_is_refused_while_another_runs(shop: Session) -> None:
    from pegboard.errors import ConflictError
    from pegboard.services.jobs import records as job_records

    first = policy_runs.start_policy_job(shop, author="planner")
    with pytest.raises(ConflictError, match="policy run"):
        policy_runs.start_policy_job(shop, author="planner")
    job_records.finish(shop, first, {})
    second = policy_runs.start_policy_job(shop, author="planner")
    assert second > first


def test_import_after_a_policy_was_set(shop: Session) -> None:
    policy_settings.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    policy_runs.run_policy(shop, author="planner")
    assert policy_runs.latest_run(shop) is not None
    shop.rollback()
    replace_company(shop, company(), author="import")
    assert policy_settings.get_item_policy(shop, "C").buffer is False
    # the replaced company's figures are gone with it: no stale policy is shown
    assert policy_runs.latest_run(shop) is None


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda s: policy_computation.compute(s, items=["NOPE"]), NotFoundError, "items"),
        (lambda s: policy_computation.compute(s, items=["FA"]), ValidationError, "items"),
        (
            lambda s: policy_computation.compute(s, service_level=1.0),
            ValidationError,
            "service_level",
        ),
        (
            lambda s: policy_computation.compute(s, service_level=0.0),
            ValidationError,
            "service_level",
        ),
        (lambda s: policy_computation.compute(s, window_days=0), ValidationError, "window_days"),
        (
            lambda s: policy_settings.set_item_policy(s, "C", {"ordering_cost": -1.0}, author="p"),
            ValidationError,
            "ordering_cost",
        ),
        (
            lambda s: policy_settings.set_item_policy(s, "C", {"service_level": 1.5}, author="p"),
            ValidationError,
            "service_level",
        ),
        (
            lambda s: policy_settings.set_item_policy(s, "NOPE", {"buffer": True}, author="p"),
            NotFoundError,
            "item",
        ),
    ],
)
def test_bad_input(shop: Session, call: object, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        call(shop)  # type: ignore[operator]
    assert caught.value.params["field"] == field  # type: ignore[attr-defined]


def test_the_default_window_is_at_least_28_days(session: Session) -> None:
    replace_company(session, company(None), author="i")
    found = {p.item: p for p in policy_computation.compute(session, items=["C", "SUB"])}
    c, sub = found["C"], found["SUB"]
    # covers of 20 (C) and 10 (SUB) days are less than the default minimum
    assert (c.window_days, c.cover_days, c.min_window_days) == (28, 20, 28)
    assert (sub.window_days, sub.cover_days) == (28, 10)
    # C over 28 days also sees SO-C's 2 on pd+20: 14 / 28
    assert c.need == 14 and c.adu == pytest.approx(0.5)
    window = {f.name: f.formula for f in c.inputs}["window"]
    assert "= 20 days, less than policy_min_window_days 28: the minimum" in window


def test_new_orders_weeks_out_raise_the_reorder_points_of_their_components(
    session: Session,
) -> None:
    """The backlog that matters: three new orders due in 3 to 6 weeks raise the reorder
    point of the components they share (default window: at least 28 days)."""
    from pegboard.model import SalesOrderStatus
    from pegboard.services import sales

    replace_company(session, company(None), author="i")
    before = {p.item: p for p in policy_computation.compute(session, today=PD)}
    for weeks, qty in ((3, 4), (4, 5), (6, 3)):
        number = sales.create_order(session, customer="ACME", author="sales")
        sales.add_line(session, number, item="FA", qty=qty, due=day(7 * weeks), author="sales")
        sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="sales")
    after = {p.item: p for p in policy_computation.compute(session, today=PD)}
    # C (window 28): FA due pd+21 -> C 8 on pd+11, pd+28 -> 10 on pd+18; pd+42 -> pd+32 is
    # outside. SUB (window 28): FA due pd+21, pd+28 -> SUB on pd+17, pd+24.
    assert after["C"].need == before["C"].need + 18
    assert after["SUB"].need == before["SUB"].need + 9
    for code in ("C", "SUB"):
        assert after[code].adu > before[code].adu
        assert after[code].reorder_point > before[code].reorder_point
        assert after[code].reorder_point == int(after[code].reorder_point)  # whole units


def test_a_bad_minimum_window_is_refused_naming_the_setting(session: Session) -> None:
    replace_company(session, company("0"), author="i")
    with pytest.raises(ValidationError, match="policy_min_window_days") as caught:
        policy_computation.compute(session)
    assert caught.value.params["field"] == "policy_min_window_days"
