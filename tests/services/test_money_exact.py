"""Money is never a binary float (#16): a scan of the tables and of the cost code, and
every figure of an estimate checked to be a ``Decimal``."""

from __future__ import annotations

import ast
import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Numeric
from sqlalchemy.orm import Session

import pegboard
from _costing import TODAY, build_shop
from pegboard.errors import ValidationError
from pegboard.model import Base
from pegboard.services import costing
from pegboard.services.policy import runs as policy_runs
from pegboard.services.policy import settings as policy_settings
from pegboard.services.policy import stored as policy_stored

MONEY_WORDS = ("price", "cost_rate", "amount", "discount", "revenue", "margin")
SOURCE = Path(pegboard.__file__).parent
COST_CODE = (
    "engine/costing.py",
    "services/costing.py",
    "services/money.py",
    "services/valuation.py",
    "services/actual_cost.py",
    "services/variance.py",
    "services/final_cost.py",
)
LEDGER_VALUES = {("stock_move", "value"), ("stock_balance", "value")}


def money_columns() -> list[tuple[str, str, object]]:
    return [
        (table.name, column.name, column.type)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(word in column.name for word in MONEY_WORDS)
        or column.name.endswith("_cost")
        or column.name == "unit_cost"
    ]


def test_every_new_money_column_is_numeric() -> None:
    found = money_columns() + [
        (t.name, c.name, c.type)
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if (t.name, c.name) in LEDGER_VALUES
    ]
    names = {(t, c) for t, c, _ in found}
    assert {("sales_order_line", "unit_price"), ("item", "unit_cost")} | LEDGER_VALUES <= names
    assert ("purchase_order_line", "unit_price") in names
    floats = {(t, c) for t, c, kind in found if not isinstance(kind, Numeric) or not kind.asdecimal}
    assert floats == set(), f"money stored as a float: {sorted(floats)}"
    policy = {("policy_line", "unit_cost"), ("policy_line", "holding_cost")}
    assert policy | {("item_policy", "ordering_cost"), ("policy_line", "ordering_cost")} <= names


@pytest.mark.parametrize("path", COST_CODE)
def test_the_cost_code_makes_no_float(path: str) -> None:
    """No ``float(...)`` call and no float literal: figures are Decimals from end to end."""
    tree = ast.parse((SOURCE / path).read_text(encoding="utf-8"))
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "float"
    ]
    literals = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, float)
    ]
    allowed = {"services/money.py": 1}  # as_decimal: a stored float, by its shortest repr
    assert len(calls) == allowed.get(path, 0), f"float() at lines {calls}"
    assert literals == [], f"float literals at lines {literals}"


def decimals_of(value: object, path: str = "estimate") -> list[tuple[str, object]]:
    """Every number in a result: (where, value)."""
    found: list[tuple[str, object]] = []
    if isinstance(value, bool | str) or value is None:
        return found
    if isinstance(value, int | float | Decimal):
        return [(path, value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            found += decimals_of(getattr(value, f.name), f"{path}.{f.name}")
        for name in ("cost", "margin", "margin_pct", "unit_cost"):
            if hasattr(type(value), name) and isinstance(getattr(type(value), name), property):
                found += decimals_of(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            found += decimals_of(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += decimals_of(item, f"{path}[{key!r}]")
    return found


WHOLE = ("level", "sequence")


def test_every_figure_of_an_estimate_is_a_decimal(session: Session) -> None:
    build_shop(session)
    with session.begin():
        estimate = costing.line_cost(session, "SO-1", 1)
        order = costing.order_cost(session, "SO-1")
    numbers = decimals_of(estimate) + decimals_of(order, "order")
    assert len(numbers) > 100
    wrong = [
        (where, type(v).__name__)
        for where, v in numbers
        if not isinstance(v, Decimal) and not where.endswith(WHOLE)
    ]
    assert wrong == []


def test_stock_policy_costs_are_exact(session: Session) -> None:
    """An ordering cost is money typed to the cent or the 1/100 of a cent; a run stores
    the unit cost, the ordering cost and H = unit cost × holding % / 100 as exact
    decimals: PROFILE (unit cost 5.00) at 20 % a year holds at 1.00 exactly, LED (1.50)
    at the company's default ordering cost 50 and holding 25 % at 0.375."""
    build_shop(session)
    view = policy_settings.set_item_policy(
        session, "PROFILE", {"ordering_cost": 12.3456, "holding_pct": 20}, author="planner"
    )
    assert view.ordering_cost == Decimal("12.3456")
    for bad in (-1, "0.00001", "lots"):
        with pytest.raises(ValidationError, match="ordering_cost"):
            policy_settings.set_item_policy(
                session, "PROFILE", {"ordering_cost": bad}, author="planner"
            )
    policy_runs.run_policy(session, author="planner", today=TODAY)
    with session.begin():
        lines = {p.item: p for p in policy_stored.policy_page(session, limit=100).rows}
    profile, led = lines["PROFILE"], lines["LED"]
    assert (profile.unit_cost, profile.ordering_cost, profile.holding_cost) == (
        Decimal("5"),
        Decimal("12.3456"),
        Decimal("1"),
    )
    assert (led.unit_cost, led.ordering_cost, led.holding_cost) == (
        Decimal("1.5"),
        Decimal("50"),
        Decimal("0.375"),
    )
    money = [getattr(p, f) for p in lines.values() for f in ("unit_cost", "ordering_cost")]
    assert all(isinstance(m, Decimal) for m in money + [p.holding_cost for p in lines.values()])
