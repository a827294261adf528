"""Firming takes a planned order out of the plan (#14, 2) and a mixed firm is one
transaction (#14, 4).

Once a planned order is firmed, no to-release list offers it again (a second
buyer would order it twice), the run's release counts lose it, and until the
next plan run its pegging is carried by the purchase-order line or production
order it became, so the pegging and the late chain show the real order.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.errors import ConflictError, PermissionDeniedError
from pegboard.model import (
    ItemType,
    Pegging,
    PlannedOrder,
    PlanRun,
    ProductionOrder,
    PurchaseOrder,
    Role,
)
from pegboard.services import plan_results, reports
from pegboard.services.company_data import replace_company
from pegboard.services.firm_selection import firm_selection
from pegboard.services.planning import current_run, run_plan
from pegboard.services.production import firm_productions
from pegboard.services.purchasing import firm_purchases


@pytest.fixture
def planned(session: Session) -> Session:
    replace_company(session, read_bundle(demo_path("lighting")), author="import")
    run_plan(session, author="planner")
    return session


def first_planned(session: Session, kind: ItemType, demand_type: str) -> PlannedOrder:
    """The first planned order of ``kind`` pegged to a demand of ``demand_type``."""
    with session.begin():
        row = session.scalars(
            select(PlannedOrder)
            .join(Pegging, Pegging.supply_ref == PlannedOrder.number)
            .where(PlannedOrder.type == kind, Pegging.demand_type == demand_type)
            .order_by(PlannedOrder.id)
            .limit(1)
        ).one()
        session.expunge(row)
        return row


def pegging(session: Session, ref: str) -> dict[str, list[tuple[str, str, float]]]:
    """The pegging rows naming ``ref``, as supply and as demand."""
    with session.begin():
        supply = session.execute(
            select(Pegging.demand_type, Pegging.demand_ref, Pegging.qty)
            .where(Pegging.supply_ref == ref)
            .order_by(Pegging.id)
        ).all()
        demand = session.execute(
            select(Pegging.supply_type, Pegging.supply_ref, Pegging.qty)
            .where(Pegging.demand_ref == ref)
            .order_by(Pegging.id)
        ).all()
    return {"supply": [tuple(r) for r in supply], "demand": [tuple(r) for r in demand]}


def to_release(session: Session, kind: str, until: date | None = None) -> dict[str, object]:
    """Every to-release view of ``kind``: the report list, the counts, the page query."""
    with session.begin():
        run = current_run(session)
        assert run is not None
        rows = reports.buy_list if kind == "buy" else reports.make_list
        page = session.execute(
            plan_results.planned_order_query(kind=ItemType(kind), firmed=False, until=until)
        ).all()
        return {
            "list": {r.number for r in rows(session, until=until)},
            "count": reports.count_planned(session, kind, until=until),
            "run_count": plan_results.run_count_planned(session, run, kind, until=until),
            "page": {r[0] for r in page},
        }


def test_a_firmed_buy_leaves_every_to_release_list(planned: Session) -> None:
    buy = first_planned(planned, ItemType.BUY, "planned_order")
    before = to_release(planned, "buy", buy.release_date)
    pegged = pegging(planned, buy.number)
    assert buy.number in before["list"] and buy.number in before["page"]

    (po,) = firm_purchases(planned, planned=[buy.number], author="buyer")

    after = to_release(planned, "buy", buy.release_date)
    assert after["list"] == before["list"] - {buy.number}  # type: ignore[operator]
    assert after["page"] == before["page"] - {buy.number}  # type: ignore[operator]
    assert after["count"] == before["count"] - 1  # type: ignore[operator]
    assert after["run_count"] == before["run_count"] - 1  # type: ignore[operator]
    # its pegging is carried by the purchase-order line it became
    assert pegging(planned, buy.number) == {"supply": [], "demand": []}
    assert pegging(planned, f"{po}/1")["supply"] == pegged["supply"]
    with planned.begin():
        kinds = planned.scalars(
            select(Pegging.supply_type).where(Pegging.supply_ref == f"{po}/1").distinct()
        ).all()
    assert kinds == ["purchase_order"]
    # a second buyer cannot order it again
    with pytest.raises(ConflictError, match="firmed already"):
        firm_purchases(planned, planned=[buy.number], author="buyer 2")


def test_a_firmed_make_carries_its_pegging_and_the_late_chain(planned: Session) -> None:
    make = first_planned(planned, ItemType.MAKE, "sales_order")
    pegged = pegging(planned, make.number)
    assert pegged["demand"], "its components are pegged to it"
    (demand_type, line, _qty), *_ = pegged["supply"]
    assert demand_type == "sales_order"
    before = to_release(planned, "make")

    (mo,) = firm_productions(planned, planned=[make.number], author="planner")

    after = to_release(planned, "make")
    assert make.number not in after["list"]  # type: ignore[operator]
    assert after["count"] == before["count"] - 1  # type: ignore[operator]
    assert after["run_count"] == before["run_count"] - 1  # type: ignore[operator]
    assert pegging(planned, make.number) == {"supply": [], "demand": []}
    assert pegging(planned, mo) == pegged  # both sides: what it serves, what serves it
    # the sales order's supply tree shows the production order, available when the
    # planned order was
    with planned.begin():
        lines = reports.sales_order_pegging(planned, line.rpartition("/")[0])
    (status,) = [s for s in lines if s.demand == line]
    node = next(n for n in status.supplies if n.supply == mo)
    assert node.supply_type == "production_order"
    assert node.available == max(make.due_date, make.earliest_completion)
    assert {c.supply for c in node.children} == {r for _t, r, _q in pegged["demand"]}


def test_a_mixed_firm_is_one_transaction(planned: Session) -> None:
    buy = first_planned(planned, ItemType.BUY, "planned_order")
    make = first_planned(planned, ItemType.MAKE, "sales_order")

    def count(table: type[PurchaseOrder] | type[ProductionOrder]) -> int:
        with planned.begin():
            return int(planned.scalar(select(func.count()).select_from(table)) or 0)

    orders = (count(PurchaseOrder), count(ProductionOrder))
    # someone else firmed the make a moment ago: nothing of the selection is firmed
    firm_productions(planned, planned=[make.number], author="other planner")
    orders = (orders[0], orders[1] + 1)
    with pytest.raises(ConflictError, match="firmed already"):
        firm_selection(planned, planned=[buy.number, make.number], role=Role.PLANNER, author="p")
    assert (count(PurchaseOrder), count(ProductionOrder)) == orders
    assert buy.number in to_release(planned, "buy")["list"]  # type: ignore[operator]

    # a buyer may firm buys, not makes: refused as a whole
    other = first_planned(planned, ItemType.MAKE, "planned_order")
    with pytest.raises(PermissionDeniedError, match="planned make orders"):
        firm_selection(planned, planned=[buy.number, other.number], role=Role.BUYER, author="b")
    assert (count(PurchaseOrder), count(ProductionOrder)) == orders

    done = firm_selection(
        planned, planned=[buy.number, other.number], role=Role.PLANNER, author="p"
    )
    assert len(done.purchase_orders) == 1 and len(done.production_orders) == 1
    assert (count(PurchaseOrder), count(ProductionOrder)) == (orders[0] + 1, orders[1] + 1)
    assert buy.number not in to_release(planned, "buy")["list"]  # type: ignore[operator]
    assert other.number not in to_release(planned, "make")["list"]  # type: ignore[operator]


def test_a_run_stored_before_its_counts_counts_only_what_is_to_release(
    planned: Session,
) -> None:
    with planned.begin():
        planned.execute(update(PlanRun).values(counts=None))
    buy = first_planned(planned, ItemType.BUY, "planned_order")
    before = to_release(planned, "buy")
    firm_purchases(planned, planned=[buy.number], author="buyer")
    after = to_release(planned, "buy")
    assert after["run_count"] == before["run_count"] - 1 == after["count"]  # type: ignore[operator]
