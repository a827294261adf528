"""Locations are master data: a movement into an unknown location is refused, with the
known ones listed, the same for every service that moves stock (issue #14, item 5).
Both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.errors import ConflictError, ValidationError
from pegboard.model import AuditEntry, Location, StockMove
from pegboard.services import locations, purchasing, shipping, stock
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import Dataset, ItemRow, LocationRow, SalesRow, StockRow
from pegboard.services.purchasing import NewLine

WHO = "stores"
DUE = date(2027, 1, 4)


def item(code: str) -> ItemRow:
    return ItemRow(code, "", "buy", "mts", "ea", 3, "lfl", None, None, 0, 0, 0, 1.0, "Acme")


@pytest.fixture
def shop(session: Session) -> Session:
    replace_company(
        session,
        Dataset(
            items=[item("W")],
            locations=[LocationRow("shelf-2", "second shelf")],
            stock=[StockRow("W", 5.0, "main", ""), StockRow("W", 3.0, "yard", "")],
            sales=[SalesRow("SO-A", 1, "ACME", "", "W", 2, 0, DUE, 100)],
        ),
        author="import",
    )
    return session


def moves(session: Session) -> int:
    with session.begin():
        return session.scalar(select(func.count()).select_from(StockMove)) or 0


def test_the_import_knows_the_listed_locations_those_stock_uses_and_main(shop: Session) -> None:
    with shop.begin():
        assert [(v.code, v.description, v.on_hand) for v in locations.list_locations(shop)] == [
            ("main", "", 5.0),
            ("shelf-2", "second shelf", 0.0),
            ("yard", "", 3.0),
        ]


def test_receiving_into_a_mistyped_location_is_refused_and_creates_nothing(shop: Session) -> None:
    number = purchasing.create_purchase(
        shop, supplier="Acme", lines=[NewLine("W", 4, DUE)], author="buyer"
    )
    purchasing.confirm_purchase(shop, number, author="buyer")
    before = moves(shop)
    with pytest.raises(ValidationError) as refused:
        purchasing.receive_purchase(shop, number, location="nowhere", author=WHO)
    assert str(refused.value) == (
        "unknown location 'nowhere' (known: main, shelf-2, yard); "
        "an admin adds one with `pegboard location add`"
    )
    assert refused.value.params["field"] == "location"
    assert moves(shop) == before
    with shop.begin():
        assert shop.get(Location, "nowhere") is None
    # a known one is fine
    assert purchasing.receive_purchase(shop, number, location="shelf-2", author=WHO) == {1: 4.0}


def test_adjust_transfer_and_issue_refuse_an_unknown_location(shop: Session) -> None:
    before = moves(shop)
    with pytest.raises(ValidationError, match="unknown location 'nowhere'"):
        stock.adjust_stock(shop, item="W", qty=1, location="nowhere", reason="found", author=WHO)
    with pytest.raises(ValidationError, match="unknown location 'nowhere'"):
        stock.transfer_stock(
            shop, item="W", qty=1, from_location="main", to_location="nowhere", author=WHO
        )
    # taking from a location that does not exist says so, not "not enough"
    with pytest.raises(ValidationError, match="unknown location 'nowhere'"):
        shipping.ship_line(shop, "SO-A", 1, 1, location="nowhere", author=WHO)
    assert moves(shop) == before


def test_an_added_location_can_take_stock_and_is_audited(shop: Session) -> None:
    view = locations.add_location(shop, " dock ", description="Dock door 2", author="admin")
    assert (view.code, view.description) == ("dock", "Dock door 2")
    stock.transfer_stock(
        shop, item="W", qty=2, from_location="main", to_location="dock", author=WHO
    )
    with shop.begin():
        assert {v.code: v.on_hand for v in locations.list_locations(shop)}["dock"] == 2.0
        entry = shop.scalars(select(AuditEntry).where(AuditEntry.entity == "location")).one()
        assert (entry.entity_ref, entry.action, entry.author) == ("dock", "add", "admin")


@pytest.mark.parametrize(
    ("code", "word"),
    [("", "blank"), ("Yard", "exists already"), ("MAIN", "exists already"), ("a\x00b", "control")],
)
def test_adding_a_bad_or_existing_location_is_refused(shop: Session, code: str, word: str) -> None:
    with pytest.raises((ValidationError, ConflictError), match=word):
        locations.add_location(shop, code, author="admin")
    with shop.begin():
        assert len(locations.list_locations(shop)) == 3


def test_an_added_location_survives_export_and_import(shop: Session) -> None:
    locations.add_location(shop, "dock", description="empty for now", author="admin")
    with shop.begin():
        back = read_company(shop)
    assert LocationRow("dock", "empty for now") in back.all_locations()
    replace_company(shop, back, author="import")
    with shop.begin():
        assert [v.code for v in locations.list_locations(shop)] == [
            "dock",
            "main",
            "shelf-2",
            "yard",
        ]


def test_the_migration_keeps_every_location_the_ledger_uses(engine: Engine) -> None:
    """0009 on a database at 0008 with stock at "bay-7": bay-7 (and main) are known after."""
    from alembic import command

    config = db.alembic_config(engine)
    command.downgrade(config, "0008")
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO item (code, description, type, strategy, uom, decimals,"
                    " lead_time_days, lot_rule, min_qty, multiple, safety_stock, unit_cost,"
                    " supplier, created_at) VALUES ('W', '', 'buy', 'mts', 'ea', 0, 0, 'lfl',"
                    " 0, 0, 0, 0, '', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO stock_balance (item_id, location, qty)"
                    " SELECT id, 'bay-7', 2 FROM item"
                )
            )
        command.upgrade(config, "head")
        with db.session_scope(engine) as session, session.begin():
            assert locations.known_codes(session) == ["bay-7", "main"]
            assert session.scalars(select(Location.code).order_by(Location.code)).all() == [
                "bay-7",
                "main",
            ]
    finally:
        command.upgrade(config, "head")


def test_a_receipt_into_main_works_on_an_empty_location_table(session: Session) -> None:
    """main, the default, is always known: an old database, or one emptied by hand, still
    receives into it."""
    replace_company(session, Dataset(items=[item("W")]), author="import")
    with session.begin():
        session.execute(text("DELETE FROM location"))
    stock.adjust_stock(session, item="W", qty=1, reason="count", author=WHO)
    with session.begin():
        assert [v.code for v in locations.list_locations(session)] == ["main"]
