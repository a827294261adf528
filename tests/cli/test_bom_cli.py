"""``pegboard bom`` and ``customer|project rename`` (#19): the browser's and the API's
services from the command line — a line added, changed, moved, removed, a cycle refused
on one line naming it, the tree shown as CSV; both databases."""

from __future__ import annotations

import csv
import io

import pytest
from _cli_invoke import cli_invoker
from sqlalchemy import Engine

from pegboard import db
from pegboard.services import items, sales


@pytest.fixture
def run(engine: Engine):  # type: ignore[no-untyped-def]
    return cli_invoker(engine)


def test_bom_lines_from_the_command_line(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as s:
        for code, kind in (("BIKE", "make"), ("FRAME", "make"), ("TUBE", "make"), ("BOLT", "buy")):
            items.create_item(s, code, {"type": kind}, author="t")
    assert "FRAME added to BIKE as line 1" in run("bom", "add", "BIKE", "FRAME", "1")
    run("bom", "add", "BIKE", "BOLT", "4", "--scrap", "2")
    run("bom", "add", "FRAME", "TUBE", "2")
    out = run("bom", "add", "TUBE", "BIKE", "1", code=1)
    assert out.startswith("error: BIKE cannot go into TUBE: the BOM would have a cycle: ")
    assert "TUBE -> BIKE -> FRAME -> TUBE" in out.replace("\n", " ")
    run("bom", "set", "BIKE", "2", "--qty", "6")
    assert "is now line 1 of BIKE" in run("bom", "move", "BIKE", "2", "--up")
    assert "error: give one of --up, --down or --under ITEM" in run(
        "bom", "move", "BIKE", "1", code=1
    )
    run("bom", "move", "BIKE", "1", "--under", "FRAME")
    rows = list(csv.DictReader(io.StringIO(run("bom", "show", "BIKE", "--csv"))))
    assert [(r["level"], r["in BOM of"], r["component"], float(r["qty per"])) for r in rows] == [
        ("1", "BIKE", "FRAME", 1.0),
        ("2", "FRAME", "TUBE", 2.0),
        ("2", "FRAME", "BOLT", 6.0),
    ]
    assert "line 2 of FRAME removed" in run("bom", "remove", "FRAME", "2")
    assert run("bom", "remove", "FRAME", "2", code=1).startswith("error: FRAME's BOM has no line 2")


def test_customer_and_project_renamed(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with db.session_factory(engine)() as s:
        sales.create_customer(s, code="ACME", author="t")
        sales.create_project(s, customer="ACME", code="LOBBY", author="t")
    assert "customer ACME is now named Acme Ltd" in run("customer", "rename", "ACME", "Acme Ltd")
    assert "now named The lobby" in run("project", "rename", "ACME", "LOBBY", "The lobby")
    assert run("customer", "rename", "NOPE", "x", code=1).startswith("error: no customer 'NOPE'")
    with db.session_factory(engine)() as s:
        assert sales.get_customer(s, "ACME").name == "Acme Ltd"
        assert sales.get_project(s, "ACME", "LOBBY").name == "The lobby"
