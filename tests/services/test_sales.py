"""Customers, projects and sales orders: statuses, numbers, refusals, the project overview.

The status workflow is data (``sales.TRANSITIONS``); the meta-test below walks
the whole matrix, so a pair that is allowed but broken, or refused but listed,
cannot hide (Tryton's ``test_workflow_transitions``).
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import (
    AuditEntry,
    Customer,
    Project,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatus,
)
from pegboard.services import audit, order_changes, sales
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow
from pegboard.services.planning import run_plan

S = SalesOrderStatus
PLANNING_DATE = date(2026, 11, 23)


def item(code: str, type_: str, strategy: str, lead: int) -> ItemRow:
    return ItemRow(code, "", type_, strategy, "ea", lead, "lfl", None, None, 0.0, 0.0, 0.0, 0.0, "")


@pytest.fixture
def shop(session: Session) -> Session:
    """FA is made to order in 5 days from C, which takes 10 days to buy; nothing in stock."""
    replace_company(
        session,
        Dataset(
            settings={"planning_date": PLANNING_DATE.isoformat()},
            items=[item("FA", "make", "mto", 5), item("C", "buy", "mts", 10)],
            bom=[BomRow("FA", "C", 2.0, 0.0, "")],
        ),
        author="import",
    )
    sales.create_customer(session, code="ACME", name="Acme Builders", author="sales")
    return session


def counts(session: Session) -> dict[str, int]:
    tables = (Customer, Project, SalesOrder, SalesOrderLine, AuditEntry)
    with session.begin():
        return {
            t.__tablename__: int(session.scalar(select(func.count()).select_from(t)) or 0)
            for t in tables
        }


def status_of(session: Session, number: str) -> tuple[S, list[S]]:
    """The order's status and its lines' statuses, in line order."""
    with session.begin():
        order = sales.get_order(session, number)
        lines = session.scalars(
            select(SalesOrderLine.status)
            .where(SalesOrderLine.sales_order_id == order.id)
            .order_by(SalesOrderLine.line)
        ).all()
        return order.status, list(lines)


def force_status(session: Session, number: str, status: S) -> None:
    """Test setup: put an order and its lines in ``status`` without going through the workflow."""
    with session.begin():
        order_id = session.scalars(select(SalesOrder.id).where(SalesOrder.number == number)).one()
        session.execute(update(SalesOrder).where(SalesOrder.id == order_id).values(status=status))
        session.execute(
            update(SalesOrderLine)
            .where(SalesOrderLine.sales_order_id == order_id)
            .values(status=status)
        )


def new_order(session: Session, number: str | None = None, *, lines: int = 1) -> str:
    number = sales.create_order(session, customer="ACME", number=number, author="sales")
    for _ in range(lines):
        sales.add_line(session, number, item="FA", qty=2, due=date(2027, 1, 15), author="sales")
    return number


# --------------------------------------------------------------------------- statuses


def test_the_transition_table_is_the_documented_workflow() -> None:
    assert {
        S.DRAFT: {S.CONFIRMED, S.CANCELLED},
        S.CONFIRMED: {S.IN_PRODUCTION, S.SHIPPED, S.CANCELLED},
        S.IN_PRODUCTION: {S.SHIPPED, S.CANCELLED},
        S.SHIPPED: {S.CLOSED},
        S.CLOSED: set(),
        S.CANCELLED: set(),
    } == sales.TRANSITIONS
    # Every status is reachable from draft, and closed and cancelled are the only ends.
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        for nxt in sales.TRANSITIONS[frontier.pop()] - reached:
            reached.add(nxt)
            frontier.append(nxt)
    assert reached == set(S)
    assert {s for s, nxt in sales.TRANSITIONS.items() if not nxt} == {S.CLOSED, S.CANCELLED}


def test_every_pair_of_statuses_is_allowed_or_refused_as_the_table_says(shop: Session) -> None:
    for n, (current, wanted) in enumerate(itertools.product(S, S)):
        number = new_order(shop, f"T-{n}")
        force_status(shop, number, current)
        before = counts(shop)
        allowed = sales.TRANSITIONS[current]
        if wanted in allowed:
            sales.set_status(shop, number, wanted, author="sales")
            # Open lines follow the order; a shipped line stays shipped when the order closes.
            line = current if current in (S.SHIPPED, S.CLOSED, S.CANCELLED) else wanted
            assert status_of(shop, number) == (wanted, [line]), (current, wanted)
            with shop.begin():
                (entry, *_) = audit.history(shop, entity="sales_order", ref=number)
                assert (entry.action, entry.before, entry.after) == (
                    "status",
                    {"status": current.value},
                    {"status": wanted.value},
                )
            # cancelling an order also cancels (and records) each of its open lines
            cascaded = wanted is S.CANCELLED and current not in (S.SHIPPED, S.CLOSED, S.CANCELLED)
            entries = 1 + (1 if cascaded else 0)
            assert counts(shop) == {**before, "audit_entry": before["audit_entry"] + entries}
        else:
            with pytest.raises(ConflictError) as refused:
                sales.set_status(shop, number, wanted, author="sales")
            listed = ", ".join(sorted(s.value for s in allowed)) or "none"
            assert refused.value.message == (
                f"{number} is {current.value}; it cannot become {wanted.value} (allowed: {listed})"
            )
            assert refused.value.params == {
                "ref": number,
                "status": current.value,
                "wanted": wanted.value,
            }
            assert status_of(shop, number) == (current, [current]), (current, wanted)
            assert counts(shop) == before


def test_an_order_goes_from_draft_to_closed_and_its_lines_follow(shop: Session) -> None:
    number = new_order(shop, lines=2)
    assert status_of(shop, number) == (S.DRAFT, [S.DRAFT, S.DRAFT])
    for status in (S.CONFIRMED, S.IN_PRODUCTION, S.SHIPPED):
        sales.set_status(shop, number, status, author="sales")
        assert status_of(shop, number) == (status, [status, status])
    # Shipped lines are done: closing the order leaves them shipped.
    sales.set_status(shop, number, S.CLOSED, author="sales")
    assert status_of(shop, number) == (S.CLOSED, [S.SHIPPED, S.SHIPPED])
    with shop.begin():
        trail = [
            (e.author, e.before, e.after)
            for e in reversed(audit.history(shop, entity="sales_order", ref=number))
            if e.action == "status"
        ]
    assert trail == [
        ("sales", {"status": "draft"}, {"status": "confirmed"}),
        ("sales", {"status": "confirmed"}, {"status": "in_production"}),
        ("sales", {"status": "in_production"}, {"status": "shipped"}),
        ("sales", {"status": "shipped"}, {"status": "closed"}),
    ]


def test_a_cancelled_line_stays_cancelled_when_the_order_moves_on(shop: Session) -> None:
    number = new_order(shop, lines=2)
    sales.set_status(shop, number, S.CONFIRMED, author="sales")
    order_changes.cancel_line(shop, number, 1, author="sales")
    sales.set_status(shop, number, S.IN_PRODUCTION, author="sales")
    assert status_of(shop, number) == (S.IN_PRODUCTION, [S.CANCELLED, S.IN_PRODUCTION])


def test_confirming_an_order_without_lines_is_refused(shop: Session) -> None:
    number = new_order(shop, lines=0)
    before = counts(shop)
    with pytest.raises(ConflictError, match=f"{number} has no lines to confirm"):
        sales.set_status(shop, number, S.CONFIRMED, author="sales")
    assert status_of(shop, number) == (S.DRAFT, [])
    assert counts(shop) == before
    # Cancelling an empty draft is fine.
    sales.set_status(shop, number, S.CANCELLED, author="sales")
    assert status_of(shop, number) == (S.CANCELLED, [])


def test_shipped_and_closed_orders_are_not_exported_as_open_demand(shop: Session) -> None:
    """``read_company`` gives "what is still open"; an import makes every sales row a confirmed
    order, so a shipped or closed order in the export would be planned and built again."""
    numbers = {}
    for status in (S.CONFIRMED, S.IN_PRODUCTION, S.SHIPPED, S.CLOSED):
        number = numbers[status] = new_order(shop)
        sales.set_status(shop, number, S.CONFIRMED, author="sales")
        force_status(shop, number, status)
    with shop.begin():
        exported = {r.sales_order for r in read_company(shop).sales}
    assert exported == {numbers[S.CONFIRMED], numbers[S.IN_PRODUCTION]}


def test_unknown_order_is_not_found(shop: Session) -> None:
    with pytest.raises(NotFoundError, match="no sales order 'SO-4242'"):
        sales.set_status(shop, "SO-4242", S.CONFIRMED, author="sales")


# --------------------------------------------------------------------------- numbers


def test_order_numbers_start_at_so_1001_and_increase(shop: Session) -> None:
    assert [new_order(shop, lines=0) for _ in range(3)] == ["SO-1001", "SO-1002", "SO-1003"]
    assert new_order(shop, "SO-1500", lines=0) == "SO-1500"
    assert new_order(shop, lines=0) == "SO-1501"


def test_other_numbering_schemes_are_left_alone(shop: Session) -> None:
    for other in ("ORD-7", "SO-ABC", "SO-12a", "XSO-9999", "SO-99999-1", "so-5000", "SO-"):
        assert new_order(shop, other, lines=0) == other
    assert new_order(shop, lines=0) == "SO-1001"
    assert new_order(shop, lines=0) == "SO-1002"


def test_numbering_continues_after_the_highest_so_number(shop: Session) -> None:
    """Imported orders below SO-1001 are continued, not jumped over."""
    new_order(shop, "SO-5", lines=0)
    new_order(shop, "SO-0042", lines=0)
    assert new_order(shop, lines=0) == "SO-43"


def test_a_number_taken_is_refused(shop: Session) -> None:
    new_order(shop, "SO-1001", lines=0)
    before = counts(shop)
    with pytest.raises(ConflictError, match="sales order SO-1001 exists already"):
        new_order(shop, "SO-1001", lines=0)
    assert counts(shop) == before


# --------------------------------------------------------------------------- master data


def test_customers_and_projects_are_unique_and_audited(shop: Session) -> None:
    before = counts(shop)
    with pytest.raises(ConflictError, match="customer 'ACME' exists already"):
        sales.create_customer(shop, code="ACME", author="sales")
    assert counts(shop) == before

    sales.create_project(shop, customer="ACME", code="Tower", name="Tower A", author="sales")
    before = counts(shop)
    with pytest.raises(ConflictError, match="project 'Tower' of ACME exists already"):
        sales.create_project(shop, customer="ACME", code="Tower", author="sales")
    assert counts(shop) == before

    # Another customer may use the same project code.
    sales.create_customer(shop, code="BOLT", author="sales")
    sales.create_project(shop, customer="BOLT", code="Tower", author="sales")
    with shop.begin():
        projects = shop.execute(
            select(Customer.code, Project.code, Project.name).join(Customer).order_by(Customer.code)
        ).all()
        trail = [(e.entity, e.entity_ref, e.action, e.after) for e in audit.history(shop)][::-1]
    assert [tuple(p) for p in projects] == [
        ("ACME", "Tower", "Tower A"),
        ("BOLT", "Tower", "Tower"),
    ]
    assert trail == [
        ("customer", "ACME", "create", {"name": "Acme Builders"}),
        ("project", "ACME/Tower", "create", {"name": "Tower A"}),
        ("customer", "BOLT", "create", {"name": "BOLT"}),
        ("project", "BOLT/Tower", "create", {"name": "Tower"}),
    ]


def test_unknown_customer_project_and_item_are_not_found(shop: Session) -> None:
    before = counts(shop)
    with pytest.raises(NotFoundError, match="no customer 'NOPE'"):
        sales.create_project(shop, customer="NOPE", code="P", author="sales")
    with pytest.raises(NotFoundError, match="no customer 'NOPE'"):
        sales.create_order(shop, customer="NOPE", author="sales")
    with pytest.raises(NotFoundError, match="ACME has no project 'Nowhere'"):
        sales.create_order(shop, customer="ACME", project="Nowhere", author="sales")
    assert counts(shop) == before
    number = new_order(shop, lines=0)
    before = counts(shop)
    with pytest.raises(NotFoundError, match="no item 'GHOST'"):
        sales.add_line(shop, number, item="GHOST", qty=1, due=date(2027, 1, 1), author="sales")
    assert counts(shop) == before


@pytest.mark.parametrize(
    ("what", "code"),
    [("customer", ""), ("customer", "   "), ("project", ""), ("order", "  ")],
)
def test_blank_codes_are_refused(shop: Session, what: str, code: str) -> None:
    """A customer, project or order nobody can name again (and no bundle can hold) is refused."""
    before = counts(shop)
    with pytest.raises(ValidationError):
        if what == "customer":
            sales.create_customer(shop, code=code, author="sales")
        elif what == "project":
            sales.create_project(shop, customer="ACME", code=code, author="sales")
        else:
            sales.create_order(shop, customer="ACME", number=code, author="sales")
    assert counts(shop) == before


# --------------------------------------------------------------------------- lines


@pytest.mark.parametrize("qty", [0.0, -1.0, float("nan"), float("inf"), 1e13])
def test_a_line_needs_a_sensible_positive_quantity(shop: Session, qty: float) -> None:
    number = new_order(shop, lines=0)
    before = counts(shop)
    with pytest.raises(ValidationError, match="qty must be a number greater than 0") as refused:
        sales.add_line(shop, number, item="FA", qty=qty, due=date(2027, 1, 1), author="sales")
    assert refused.value.params == {"field": "qty"}
    assert counts(shop) == before


def test_lines_are_numbered_and_take_the_order_status(shop: Session) -> None:
    number = new_order(shop, lines=1)
    sales.set_status(shop, number, S.CONFIRMED, author="sales")
    line = sales.add_line(
        shop, number, item="C", qty=3, due=date(2027, 2, 1), priority=10, author="sales"
    )
    assert line == 2
    assert status_of(shop, number) == (S.CONFIRMED, [S.CONFIRMED, S.CONFIRMED])
    with shop.begin():
        (entry, *_) = audit.history(shop, entity="sales_order_line", ref=f"{number}/2")
    assert (entry.action, entry.after) == (
        "create",
        {"item": "C", "qty": 3, "due": "2027-02-01", "priority": 10},
    )


@pytest.mark.parametrize("status", [S.SHIPPED, S.CLOSED, S.CANCELLED])
def test_no_lines_can_be_added_to_a_finished_order(shop: Session, status: S) -> None:
    number = new_order(shop, lines=1)
    force_status(shop, number, status)
    before = counts(shop)
    with pytest.raises(ConflictError, match=f"{number} is {status.value}; no lines can be added"):
        sales.add_line(shop, number, item="FA", qty=1, due=date(2027, 1, 1), author="sales")
    assert counts(shop) == before


# --------------------------------------------------------------------------- project overview


def test_project_overview_shows_status_due_and_after_a_plan_projected_and_late(
    shop: Session,
) -> None:
    sales.create_project(shop, customer="ACME", code="Tower", author="sales")
    sales.create_project(shop, customer="ACME", code="Depot", author="sales")
    late = sales.create_order(shop, customer="ACME", project="Tower", author="sales")
    sales.add_line(shop, late, item="FA", qty=2, due=date(2026, 11, 30), author="sales")
    sales.add_line(shop, late, item="C", qty=2, due=date(2026, 12, 1), author="sales")
    on_time = sales.create_order(shop, customer="ACME", project="Tower", author="sales")
    sales.add_line(shop, on_time, item="FA", qty=1, due=date(2027, 2, 1), author="sales")
    draft = sales.create_order(shop, customer="ACME", project="Tower", author="sales")
    elsewhere = sales.create_order(shop, customer="ACME", project="Depot", author="sales")
    sales.add_line(shop, elsewhere, item="FA", qty=1, due=date(2027, 2, 1), author="sales")
    for number in (late, on_time, elsewhere):
        sales.set_status(shop, number, S.CONFIRMED, author="sales")

    with shop.begin():
        rows = sales.project_overview(shop, "ACME", "Tower")
    assert [(r.number, r.status, r.lines, r.due, r.projected, r.late_days) for r in rows] == [
        (late, "confirmed", 2, date(2026, 12, 1), None, 0),
        (on_time, "confirmed", 1, date(2027, 2, 1), None, 0),
        (draft, "draft", 0, None, None, 0),
    ]

    # Planned on 2026-11-23: C arrives 10 days later (12-03), FA is made 5 days after
    # that (12-08). The FA line due 11-30 is 8 days late, the C line due 12-01 two days;
    # the order shows its latest line. SO-1002 has time enough.
    run_plan(shop, author="planner")
    with shop.begin():
        rows = sales.project_overview(shop, "ACME", "Tower")
    assert [(r.number, r.status, r.lines, r.due, r.projected, r.late_days) for r in rows] == [
        (late, "confirmed", 2, date(2026, 12, 1), date(2026, 12, 8), 8),
        (on_time, "confirmed", 1, date(2027, 2, 1), date(2027, 2, 1), 0),
        (draft, "draft", 0, None, None, 0),
    ]
    # the project: done when its last order is, late when any is; the draft has no date
    dates = sales.project_dates(rows)
    assert dates == sales.ProjectDates(
        planned=2,
        due=date(2027, 2, 1),
        projected=date(2027, 2, 1),
        late_orders=1,
        late_days=8,
        most_late=late,
    )
    assert dates.summary() == (
        f"1 of 2 orders in the plan late, {late} the most (8 days): "
        "the last is due 2027-02-01 and projected 2027-02-01."
    )


def test_the_order_list_reads_projected_dates_and_the_rollup_of_a_named_project(
    shop: Session,
) -> None:
    sales.create_project(shop, customer="ACME", code="Tower", author="sales")
    late = sales.create_order(shop, customer="ACME", project="Tower", author="sales")
    sales.add_line(shop, late, item="FA", qty=2, due=date(2026, 11, 30), author="sales")
    draft = sales.create_order(shop, customer="ACME", project="Tower", author="sales")
    sales.set_status(shop, late, S.CONFIRMED, author="sales")
    run_plan(shop, author="planner")
    with shop.begin():
        # FA is made 5 days after C arrives (12-03): 12-08, 8 days late
        assert sales.projected_by_order(shop, [late, draft, "SO-NONE"]) == {
            late: (date(2026, 12, 8), 8)
        }
        assert sales.projected_by_order(shop, []) == {}
        rollup = sales.project_rollup(shop, "ACME", "Tower")
        assert rollup is not None and (rollup.most_late, rollup.late_days) == (late, 8)
        assert sales.project_rollup(shop, "ACME", "Nowhere") is None
        assert sales.project_rollup(shop, "NOPE", "Tower") is None


def test_a_projects_dates_roll_up_from_its_orders() -> None:
    def order(number: str, due: date, projected: date | None) -> sales.OrderSummary:
        late = max(0, (projected - due).days) if projected else 0
        return sales.OrderSummary(number, "confirmed", 1, due, projected, late)

    nothing = sales.project_dates([order("SO-1", date(2027, 1, 4), None)])
    assert (nothing.planned, nothing.late_orders, nothing.most_late) == (0, 0, None)
    assert nothing.summary() == "No order of the project is in the current plan."
    on_time = sales.project_dates([order("SO-1", date(2027, 1, 4), date(2027, 1, 4))])
    assert on_time.summary() == (
        "1 order in the plan, on time: the last is due 2027-01-04 and projected 2027-01-04."
    )
    # two late by 3 days: the first by number is named; the roll-up's dates are the
    # latest of each, which may come from different orders
    tie = sales.project_dates(
        [
            order("SO-2", date(2027, 1, 4), date(2027, 1, 7)),
            order("SO-3", date(2027, 2, 1), date(2027, 1, 20)),
            order("SO-4", date(2027, 1, 11), date(2027, 1, 14)),
        ]
    )
    assert (tie.due, tie.projected, tie.late_orders, tie.late_days, tie.most_late) == (
        date(2027, 2, 1),
        date(2027, 1, 20),
        2,
        3,
        "SO-2",
    )


def test_project_overview_of_an_unknown_project(shop: Session) -> None:
    with shop.begin(), pytest.raises(NotFoundError, match="ACME has no project 'Nowhere'"):
        sales.project_overview(shop, "ACME", "Nowhere")
    with shop.begin(), pytest.raises(NotFoundError, match="no customer 'NOPE'"):
        sales.project_overview(shop, "NOPE", "Tower")
