"""Stock policy from the backlog, worked out by hand on a small company.

FA (make, mto, lead 4) is made of 1 SUB (make, mts, lead 6), made of 2 C (buy,
mts, lead 10, unit cost 8, multiple 25). Open sales of FA: 3 due pd+12, 2 due
pd+15, 1 due pd+30 and 1 overdue (pd-5). C is needed 10 days (SUB) + 6 days
(SUB's lead)... precisely: FA due d -> SUB need d-4 -> C need d-4-6 = d-10, x2:

    pd+12 -> C 6 on pd+2;  pd+15 -> C 4 on pd+5;  pd+30 -> C 2 on pd+20 (outside);
    pd-5  -> C 2 on pd-15, counted on pd.

C's window = parents' cumulative lead time 4 + 6 = 10 days. Daily needs
[2, 0, 6, 0, 0, 4, 0, 0, 0, 0]: total 12, ADU = 1.2; E[x²] = (4+36+16)/10 = 5.6,
σd² = 5.6 - 1.44 = 4.16, σd = 2.0396. z(0.95) = 1.644854;
SS = 1.644854 × √(10 × 4.16) = 1.644854 × 6.449806 = 10.608987;
ROP = 1.2 × 10 + SS = 22.608987. D = 438, H = 8 × 25 % = 2, S = 50:
EOQ = √(2 × 438 × 50 / 2) = √21900 = 147.986486; Q = ⌈147.99 / 25⌉ × 25 = 150.
Position = free 10 (5 more are reserved for SO-A) + open PO 4 = 14 ≤ ROP: order
⌊(22.61 - 14) / 150⌋ + 1 = 1 × 150.
As a DDMRP buffer (DLT 10, LTF = VF = 0.5): red base 1.2×10×0.5 = 6, safety 3,
red 9, yellow 12, green max(6, 0, 0) = 6; TOR 9, TOY 21, TOG 27;
NFP = 10 + 4 - 2 (due on pd) = 12 ≤ 21: order 27 - 12 = 15 -> 25.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import AuditEntry, Item, PlannedOrder
from pegboard.services import policy
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, PurchaseRow, SalesRow, StockRow
from pegboard.services.planning import run_plan

PD = date(2026, 11, 23)
SS = 1.6448536269514722 * (10 * 4.16) ** 0.5


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


def company() -> Dataset:
    return Dataset(
        settings={"planning_date": PD.isoformat()},
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


def one(session: Session, code: str) -> policy.ItemPolicy:
    [p] = policy.compute(session, items=[code])
    return p


def test_reorder_point_figures_by_hand(shop: Session) -> None:
    c = one(shop, "C")
    assert c.window_days == 10
    assert c.adu == pytest.approx(1.2)
    assert c.sigma_d == pytest.approx(2.039608, abs=1e-6)
    assert c.sigma_lt == 0 and c.lead_time_observations == 0
    assert c.safety_stock == pytest.approx(10.608987, abs=1e-6)
    assert c.safety_stock == pytest.approx(SS)
    assert c.reorder_point == pytest.approx(22.608987, abs=1e-6)
    assert c.eoq == pytest.approx(147.986486, abs=1e-6)
    assert c.order_qty == 150
    assert c.position == policy.Position(10.0, 0.0, 4.0, 0.0)
    assert c.below_rop and c.suggested_qty == 150
    formulas = {f.name: f.formula for f in c.formulas}
    assert formulas["safety stock"].endswith("1.645 × √(10.00 × 2.04² + 1.20² × 0.00²) = 10.61")
    assert formulas["EOQ"] == "EOQ = √(2 × D × S / H) = √(2 × 438.00 × 50.00 / 2.00) = 147.99"
    assert "unknown (fewer than 3 receipts)" in {f.name: f.formula for f in c.inputs}["σL"]


def test_only_mts_items_below_first(shop: Session) -> None:
    rows = policy.compute(shop)
    assert [p.item for p in rows] == ["C", "SUB"]
    sub = rows[1]
    # SUB: parent FA lead 4 < 7, so a 7-day window; only the overdue 1 falls in it
    assert sub.window_days == 7
    assert sub.adu == pytest.approx(1 / 7)


def test_window_and_service_level_overrides(shop: Session) -> None:
    [c] = policy.compute(shop, items=["C"], window_days=20, service_level=0.5)
    # 20 days: needs 2, 6, 4 (pd+20 is outside [pd, pd+20)): ADU 0.6; z(0.5) = 0 -> SS 0
    assert c.adu == pytest.approx(0.6)
    assert c.safety_stock == pytest.approx(0.0)
    assert c.reorder_point == pytest.approx(6.0)


def test_ddmrp_buffer_zones(shop: Session) -> None:
    policy.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    c = one(shop, "C")
    z = c.zones
    assert z is not None
    assert (z.dlt, z.red_base, z.red_safety, z.red, z.yellow, z.green) == pytest.approx(
        (10, 6, 3, 9, 12, 6)
    )
    assert (z.top_of_red, z.top_of_yellow, z.top_of_green) == pytest.approx((9, 21, 27))
    assert z.net_flow == pytest.approx(12)
    assert z.order and z.suggested == 25
    assert c.below_rop and c.suggested_qty == 25


def test_item_settings_override_defaults(shop: Session) -> None:
    policy.set_item_policy(
        shop, "C", {"ordering_cost": 200.0, "holding_pct": 50.0}, author="planner"
    )
    c = one(shop, "C")
    # H = 8 × 50 % = 4; EOQ = √(2 × 438 × 200 / 4) = √43800 = 209.28 -> 225
    assert c.eoq == pytest.approx(209.284495, abs=1e-6)
    assert c.order_qty == 225
    view = policy.set_item_policy(shop, "C", {"ordering_cost": None}, author="planner")
    assert view.ordering_cost is None and view.holding_pct == 50.0


def test_apply_writes_items_audits_and_the_plan_uses_it(shop: Session) -> None:
    with pytest.raises(NotFoundError, match="no policy run yet"):
        policy.apply(shop, ["C"], author="planner")
    policy.run_policy(shop, author="planner", today=PD)
    assert [p.item for p in policy.preview(shop, ["C"])] == ["C"]
    changed = policy.apply(shop, ["C"], author="planner")
    assert [p.item for p in changed] == ["C"]
    with shop.begin():
        c = shop.scalar(select(Item).where(Item.code == "C"))
        assert c is not None
        assert c.safety_stock == pytest.approx(SS, abs=1e-6)
        assert c.min_qty == 150
        entry = shop.scalar(select(AuditEntry).where(AuditEntry.action == "policy_apply"))
        assert entry is not None and entry.entity_ref == "C" and entry.author == "planner"
        assert entry.before == {"safety_stock": 0.0, "min_qty": 0.0}
    # applying again changes nothing
    assert policy.apply(shop, ["C"], author="planner") == []
    run_plan(shop, author="planner", today=PD)
    with shop.begin():
        qty = shop.scalars(
            select(PlannedOrder.qty)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(Item.code == "C")
        ).all()
    # gross 14 + safety stock 10.61 - stock 10 - PO 4 > 0: one order of at least min_qty 150
    assert list(qty) == [150]


def test_a_run_is_stored_paged_and_explained(shop: Session) -> None:
    assert policy.latest_run(shop) is None
    assert policy.policy_page(shop).total == 0
    seen: list[str] = []
    summary = policy.run_policy(
        shop, author="planner", today=PD, progress=lambda stage, _d, _t: seen.append(stage)
    )
    assert seen == ["loading", "computing", "storing", "done"]
    assert (summary.items, summary.below, summary.planning_date) == (2, 2, PD)
    run = policy.latest_run(shop)
    assert run is not None and run.id == summary.run_id and run.author == "planner"
    assert run.window_days is None and run.service_level is None
    page = policy.policy_page(shop)
    assert page.total == 2 and [p.item for p in page.rows] == ["C", "SUB"]
    stored = page.rows[0]
    fresh = one(shop, "C")
    # the stored line gives the very numbers and formula texts of a fresh computation
    assert stored.formulas == fresh.formulas and stored.inputs == fresh.inputs
    assert stored.reorder_point == pytest.approx(22.608987, abs=1e-6)
    assert stored.suggested_qty == 150 and stored.position == policy.Position(10, 0, 4, 0)
    # every figure of the formulas is the stored (vectorised) number
    figures = {f.name: f.value for f in stored.formulas}
    assert figures["safety stock"] == stored.safety_stock
    assert figures["EOQ"] == stored.eoq and figures["order qty"] == stored.order_qty
    assert [p.item for p in policy.policy_page(shop, q="su").rows] == ["SUB"]
    assert [p.item for p in policy.policy_page(shop, sort="-adu").rows] == ["C", "SUB"]
    assert [p.item for p in policy.policy_page(shop, sort="adu").rows] == ["SUB", "C"]
    assert [p.item for p in policy.policy_page(shop, limit=1, offset=1).rows] == ["SUB"]
    assert policy.policy_page(shop, below_only=True).total == 2
    with pytest.raises(ValidationError):
        policy.policy_page(shop, sort="nope")
    e = policy.explain(shop, "C")
    assert e.daily == (2, 0, 6, 0, 0, 4, 0, 0, 0, 0) and e.start == PD
    assert e.run is not None and e.run.id == run.id
    with pytest.raises(NotFoundError, match="make-to-order"):
        policy.explain(shop, "FA")
    with pytest.raises(NotFoundError, match="no item"):
        policy.explain(shop, "NOPE")
    # a second run replaces the lines; options are recorded
    policy.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    assert policy.explain(shop, "C").policy.zones is None  # settings count from the next run
    policy.run_policy(shop, author="planner", today=PD, window_days=20, service_level=0.5)
    run2 = policy.latest_run(shop)
    assert run2 is not None and (run2.window_days, run2.service_level) == (20, 0.5)
    c = policy.explain(shop, "C").policy
    assert c.zones is not None and c.zones.top_of_green == pytest.approx(c.top_of_green)
    assert c.window_days == 20 and c.service_level_source == "--service-level"
    assert policy.policy_page(shop).total == 2


def test_a_buffer_line_keeps_its_zones(shop: Session) -> None:
    policy.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    policy.run_policy(shop, author="planner", today=PD)
    c = policy.explain(shop, "C").policy
    z = c.zones
    assert z is not None
    assert (z.top_of_red, z.top_of_yellow, z.top_of_green) == pytest.approx((9, 21, 27))
    assert (c.top_of_red, c.top_of_yellow, c.top_of_green) == (
        z.top_of_red,
        z.top_of_yellow,
        z.top_of_green,
    )
    assert c.net_flow == z.net_flow == pytest.approx(12)
    assert c.below_rop and c.suggested_qty == 25
    assert {ch.field: ch.after for ch in c.changes} == {"safety_stock": 9.0, "min_qty": 6.0}


def test_a_policy_job_is_refused_while_another_runs(shop: Session) -> None:
    from pegboard.errors import ConflictError
    from pegboard.services import jobs

    first = policy.start_policy_job(shop, author="planner")
    with pytest.raises(ConflictError, match="policy run"):
        policy.start_policy_job(shop, author="planner")
    jobs.finish(shop, first, {})
    second = policy.start_policy_job(shop, author="planner")
    assert second > first


def test_import_after_a_policy_was_set(shop: Session) -> None:
    policy.set_item_policy(shop, "C", {"buffer": True}, author="planner")
    policy.run_policy(shop, author="planner")
    assert policy.latest_run(shop) is not None
    shop.rollback()
    replace_company(shop, company(), author="import")
    assert policy.get_item_policy(shop, "C").buffer is False
    # the replaced company's figures are gone with it: no stale policy is shown
    assert policy.latest_run(shop) is None


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (lambda s: policy.compute(s, items=["NOPE"]), NotFoundError, "items"),
        (lambda s: policy.compute(s, items=["FA"]), ValidationError, "items"),
        (lambda s: policy.compute(s, service_level=1.0), ValidationError, "service_level"),
        (lambda s: policy.compute(s, service_level=0.0), ValidationError, "service_level"),
        (lambda s: policy.compute(s, window_days=0), ValidationError, "window_days"),
        (
            lambda s: policy.set_item_policy(s, "C", {"ordering_cost": -1.0}, author="p"),
            ValidationError,
            "ordering_cost",
        ),
        (
            lambda s: policy.set_item_policy(s, "C", {"service_level": 1.5}, author="p"),
            ValidationError,
            "service_level",
        ),
        (
            lambda s: policy.set_item_policy(s, "NOPE", {"buffer": True}, author="p"),
            NotFoundError,
            "item",
        ),
    ],
)
def test_bad_input(shop: Session, call: object, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as caught:
        call(shop)  # type: ignore[operator]
    assert caught.value.params["field"] == field  # type: ignore[attr-defined]
