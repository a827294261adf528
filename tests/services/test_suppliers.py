"""Suppliers as the names items and purchase orders carry (issue #19): listed, set as
the default of bought items, renamed or merged, all or nothing, audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Item, PurchaseOrder, PurchaseOrderLine
from pegboard.services import audit, company_data, suppliers


@pytest.fixture
def company(engine: Engine) -> Iterator[Engine]:
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
    yield engine


def test_the_suppliers_are_the_names_bought_items_and_open_orders_carry(company: Engine) -> None:
    with db.session_factory(company)() as s:
        rows = {r.name: r for r in suppliers.list_suppliers(s)}
        assert (rows["Optilens"].items, rows["Optilens"].open_orders) == (2, 1)
        assert (rows["Polymer Parts Ltd"].items, rows["Polymer Parts Ltd"].open_orders) == (3, 0)
        assert [r.name for r in suppliers.list_suppliers(s, q="OPTI")] == ["Optilens"]
        view = suppliers.get_supplier(s, "Optilens")
        assert [i.code for i in view.items] == ["DIF-OPAL-7040", "DIF-PRISM-5035"]
        assert view.open_orders == ["PO-31024"]
        first = suppliers.get_supplier(s, "Polymer Parts Ltd", limit=2)
        assert ([i.code for i in first.items], first.item_count) == (
            ["CAP-5035-B", "CAP-5035-W"],
            3,
        )
        with pytest.raises(NotFoundError, match="names supplier 'Nobody'"):
            suppliers.get_supplier(s, "Nobody")


def test_a_new_supplier_is_set_on_bought_items_all_or_nothing(company: Engine) -> None:
    with db.session_factory(company)() as s:
        with pytest.raises(ValidationError, match="BODY-7040 made, not bought"):
            suppliers.assign_supplier(s, "Lumen GmbH", ["CAP-7040-W", "BODY-7040"], author="pat")
        with pytest.raises(NotFoundError, match="no item NOPE"):
            suppliers.assign_supplier(s, "Lumen GmbH", ["CAP-7040-W", "NOPE"], author="pat")
        with pytest.raises(ValidationError, match="give the supplier's name"):
            suppliers.assign_supplier(s, "  ", ["CAP-7040-W"], author="pat")
        assert suppliers.get_supplier(s, "Polymer Parts Ltd").items[1].code == "CAP-5035-W"
        changed = suppliers.assign_supplier(
            s, " Lumen GmbH ", ["CAP-7040-W", "CAP-5035-W", "CAP-7040-W"], author="pat"
        )
        assert changed == ["CAP-7040-W", "CAP-5035-W"]
        assert [i.code for i in suppliers.get_supplier(s, "Lumen GmbH").items] == [
            "CAP-5035-W",
            "CAP-7040-W",
        ]
        entry = audit.history(s, entity="item", author="pat")[0]
        assert (entry.before, entry.after) == (
            {"supplier": "Polymer Parts Ltd"},
            {"supplier": "Lumen GmbH"},
        )


def test_a_rename_follows_items_and_open_orders_and_merges_only_when_asked(
    company: Engine,
) -> None:
    with db.session_factory(company)() as s:
        with pytest.raises(ConflictError, match="supplier 'Polymer Parts Ltd' exists already"):
            suppliers.rename_supplier(s, "Optilens", "Polymer Parts Ltd", author="pat")
        view = suppliers.rename_supplier(s, "Optilens", "Optilens GmbH", author="pat")
        assert (len(view.items), view.open_orders) == (2, ["PO-31024"])
        po = s.scalars(select(PurchaseOrder).where(PurchaseOrder.number == "PO-31024")).one()
        lines = s.scalars(
            select(PurchaseOrderLine.supplier).where(PurchaseOrderLine.purchase_order_id == po.id)
        ).all()
        assert po.supplier == "Optilens GmbH" and set(lines) == {"Optilens GmbH"}
        assert s.scalar(select(Item.supplier).where(Item.code == "DIF-OPAL-7040")) == (
            "Optilens GmbH"
        )
        merged = suppliers.rename_supplier(
            s, "Optilens GmbH", "Polymer Parts Ltd", author="pat", merge=True
        )
        assert len(merged.items) == 5
        assert [e.action for e in audit.history(s, entity="supplier")] == ["merge", "rename"]
        with pytest.raises(NotFoundError):
            suppliers.get_supplier(s, "Optilens GmbH")
