"""``pegboard promise`` as sales types it while the customer is on the phone."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Protocol

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from pegboard import db
from pegboard.cli import app
from pegboard.model import SalesOrder, SalesOrderStatus
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow, SalesRow, StockRow
from pegboard.services.planning import run_plan

PD = date(2026, 11, 23)


class Invoke(Protocol):
    def __call__(self, *args: str, code: int | None = 0) -> str: ...


def item(code: str, type_: str, lead: int) -> ItemRow:
    return ItemRow(code, f"the {code}", type_, "mts", "ea", lead, "lfl", None, None, 0, 0, 0, 1, "")


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    # A (make, 2) <- C (buy, 5); 5 S (buy, 10) in stock; customer ACME has SO-1
    data = Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[item("A", "make", 2), item("C", "buy", 5), item("S", "buy", 10)],
        bom=[BomRow("A", "C", 1.0, 0.0, "")],
        stock=[StockRow("S", 5.0, "main", "")],
        sales=[SalesRow("SO-1", 1, "ACME", "", "C", 1, 0, PD + timedelta(days=90), 100)],
    )
    with db.session_scope(engine) as s:
        replace_company(s, data, author="import")
        run_plan(s, author="planner", today=PD)
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "250")  # rich reads it on each print

    def invoke(*args: str, code: int | None = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        if code is not None:
            assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_promise_prints_date_path_and_orders(run: Invoke) -> None:
    out = run("promise", "A", "3", "--date", "2026-11-28")
    # C bought today (lead 5): 2026-11-28; A made in 2 days: 2026-11-30, 2 days late
    assert "3 × A can be complete on 2026-11-30 (wanted 2026-11-28: 2 days late)" in out
    assert "make: lead time 2 d after components" in out
    assert "buy: lead time 5 d" in out
    assert "TODAY" in out  # C must be ordered today
    # where the plan may give the order another date, it is said
    assert "unless the plan decides otherwise for the whole backlog" in " ".join(out.split())


def test_promise_from_stock(run: Invoke) -> None:
    out = run("promise", "S", "2")
    assert "2 × S can be complete on 2026-11-23" in out
    assert "nothing: stock and receipts cover it" in out


def test_promise_json(run: Invoke) -> None:
    data = json.loads(run("promise", "A", "3", "--json"))
    assert data["promised"] == "2026-11-30"
    assert [o["item"] for o in data["orders"]] == ["C", "A"]
    assert data["orders"][0]["order_by"] == "2026-11-23"
    assert data["critical_path"][-1]["reason"] == "buy: lead time 5 d"


def test_reserve_enters_a_confirmed_order(run: Invoke, engine: Engine) -> None:
    out = run("promise", "S", "2", "--reserve", "--customer", "ACME")
    assert "entered and confirmed, due 2026-11-23" in out
    with db.session_scope(engine) as s, s.begin():
        statuses = {o.number: o.status for o in s.scalars(select(SalesOrder))}
    new = [n for n in statuses if n != "SO-1"]
    assert len(new) == 1 and statuses[new[0]] is SalesOrderStatus.CONFIRMED
    assert new[0] in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("promise", "A", "0"), "qty must be greater than 0"),
        (("promise", "NOPE", "1"), "no item 'NOPE'"),
        (("promise", "A", "1", "--date", "2026-01-01"), "before the planning date"),
        (("promise", "A", "1", "--param", "x=1"), "not configurable"),
        (("promise", "A", "1", "--reserve", "--customer", "NOBODY"), "no customer 'NOBODY'"),
    ],
)
def test_bad_input_is_a_clear_error(run: Invoke, args: tuple[str, ...], message: str) -> None:
    out = run(*args, code=1)
    assert message in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("promise", "A", "zero"), "'qty' must be a number, not 'zero'"),
        (("promise", "A", "1", "--date", "tomorrow"), "'--date' must be a date"),
        (("promise", "A", "1", "--param", "x"), "--param takes name=value"),
        (("promise", "A", "1", "--reserve"), "--reserve needs --customer"),
    ],
)
def test_malformed_input_exits_2(run: Invoke, args: tuple[str, ...], message: str) -> None:
    """Input the command cannot read is a usage error: one line, exit code 2."""
    out = run(*args, code=2)
    assert message in out and len(out.strip().splitlines()) == 1, out
