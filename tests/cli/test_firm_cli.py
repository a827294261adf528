"""``pegboard firm``: planned buys and makes firmed together from the command line, all or
none, with the refusals the API and the planned-orders page give (one service does it)."""

from __future__ import annotations

import csv
import io
from typing import Protocol

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import DEMO_DAY, pin_today
from pegboard.cli import app
from pegboard.demo import demo_path


class Invoke(Protocol):
    def __call__(self, *args: str, code: int | None = 0) -> str: ...


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "250")  # whole table cells, whatever the terminal

    def invoke(*args: str, code: int | None = 0) -> str:
        result = runner.invoke(app, list(args), env={"PEGBOARD_DATABASE_URL": url})
        if code is not None:
            assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def rows(run: Invoke, *args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run(*args, "--csv"))))


def to_release(run: Invoke, kind: str) -> list[str]:
    """The planned orders of ``kind`` still to release, as ``report buy|make`` lists them."""
    return [r["order"] for r in rows(run, "report", kind)]


def orders(run: Invoke) -> tuple[int, int]:
    """How many purchase and production orders there are."""
    return len(rows(run, "po", "list", "--limit", "100000")), len(
        rows(run, "mo", "list", "--limit", "100000")
    )


@pin_today(DEMO_DAY)
def test_buys_and_makes_are_firmed_together_or_not_at_all(run: Invoke) -> None:
    run("import", str(demo_path("lighting")))
    refused = run("firm", "PL-000001", code=1)
    assert "there is no plan yet: run `pegboard plan` first" in refused
    run("plan")
    buys, makes = to_release(run, "buy"), to_release(run, "make")
    assert len(buys) >= 2 and len(makes) >= 2
    before = orders(run)

    # an order not in the plan refuses the selection: the buy beside it is not firmed
    refused = run("firm", buys[0], "PL-999999", code=1)
    assert "no planned order 'PL-999999' in the current plan" in refused
    assert orders(run) == before
    assert buys[0] in to_release(run, "buy")

    # someone firmed the make a moment ago: the buy named with it stays planned too
    assert "Production orders created (1)" in run("mo", "firm", makes[0])
    before = orders(run)
    refused = run("firm", buys[0], makes[0], code=1)
    assert f"{makes[0]} was firmed already as MO-" in refused
    assert orders(run) == before
    assert buys[0] in to_release(run, "buy")

    # both kinds in one command (a repeated number counts once)
    known = {r["purchase order"] for r in rows(run, "po", "list", "--limit", "100000")}
    out = run("firm", makes[1], buys[0], buys[1], buys[0])
    new = {r["purchase order"] for r in rows(run, "po", "list", "--limit", "100000")} - known
    assert new and all(number in out for number in new)
    assert f"Purchase orders created ({len(new)})" in out
    assert "Production orders created (1)" in out
    assert orders(run) == (before[0] + len(new), before[1] + 1)
    assert not {buys[0], buys[1]} & set(to_release(run, "buy"))
    assert makes[1] not in to_release(run, "make")
    assert f"{buys[0]} was firmed already as PO-" in run("firm", buys[0], code=1)


def test_the_command_is_listed_with_its_help(run: Invoke) -> None:
    assert "all or none" in run("--help")
    assert "planned buy and make orders of the current plan" in run("firm", "--help")


@pin_today(DEMO_DAY)
def test_one_firm_names_at_most_a_thousand_planned_orders(run: Invoke) -> None:
    """The limit is the service's, so the command line has the API's and the page's."""
    run("import", str(demo_path("lighting")))
    run("plan")
    before = orders(run)
    many = [f"PL-{n:06d}" for n in range(1, 1002)]
    refused = run("firm", *many, code=1)
    assert "one firm takes at most 1000 planned orders, not 1001" in refused
    assert orders(run) == before
