"""``pegboard supplier``: list, show, assign bought items, rename and merge — the same
rules as the suppliers pages (issue #19: the CLI for supplier assignment)."""

from __future__ import annotations

import csv
import io

import pytest
from _cli_invoke import cli_invoker
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.model import AuditEntry, Item
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import Dataset, ItemRow


def _item(code: str, kind: str, supplier: str) -> ItemRow:
    return ItemRow(
        code, f"{code} part", kind, "mts", "ea", 5, "lfl", None, None, 0, 0, 0, 1.0, supplier
    )


@pytest.fixture
def run(engine: Engine):  # type: ignore[no-untyped-def]
    items = [_item("BOLT", "buy", "Acme"), _item("NUT", "buy", "Acme"), _item("FRAME", "make", "")]
    with db.session_factory(engine)() as s:
        replace_company(s, Dataset(items=items), author="import")
    return cli_invoker(engine)


def _suppliers(run) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    return {r["supplier"]: r for r in csv.DictReader(io.StringIO(run("supplier", "list", "--csv")))}


def test_assign_and_rename_a_supplier(run, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    assert _suppliers(run)["Acme"]["items"] == "2"
    refused = run("supplier", "assign", "Bolts & Co", "BOLT", "FRAME", code=1)
    assert "FRAME made, not bought" in refused
    assert "no item GHOST" in run("supplier", "assign", "Bolts & Co", "GHOST", code=1)
    assert "Bolts & Co now supplies 1 more item\n" in run(
        "supplier", "assign", "Bolts & Co", "BOLT"
    )
    listed = _suppliers(run)
    assert (listed["Acme"]["items"], listed["Bolts & Co"]["items"]) == ("1", "1")
    shown = list(csv.DictReader(io.StringIO(run("supplier", "show", "Bolts & Co", "--csv"))))
    assert [(r["item"], r["description"]) for r in shown] == [("BOLT", "BOLT part")]

    assert "exists already" in run("supplier", "rename", "Acme", "Bolts & Co", code=1)
    merged = run("supplier", "rename", "Acme", "Bolts & Co", "--merge")
    assert "Acme is now Bolts & Co: 2 items" in merged
    assert list(_suppliers(run)) == ["Bolts & Co"]
    with db.session_factory(engine)() as s:
        assert set(s.scalars(select(Item.supplier).where(Item.type == "buy"))) == {"Bolts & Co"}
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity.in_(["item", "supplier"]))
        ).all()
    assert list(actions) == ["change", "merge"]
    assert "no item or open purchase order names supplier 'Acme'" in run(
        "supplier", "show", "Acme", code=1
    )
