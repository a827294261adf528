"""Codes that could be created but never reached are refused by every service that
creates one, and by the bundle reader with file, line and column (issue #20, item 9)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.errors import BundleError, ValidationError
from pegboard.model import Customer, Item, Location, SalesOrder, WorkCenter
from pegboard.services import capacity, items, locations, order_bom, sales
from pegboard.services.codes import check_code, code_problem

WHO = "planner"
UNREACHABLE = ["A/B", "A\\B", "A?B", "A#B", "A%20B", "A\tB", "A\x7fB", "A\u2028B"]


@pytest.mark.parametrize("code", UNREACHABLE)
def test_path_and_control_characters_are_no_code(code: str) -> None:
    assert code_problem(code) is not None
    with pytest.raises(ValidationError) as refused:
        check_code(code, "item")
    assert refused.value.params == {"field": "item", "value": code}


def test_what_a_code_may_hold() -> None:
    for fine in ("LR-7040", "MK$foo$", "Kunde Müller", "A.B_C", "中文", "x" * 100):
        assert code_problem(fine) is None, fine
    assert check_code("  SO-1 ") == "SO-1"
    assert code_problem(" SO-1") == "starts or ends with a space"
    assert code_problem("x" * 101) == "longer than 100 characters"
    assert code_problem("") == "must not be blank"


def _count(session: Session, model: type) -> int:
    with session.begin():
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


CREATORS: dict[str, tuple[type, Callable[[Session, str], object]]] = {
    "item": (Item, lambda s, c: items.create_item(s, c, {}, author=WHO)),
    "customer": (Customer, lambda s, c: sales.create_customer(s, code=c, author=WHO)),
    "location": (Location, lambda s, c: locations.add_location(s, c, author=WHO)),
    "work center": (
        WorkCenter,
        lambda s, c: capacity.save_work_center(s, code=c, hours_per_day=8, author=WHO),
    ),
}


@pytest.mark.parametrize("kind", sorted(CREATORS))
@pytest.mark.parametrize("code", ["A/B", "A?B", "A#B", "A%B", "A\\B", "A\nB"])
def test_every_service_refuses_an_unreachable_code(session: Session, kind: str, code: str) -> None:
    model, create = CREATORS[kind]
    before = _count(session, model)
    with pytest.raises(ValidationError) as refused:
        create(session, code)
    assert refused.value.params["field"] == ("customer" if kind == "customer" else "code")
    assert _count(session, model) == before
    create(session, "A-B")
    assert _count(session, model) == before + 1


def test_projects_order_numbers_and_saved_templates_follow_the_rule(session: Session) -> None:
    sales.create_customer(session, code="ACME", author=WHO)
    with pytest.raises(ValidationError) as refused:
        sales.create_project(session, customer="ACME", code="hall/2", author=WHO)
    assert refused.value.params["field"] == "project"
    with pytest.raises(ValidationError) as refused:
        sales.create_order(session, customer="ACME", number="SO-1/2", author=WHO)
    assert refused.value.params["field"] == "number"
    assert _count(session, SalesOrder) == 0
    with pytest.raises(ValidationError) as refused:
        order_bom.save_as_template(session, "SO-1", "LR?X", author=WHO)
    assert refused.value.params["field"] == "new_item"


@pytest.mark.parametrize(
    ("file", "header", "rows", "column"),
    [
        ("items.csv", "item,type", ["W,buy", "A/B,buy"], "item"),
        (
            "sales_orders.csv",
            "sales_order,customer,item,qty,due_date",
            ["SO#1,C,W,1,2026-12-01"],
            "sales_order",
        ),
        ("work_centers.csv", "work_center,hours_per_day", ["SAW?1,8"], "work_center"),
        ("stock.csv", "item,qty,location", ["W,1,bay\\2"], "location"),
    ],
)
def test_the_bundle_reader_locates_an_unreachable_code(
    tmp_path: Path, file: str, header: str, rows: list[str], column: str
) -> None:
    if file != "items.csv":
        (tmp_path / "items.csv").write_text("item,type\nW,buy\n")
    (tmp_path / file).write_text("\n".join([header, *rows]) + "\n")
    with pytest.raises(BundleError) as caught:
        read_bundle(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == (file, len(rows) + 1, column)
    assert "a code may not hold any of / \\ ? # %" in problem.reason
