"""replace_company / read_company: what a bundle import writes, and what export reads."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.bundle.writer import write_dataset
from pegboard.model import (
    Bom,
    BomLine,
    Customer,
    Item,
    ProductionOrder,
    Project,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    SalesOrderLine,
    StockBalance,
    StockMove,
)
from pegboard.model.enums import BomKind, StockMoveKind
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import (
    DEFAULT_LOCATION,
    BomRow,
    Dataset,
    ItemRow,
    LocationRow,
    ProductionRow,
    PurchaseRow,
    SalesRow,
    StockRow,
)


def item(code: str, type_: str = "buy", strategy: str = "mts") -> ItemRow:
    return ItemRow(code, "", type_, strategy, "ea", 0, "lfl", None, None, 0.0, 0.0, 0.0, 0.0, "")


def first_company() -> Dataset:
    return Dataset(
        settings={"planning_date": "2026-01-05", "horizon_days": "200"},
        items=[item("BIKE", "make", "mto"), item("FRAME", "make"), item("WHEEL"), item("BOLT")],
        bom=[
            BomRow("BIKE", "FRAME", 1.0, 0.0, ""),
            BomRow("BIKE", "WHEEL", 2.0, 0.0, ""),
            BomRow("FRAME", "BOLT", 4.0, 5.0, ""),
            BomRow("BIKE", "FRAME", 1.0, 0.0, "SO-1"),
            BomRow("BIKE", "WHEEL", 2.0, 0.0, "SO-1"),
            BomRow("BIKE", "BOLT", 2.0, 0.0, "SO-1"),
            BomRow("FRAME", "BOLT", 6.0, 0.0, "SO-1"),
        ],
        stock=[
            StockRow("WHEEL", 6.0, "main", ""),
            StockRow("WHEEL", 2.0, "main", "SO-1"),
            StockRow("BOLT", 150.5, "shelf-2", ""),
            StockRow("BOLT", 0.0, "main", ""),
        ],
        purchases=[
            PurchaseRow("PO-1", 1, "WHEEL", 10.0, date(2026, 1, 20), "open", "", "Acme"),
            PurchaseRow("PO-1", 2, "BOLT", 500.0, date(2026, 1, 22), "in_transit", "", "Acme"),
            PurchaseRow("PO-2", 1, "WHEEL", 2.0, date(2026, 1, 25), "open", "SO-1", ""),
        ],
        productions=[
            ProductionRow(
                "MO-1", "FRAME", 10.0, date(2026, 1, 15), date(2026, 1, 12), "released", False, ""
            ),
            ProductionRow(
                "MO-2", "BIKE", 1.0, date(2026, 1, 28), None, "in_progress", True, "SO-1"
            ),
        ],
        sales=[
            SalesRow("SO-1", 1, "ACME", "P-1", "BIKE", 5.0, 1.0, date(2026, 2, 1), 10),
            SalesRow("SO-1", 2, "ACME", "P-1", "WHEEL", 4.0, 0.0, date(2026, 2, 3), 100),
            SalesRow("SO-2", 1, "Bolt Co", "", "BIKE", 2.0, 0.0, date(2026, 3, 1), 100),
        ],
    )


def second_company() -> Dataset:
    """Shares nothing but one item code with the first."""
    return Dataset(
        settings={"defer_days": "3"},
        items=[item("CHAIR", "make", "mto"), item("LEG"), item("BOLT")],
        bom=[BomRow("CHAIR", "LEG", 4.0, 0.0, ""), BomRow("CHAIR", "BOLT", 8.0, 0.0, "SO-9")],
        stock=[StockRow("LEG", 12.0, "yard", "")],
        purchases=[PurchaseRow("PO-7", 3, "LEG", 4.0, date(2027, 1, 1), "open", "SO-9", "Wood")],
        productions=[],
        sales=[SalesRow("SO-9", 1, "Seats Ltd", "Hall", "CHAIR", 1.0, 0.0, date(2027, 2, 1), 1)],
    )


def load(engine: Engine, data: Dataset) -> dict[str, int]:
    with db.session_scope(engine) as session:
        return replace_company(session, data, author="tester")


def read(engine: Engine) -> Dataset:
    with db.session_scope(engine) as session, session.begin():
        return read_company(session)


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_replace_company_returns_the_counts_and_reads_back(engine: Engine) -> None:
    data = first_company()
    assert load(engine, data) == data.counts()
    assert read(engine).canonical() == data.canonical()


def test_a_second_import_replaces_everything(engine: Engine) -> None:
    load(engine, first_company())
    second = second_company()
    load(engine, second)
    assert read(engine).canonical() == second.canonical()
    with db.session_scope(engine) as session, session.begin():
        assert set(session.scalars(select(Item.code))) == {"CHAIR", "LEG", "BOLT"}
        assert list(session.scalars(select(Customer.code))) == ["Seats Ltd"]
        assert list(session.scalars(select(Project.code))) == ["Hall"]
        assert list(session.scalars(select(SalesOrder.number))) == ["SO-9"]
        assert list(session.scalars(select(PurchaseOrder.number))) == ["PO-7"]
        assert count(session, Bom) == 2
        assert count(session, BomLine) == 2
        assert count(session, StockMove) == 1
        assert count(session, StockBalance) == 1
        assert count(session, ProductionOrder) == 0


def test_importing_the_same_data_twice_gives_the_same_content(engine: Engine) -> None:
    load(engine, first_company())
    once = read(engine)
    load(engine, first_company())
    assert read(engine) == once


def test_an_empty_dataset_empties_the_company(engine: Engine) -> None:
    load(engine, first_company())
    load(engine, Dataset())
    # the default receiving location is always known, even in an empty company
    assert read(engine) == Dataset(locations=[LocationRow(DEFAULT_LOCATION, "")])


def test_stock_writes_one_ledger_row_per_stock_row(engine: Engine) -> None:
    data = first_company()
    load(engine, data)
    with db.session_scope(engine) as session, session.begin():
        moves = session.execute(
            select(
                Item.code,
                StockMove.location,
                SalesOrder.number,
                StockMove.qty,
                StockMove.kind,
                StockMove.author,
            )
            .join(Item, Item.id == StockMove.item_id)
            .outerjoin(SalesOrder, SalesOrder.id == StockMove.sales_order_id)
        ).all()
        assert sorted((i, loc, so or "", q) for i, loc, so, q, _, _ in moves) == sorted(
            (s.item, s.location, s.sales_order, s.qty) for s in data.stock
        )
        assert {(kind, author) for *_, kind, author in moves} == {(StockMoveKind.OPENING, "tester")}
        assert all(m.created_at is not None for m in session.scalars(select(StockMove)))

        ledger: dict[tuple[int, str, int | None], float] = defaultdict(float)
        for i, loc, so, q in session.execute(
            select(StockMove.item_id, StockMove.location, StockMove.sales_order_id, StockMove.qty)
        ):
            ledger[(i, loc, so)] += q
        balances = {
            (i, loc, so): q
            for i, loc, so, q in session.execute(
                select(
                    StockBalance.item_id,
                    StockBalance.location,
                    StockBalance.sales_order_id,
                    StockBalance.qty,
                )
            )
        }
        assert balances == dict(ledger)
        assert len(balances) == len(data.stock)


def _boms(session: Session) -> dict[tuple[str, str], tuple[BomKind, int | None, int | None]]:
    """(parent, sales order) -> (kind, sales order line number, bom line count)."""
    lines = select(BomLine.bom_id, func.count().label("n")).group_by(BomLine.bom_id).subquery()
    rows = session.execute(
        select(Item.code, SalesOrder.number, Bom.kind, SalesOrderLine.line, lines.c.n)
        .select_from(Bom)
        .join(Item, Item.id == Bom.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == Bom.sales_order_id)
        .outerjoin(SalesOrderLine, SalesOrderLine.id == Bom.sales_order_line_id)
        .join(lines, lines.c.bom_id == Bom.id)
    )
    return {(p, so or ""): (kind, line, n) for p, so, kind, line, n in rows}


def test_order_boms_link_to_the_sales_order_and_its_line(engine: Engine) -> None:
    load(engine, first_company())
    with db.session_scope(engine) as session, session.begin():
        assert _boms(session) == {
            ("BIKE", ""): (BomKind.ENGINEERING, None, 2),
            ("FRAME", ""): (BomKind.ENGINEERING, None, 1),
            # BIKE is what SO-1 line 1 orders: the BOM belongs to that line
            ("BIKE", "SO-1"): (BomKind.ORDER, 1, 3),
            # FRAME is no line's item: the BOM belongs to the order only
            ("FRAME", "SO-1"): (BomKind.ORDER, None, 1),
        }
        order_ids = dict(session.execute(select(SalesOrder.number, SalesOrder.id)).all())
        linked = session.execute(
            select(Bom.sales_order_id, SalesOrderLine.sales_order_id).join(
                SalesOrderLine, SalesOrderLine.id == Bom.sales_order_line_id
            )
        ).all()
        assert linked == [(order_ids["SO-1"], order_ids["SO-1"])]
        positions = session.scalars(
            select(BomLine.position)
            .join(Bom, Bom.id == BomLine.bom_id)
            .where(
                Bom.sales_order_id == order_ids["SO-1"],
                Bom.item_id == select(Item.id).where(Item.code == "BIKE").scalar_subquery(),
            )
            .order_by(BomLine.position)
        ).all()
        assert positions == [1, 2, 3]


def test_bom_numbers_that_look_alike_stay_apart(engine: Engine) -> None:
    """Item A-B's master BOM and order A's BOM of item B would both be "BOM-A-B"."""
    data = Dataset(
        items=[item("A-B", "make"), item("B", "make"), item("X"), item("Y"), item("Z")],
        bom=[
            BomRow("A-B", "X", 1.0, 0.0, ""),
            BomRow("B", "Y", 2.0, 0.0, "A"),
            BomRow("B", "Z", 3.0, 0.0, "A-B"),
            BomRow("B", "X", 1.0, 0.0, ""),
        ],
        sales=[
            SalesRow("A", 1, "C", "", "B", 1.0, 0.0, date(2026, 1, 1), 100),
            SalesRow("A-B", 1, "C", "", "B", 1.0, 0.0, date(2026, 1, 1), 100),
        ],
    )
    load(engine, data)
    assert read(engine).canonical() == data.canonical()
    with db.session_scope(engine) as session, session.begin():
        assert count(session, Bom) == 4
        assert len(set(session.scalars(select(Bom.number)))) == 4


def test_export_shows_the_open_quantity(engine: Engine, tmp_path: Path) -> None:
    load(engine, first_company())
    with db.session_scope(engine) as session, session.begin():
        po_1 = select(PurchaseOrder.id).where(PurchaseOrder.number == "PO-1").scalar_subquery()
        po_2 = select(PurchaseOrder.id).where(PurchaseOrder.number == "PO-2").scalar_subquery()
        session.execute(
            update(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po_1, PurchaseOrderLine.line == 1)
            .values(received_qty=4.0)
        )
        session.execute(  # fully received but still open: nothing left to come
            update(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po_2)
            .values(received_qty=2.0)
        )
        session.execute(
            update(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po_1, PurchaseOrderLine.line == 2)
            .values(status="received")
        )
        session.execute(
            update(ProductionOrder)
            .where(ProductionOrder.number == "MO-1")
            .values(completed_qty=2.5)
        )
        session.execute(
            update(ProductionOrder).where(ProductionOrder.number == "MO-2").values(status="done")
        )

    data = read(engine)
    assert [(p.purchase_order, p.line, p.qty) for p in data.purchases] == [("PO-1", 1, 6.0)]
    assert [(m.production_order, m.qty) for m in data.productions] == [("MO-1", 7.5)]

    write_dataset(data, tmp_path)
    assert (tmp_path / "purchase_orders.csv").read_text(encoding="utf-8") == (
        "purchase_order,line,item,qty,due_date,status,sales_order,supplier,unit_price\n"
        "PO-1,1,WHEEL,6,2026-01-20,open,,Acme,\n"  # the item's unit cost: written empty
    )
    assert (tmp_path / "production_orders.csv").read_text(encoding="utf-8") == (
        "production_order,item,qty,due_date,start_date,status,components_issued,sales_order\n"
        "MO-1,FRAME,7.5,2026-01-15,2026-01-12,released,false,\n"
    )


def test_purchase_order_header_takes_the_first_supplier_named(engine: Engine) -> None:
    data = first_company()
    data.purchases = [
        PurchaseRow("PO-5", 1, "BOLT", 1.0, date(2026, 2, 1), "open", "", ""),
        PurchaseRow("PO-5", 2, "BOLT", 1.0, date(2026, 2, 1), "open", "", "Acme"),
        PurchaseRow("PO-5", 3, "WHEEL", 1.0, date(2026, 2, 1), "open", "", "Other"),
    ]
    load(engine, data)
    with db.session_scope(engine) as session, session.begin():
        assert session.scalar(select(PurchaseOrder.supplier)) == "Acme"
    assert [p.supplier for p in read(engine).purchases] == ["", "Acme", "Other"]


def test_sales_orders_share_customers_and_projects(engine: Engine) -> None:
    data = first_company()
    data.sales.append(SalesRow("SO-3", 1, "ACME", "P-1", "BOLT", 1.0, 0.0, date(2026, 2, 1), 1))
    data.sales.append(SalesRow("SO-4", 1, "Bolt Co", "P-1", "BOLT", 1.0, 0.0, date(2026, 2, 1), 1))
    load(engine, data)
    with db.session_scope(engine) as session, session.begin():
        assert count(session, Customer) == 2
        # a project belongs to one customer: the same code under two customers is two projects
        assert count(session, Project) == 2
        projects = session.execute(
            select(SalesOrder.number, Project.id).join(Project, Project.id == SalesOrder.project_id)
        ).all()
        by_order = dict(projects)
        assert by_order["SO-1"] == by_order["SO-3"] != by_order["SO-4"]
    assert read(engine).canonical() == data.canonical()
