"""Load a whole company's planning data, or read it back, in bulk.

``replace_company`` is the importer's transaction: it empties the planning data
and writes the dataset, all or nothing. ``read_company`` is its inverse, used
by the exporter; import -> export -> import gives the same content.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, and_, exists, insert, select
from sqlalchemy.orm import Session, aliased

from pegboard.db import WRITE
from pegboard.model import (
    Base,
    Bom,
    BomKind,
    BomLine,
    BomLineOption,
    BomLineParameter,
    BomParameter,
    CompanySetting,
    Customer,
    Holiday,
    Item,
    Location,
    NumberSequence,
    OperationProgress,
    Pegging,
    PinnedOperation,
    PlanException,
    PlanExceptionSalesOrder,
    PlanLine,
    PlannedOrder,
    PlanProduction,
    PlanRun,
    PolicyLine,
    PolicyRun,
    PolicySetting,
    ProductionComponent,
    ProductionOrder,
    Project,
    PurchaseOrder,
    PurchaseOrderLine,
    Routing,
    RoutingOperation,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    StockBalance,
    StockMove,
    TemplateOperation,
    WorkCenter,
    WorkCenterClosedDay,
)
from pegboard.model.capacity import LoadSummary, LoadWeek
from pegboard.model.enums import (
    OPEN_PRODUCTION_STATUSES,
    OPEN_PURCHASE_STATUSES,
    ProductionStatus,
    SalesOrderStatus,
)
from pegboard.services import valuation
from pegboard.services._bulk import bulk_insert, delete_all
from pegboard.services._tx import refusing_disk_full
from pegboard.services.bom_lines_write import indexes_built_after, write_bom_lines
from pegboard.services.capacity import format_weekday_hours, parse_weekday_hours
from pegboard.services.dataset import (
    BomRow,
    ClosedDayRow,
    Dataset,
    HolidayRow,
    ItemRow,
    LocationRow,
    MpsRow,
    ProductionRow,
    PurchaseRow,
    RoutingRow,
    SalesRow,
    StockRow,
    WorkCenterRow,
    decimals_of,
)
from pegboard.services.money import as_decimal
from pegboard.services.mps import line_number
from pegboard.services.outstanding import STARTED, freeze_component_lists
from pegboard.services.pg_key_checks import checked_at_once
from pegboard.services.templates import define_in_transaction, template_definitions

Progress = Callable[[str, int, int], None]

_TABLES_CHILDREN_FIRST = (
    LoadWeek,  # the capacity summary: another company's (a new plan run may reuse its id)
    LoadSummary,
    PolicyLine,
    PolicyRun,
    PlanLine,
    PlanProduction,
    PlanExceptionSalesOrder,
    PlanException,
    Pegging,
    PlannedOrder,
    PlanRun,
    StockMove,
    StockBalance,
    Shipment,
    ProductionComponent,
    OperationProgress,
    PinnedOperation,
    PurchaseOrderLine,
    PurchaseOrder,
    ProductionOrder,
    NumberSequence,
    PolicySetting,
    TemplateOperation,
    RoutingOperation,
    Routing,
    WorkCenterClosedDay,
    WorkCenter,
    BomLineOption,
    BomLineParameter,
    BomParameter,
    BomLine,
    Bom,
    SalesOrderLine,
    SalesOrder,
    Project,
    Customer,
    Item,
    Location,
    Holiday,
    CompanySetting,
)


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _ids(conn: Connection, column_key: Any, column_id: Any) -> dict[Any, int]:
    return dict(conn.execute(select(column_key, column_id)).all())


def replace_company(
    session: Session, data: Dataset, *, author: str, progress: Progress | None = None
) -> dict[str, int]:
    """Replace all planning data with ``data`` in one transaction; returns row counts."""
    note = progress or (lambda _label, _done, _total: None)
    with refusing_disk_full(), session.begin():
        conn = session.connection(execution_options={WRITE: True})
        delete_all(conn, _TABLES_CHILDREN_FIRST)
        bulk_insert(conn, CompanySetting, ("key", "value"), data.settings.items())
        bulk_insert(conn, Holiday, ("day", "description"), data.holidays)
        bulk_insert(conn, Location, ("code", "description"), data.all_locations())
        note("items", 0, len(data.items))
        with indexes_built_after(conn, Item.__tablename__):
            bulk_insert(
                conn, Item, ITEM_COLUMNS, (i._replace(decimals=decimals_of(i)) for i in data.items)
            )
        items = _ids(conn, Item.code, Item.id)
        orders, lines = _write_sales(conn, data, items)
        note("bills of material", 0, len(data.bom))
        boms = _write_boms(conn, data, items, orders, lines)
        _write_capacity(conn, data, items, boms)
        _write_stock(conn, data, items, orders, author)
        _write_purchases(conn, data, items, orders)
        _write_productions(conn, data, items, orders)
        # released orders come without component lists: frozen from the BOM the plan explodes
        _freeze_started(session, conn)
        define_in_transaction(session, data.templates, author=author)
        note("done", 1, 1)
    return data.counts()


_FREEZE_CHUNK = 5_000
"""Orders named per freeze: well under every database's bind-parameter limit."""


def _freeze_started(session: Session, conn: Connection) -> None:
    """Freeze the component lists of the released and started orders, naming them: from
    the orders, SQLite looks up their BOMs; asked for every started order without a list,
    it walked all the BOM lines of a big company first (6 s of 1.8 M lines)."""
    started = select(ProductionOrder.id).where(ProductionOrder.status.in_(STARTED))
    ids = list(conn.execute(started.order_by(ProductionOrder.id)).scalars())
    for at in range(0, len(ids), _FREEZE_CHUNK):
        freeze_component_lists(session, order_ids=ids[at : at + _FREEZE_CHUNK])


def _values(row: tuple[Any, ...], names: tuple[str, ...]) -> tuple[Any, ...]:
    """A bundle row's values of the columns it shares with its table, by name."""
    return tuple(getattr(row, name) for name in names)


def _columns(table: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The table's columns of those names, to read them back in the same order."""
    return tuple(getattr(table, name) for name in names)


# The columns a bundle row and its table share by name, each list used to write the rows
# (``_values``) and to read them back (``_columns``); the keys that differ (codes in a
# bundle, ids in a table) and the quantities a table keeps apart are named beside them.
_SALES_LINE_COLUMNS = ("line", "qty", "shipped_qty", "due_date", "priority")
_ROUTING_COLUMNS = (
    "sequence",
    "description",
    "setup_hours",
    "run_hours",
    "queue_days",
    "move_days",
)
_PURCHASE_LINE_COLUMNS = ("line", "due_date", "supplier")
_PRODUCTION_COLUMNS = ("due_date", "start_date")

ITEM_COLUMNS = (  # the item table's columns a bundle's items.csv writes
    "code",
    "description",
    "type",
    "strategy",
    "uom",
    "lead_time_days",
    "lot_rule",
    "lot_qty",
    "period_days",
    "min_qty",
    "multiple",
    "safety_stock",
    "unit_cost",
    "supplier",
    "decimals",
    "mps",
)


def _write_sales(
    conn: Connection, data: Dataset, items: dict[str, int]
) -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    customers = sorted({s.customer for s in data.sales})
    bulk_insert(conn, Customer, ("code", "name"), ((c, c) for c in customers))
    customer_ids = _ids(conn, Customer.code, Customer.id)
    projects = sorted({(s.customer, s.project) for s in data.sales if s.project})
    bulk_insert(
        conn,
        Project,
        ("customer_id", "code", "name"),
        ((customer_ids[c], p, p) for c, p in projects),
    )
    project_ids = {
        (code, pcode): ident
        for code, pcode, ident in conn.execute(
            select(Customer.code, Project.code, Project.id).join(
                Customer, Customer.id == Project.customer_id
            )
        )
    }
    headers: dict[str, tuple[int, int | None]] = {}
    for s in data.sales:
        headers.setdefault(
            s.sales_order,
            (customer_ids[s.customer], project_ids[(s.customer, s.project)] if s.project else None),
        )
    bulk_insert(
        conn,
        SalesOrder,
        ("number", "customer_id", "project_id", "status"),
        ((n, c, p, SalesOrderStatus.CONFIRMED.value) for n, (c, p) in sorted(headers.items())),
    )
    orders = _ids(conn, SalesOrder.number, SalesOrder.id)
    bulk_insert(
        conn,
        SalesOrderLine,
        ("sales_order_id", "item_id", "status", "unit_price", "discount_pct", *_SALES_LINE_COLUMNS),
        (
            (
                orders[s.sales_order],
                items[s.item],
                SalesOrderStatus.CONFIRMED.value,
                # exact as text: sqlite3 binds no Decimal, COPY reads the text as numeric
                None if s.unit_price is None else str(s.unit_price),
                str(s.discount_pct if s.discount_pct is not None else Decimal("0")),
                *_values(s, _SALES_LINE_COLUMNS),
            )
            for s in data.sales
        ),
    )
    lines = {
        (number, line): ident
        for number, line, ident in conn.execute(
            select(SalesOrder.number, SalesOrderLine.line, SalesOrderLine.id).join(
                SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id
            )
        )
    }
    return orders, lines


def _unused(base: str, used: set[str]) -> str:
    """``base``, or ``base#2``, ``base#3``... the first not in ``used``; marked used."""
    number, n = base, 1
    while number in used:
        n += 1
        number = f"{base}#{n}"
    used.add(number)
    return number


def _bom_number(parent: str, sales_order: str) -> str:
    return f"BOM-{sales_order}-{parent}" if sales_order else f"BOM-{parent}"


def _write_boms(
    conn: Connection,
    data: Dataset,
    items: dict[str, int],
    orders: dict[str, int],
    lines: dict[tuple[str, int], int],
) -> dict[tuple[str, str], tuple[int, str]]:
    """Returns (parent, sales_order) -> (BOM id, BOM number). The lines are handled a
    column at a time (``bom_lines_write``): a big company has millions."""
    line_of_item: dict[tuple[str, str], int] = {}
    for s in data.sales:
        line_of_item.setdefault((s.sales_order, s.item), lines[(s.sales_order, s.line)])
    parents, components, qty_per, scrap_pct, sales_orders = _bom_columns(data.bom)
    count = len(parents)
    # One header per (parent, sales_order), in the order they first come. Numbers are
    # for people and may coincide ("BOM-A-B" is item A-B's master BOM and order A's BOM
    # of B), so key by the pair and give a colliding number a suffix.
    numbers: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    # (the pairs are zipped anew where needed: a list of 1.8 M pairs held 110 MB)
    for key in dict.fromkeys(zip(parents, sales_orders, strict=True)):
        numbers[key] = _unused(_bom_number(*key), used)
    order_kind, master_kind = BomKind.ORDER.value, BomKind.ENGINEERING.value
    # the BOMs' items, orders and lines are this import's own rows (``pg_key_checks``)
    with indexes_built_after(conn, Bom.__tablename__), checked_at_once(conn, _table(Bom)):
        bulk_insert(
            conn,
            Bom,
            ("number", "kind", "item_id", "sales_order_id", "sales_order_line_id"),
            (
                (
                    number,
                    order_kind if so else master_kind,
                    items[parent],
                    orders[so] if so else None,
                    line_of_item.get((so, parent)) if so else None,
                )
                for (parent, so), number in numbers.items()
            ),
        )
    bom_ids = _ids(conn, Bom.number, Bom.id)
    boms = {key: (bom_ids[number], number) for key, number in numbers.items()}
    id_of = {key: ident for key, (ident, _number) in boms.items()}
    write_bom_lines(
        conn,
        np.fromiter(
            map(id_of.__getitem__, zip(parents, sales_orders, strict=True)), np.int64, count
        ),
        np.fromiter(map(items.__getitem__, components), dtype=np.int64, count=count),
        qty_per,
        scrap_pct,
    )
    return boms


def _bom_columns(
    rows: list[BomRow],
) -> tuple[Sequence[str], Sequence[str], Sequence[float], Sequence[float], Sequence[str]]:
    """The BOM rows' columns: parent, component, qty_per, scrap_pct, sales_order."""
    if not rows:
        return (), (), (), (), ()
    parents, components, qty_per, scrap_pct, sales_orders = zip(*rows, strict=True)
    return parents, components, qty_per, scrap_pct, sales_orders


def _write_capacity(
    conn: Connection,
    data: Dataset,
    items: dict[str, int],
    boms: dict[tuple[str, str], tuple[int, str]],
) -> None:
    """Work centers, their closed days, and routings: an order routing (``sales_order`` set)
    belongs to that order's BOM of the item, numbered after it (``RT-BOM-SO-1-X``)."""
    if data.work_centers:
        conn.execute(
            insert(WorkCenter),
            [
                {
                    "code": w.work_center,
                    "description": w.description,
                    "hours_per_day": w.hours_per_day,
                    "weekday_hours": (
                        list(parse_weekday_hours(w.weekday_hours)) if w.weekday_hours else None
                    ),
                    "units": w.units,
                    "efficiency_pct": w.efficiency_pct,
                    "cost_rate": w.cost_rate,
                }
                for w in data.work_centers
            ],
        )
    centers = _ids(conn, WorkCenter.code, WorkCenter.id)
    bulk_insert(
        conn,
        WorkCenterClosedDay,
        ("work_center_id", "day", "description"),
        ((centers[c.work_center], c.date, c.description) for c in data.closed_days),
    )
    numbers: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    for op in data.routings:
        key = (op.item, op.sales_order)
        if key not in numbers:
            base = f"RT-{boms[key][1]}" if op.sales_order else f"RT-{op.item}"
            numbers[key] = _unused(base, used)
    bulk_insert(
        conn,
        Routing,
        ("number", "item_id", "bom_id"),
        (
            (number, items[item], boms[(item, so)][0] if so else None)
            for (item, so), number in numbers.items()
        ),
    )
    routing_ids = _ids(conn, Routing.number, Routing.id)
    bulk_insert(
        conn,
        RoutingOperation,
        ("routing_id", "work_center_id", *_ROUTING_COLUMNS),
        (
            (
                routing_ids[numbers[(op.item, op.sales_order)]],
                centers[op.work_center],
                *_values(op, _ROUTING_COLUMNS),
            )
            for op in data.routings
        ),
    )


def _write_stock(
    conn: Connection, data: Dataset, items: dict[str, int], orders: dict[str, int], author: str
) -> None:
    costs = {i.item: i.unit_cost for i in data.items}  # opening stock is worth its unit cost
    keyed = [
        (
            items[s.item],
            s.location,
            orders[s.sales_order] if s.sales_order else None,
            s.qty,
            valuation.exact(as_decimal(s.qty) * as_decimal(costs[s.item])),
        )
        for s in data.stock
    ]
    bulk_insert(
        conn,
        StockMove,
        (
            "item_id",
            "location",
            "sales_order_id",
            "qty",
            "value",
            "kind",
            "reference",
            "reason",
            "author",
        ),
        (
            (i, loc, so, q, v, "opening", "bundle import", "opening balance", author)
            for i, loc, so, q, v in keyed
        ),
    )
    bulk_insert(
        conn,
        StockBalance,
        ("item_id", "location", "sales_order_id", "qty", "value"),
        keyed,
    )


def _write_purchases(
    conn: Connection, data: Dataset, items: dict[str, int], orders: dict[str, int]
) -> None:
    suppliers: dict[str, str] = {}
    for p in data.purchases:
        if not suppliers.get(p.purchase_order):
            suppliers[p.purchase_order] = p.supplier
    bulk_insert(
        conn,
        PurchaseOrder,
        ("number", "supplier"),
        sorted(suppliers.items()),
    )
    po_ids = _ids(conn, PurchaseOrder.number, PurchaseOrder.id)
    costs = {i.item: i.unit_cost for i in data.items}  # a line without a price: the item's
    bulk_insert(
        conn,
        PurchaseOrderLine,
        (
            "purchase_order_id",
            "item_id",
            "qty",
            "received_qty",
            "status",
            "sales_order_id",
            "unit_price",
            *_PURCHASE_LINE_COLUMNS,
        ),
        (
            (
                po_ids[p.purchase_order],
                items[p.item],
                p.qty,
                0.0,
                p.status,
                orders[p.sales_order] if p.sales_order else None,
                costs[p.item] if p.unit_price is None else p.unit_price,
                *_values(p, _PURCHASE_LINE_COLUMNS),
            )
            for p in data.purchases
        ),
    )


def _write_productions(
    conn: Connection, data: Dataset, items: dict[str, int], orders: dict[str, int]
) -> None:
    bulk_insert(
        conn,
        ProductionOrder,
        (
            "number",
            "item_id",
            "qty",
            "completed_qty",
            "scrapped_qty",
            "status",
            "components_issued",
            "sales_order_id",
            *_PRODUCTION_COLUMNS,
        ),
        (
            (
                m.production_order,
                items[m.item],
                m.qty,
                0.0,
                0.0,
                m.status,
                m.components_issued,
                orders[m.sales_order] if m.sales_order else None,
                *_values(m, _PRODUCTION_COLUMNS),
            )
            for m in data.productions
        ),
    )
    # the master schedule's lines: production orders flagged mps, planned, made for stock
    bulk_insert(
        conn,
        ProductionOrder,
        (
            "number",
            "item_id",
            "qty",
            "completed_qty",
            "scrapped_qty",
            "status",
            "components_issued",
            "mps",
            "due_date",
        ),
        (
            (
                line_number(m.item, m.date),
                items[m.item],
                m.qty,
                0.0,
                0.0,
                "planned",
                False,
                True,
                m.date,
            )
            for m in data.mps
        ),
    )


def configured_planning_date(session: Session) -> date | None:
    """The ``planning_date`` setting, when the company has one."""
    value = session.scalar(
        select(CompanySetting.value).where(CompanySetting.key == "planning_date")
    )
    return date.fromisoformat(value) if value else None


def read_company(session: Session) -> Dataset:
    """The planning data as a dataset: what is still open, as a bundle describes it."""
    conn = session.connection()
    data = Dataset()
    data.settings = dict(conn.execute(select(CompanySetting.key, CompanySetting.value)).all())
    data.holidays = [
        HolidayRow(*r)
        for r in conn.execute(select(Holiday.day, Holiday.description).order_by(Holiday.day))
    ]
    data.locations = [
        LocationRow(*r)
        for r in conn.execute(select(Location.code, Location.description).order_by(Location.code))
    ]
    data.items = [
        ItemRow(*r)
        for r in conn.execute(select(*(getattr(Item, c) for c in ITEM_COLUMNS)).order_by(Item.code))
    ]
    data.sales = _read_sales(conn)
    data.templates = template_definitions(session)
    data.work_centers, data.closed_days = _read_work_centers(conn)
    _keep_open_references(
        data,
        _read_bom(conn),
        _read_stock(conn),
        _read_purchases(conn),
        _read_productions(conn),
        _read_routings(conn),
    )
    data.mps = _read_mps(conn)
    return data


def _keep_open_references(
    data: Dataset,
    bom: list[BomRow],
    stock: list[StockRow],
    purchases: list[PurchaseRow],
    productions: list[ProductionRow],
    routings: list[RoutingRow],
) -> None:
    """A bundle holds the open backlog only; what pointed to other orders is freed or dropped.

    Order BOMs of orders not exported go, and their order routings; stock and receipts
    reserved for them become free (leftovers of a cancelled or shipped order, usable by
    anyone); their production
    orders not yet released go, released ones stay as free supply.
    """
    open_orders = {s.sales_order for s in data.sales}

    def is_open(so: str) -> bool:
        return not so or so in open_orders

    data.bom = [r for r in bom if is_open(r.sales_order)]
    merged: dict[tuple[str, str, str], StockRow] = {}
    for row in stock:
        row = row if is_open(row.sales_order) else row._replace(sales_order="")
        key = (row.item, row.location, row.sales_order)
        if key in merged:
            row = row._replace(qty=merged[key].qty + row.qty)
        merged[key] = row
    data.stock = sorted(merged.values(), key=lambda r: (r.item, r.location, r.sales_order))
    data.purchases = [
        r if is_open(r.sales_order) else r._replace(sales_order="") for r in purchases
    ]
    data.productions = [
        r if is_open(r.sales_order) else r._replace(sales_order="")
        for r in productions
        if is_open(r.sales_order) or r.status != "planned"
    ]
    # an order routing goes with its order BOM's rows (an order BOM without rows has none)
    order_boms = {(r.parent, r.sales_order) for r in data.bom if r.sales_order}
    data.routings = [
        r for r in routings if not r.sales_order or (r.item, r.sales_order) in order_boms
    ]


_OPEN_SALES = (SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION)
"""The backlog a bundle carries: drafts are not demand yet, shipped and closed no longer."""


def _read_bom(conn: Connection) -> list[BomRow]:
    parent = aliased(Item)
    component = aliased(Item)
    stmt = (
        select(parent.code, component.code, BomLine.qty_per, BomLine.scrap_pct, SalesOrder.number)
        .select_from(BomLine)
        .join(Bom, Bom.id == BomLine.bom_id)
        .join(parent, parent.id == Bom.item_id)
        .join(component, component.id == BomLine.component_id)
        .outerjoin(SalesOrder, SalesOrder.id == Bom.sales_order_id)
        # templates travel in templates.json: their formula lines have no plain quantity
        .where(~exists().where(BomParameter.bom_id == Bom.id))
        .order_by(Bom.sales_order_id.is_not(None), SalesOrder.number, parent.code, BomLine.position)
    )
    return [BomRow(p, c, q, s, so or "") for p, c, q, s, so in conn.execute(stmt)]


def _read_work_centers(conn: Connection) -> tuple[list[WorkCenterRow], list[ClosedDayRow]]:
    centers = [
        WorkCenterRow(
            wc.code,
            wc.description,
            wc.hours_per_day,
            format_weekday_hours(wc.weekday_hours) if wc.weekday_hours else "",
            wc.units,
            wc.efficiency_pct,
            Decimal(wc.cost_rate).quantize(Decimal("0.01")),
        )
        for wc in conn.execute(select(WorkCenter.__table__).order_by(WorkCenter.code))
    ]
    closed = [
        ClosedDayRow(*r)
        for r in conn.execute(
            select(WorkCenter.code, WorkCenterClosedDay.day, WorkCenterClosedDay.description)
            .join(WorkCenter, WorkCenter.id == WorkCenterClosedDay.work_center_id)
            .order_by(WorkCenter.code, WorkCenterClosedDay.day)
        )
    ]
    return centers, closed


def _read_routings(conn: Connection) -> list[RoutingRow]:
    """Every routing's operations; an order routing under its order BOM's sales order (the
    first routing of an item and order when two order BOMs of one order make the item)."""
    stmt = (
        select(
            Item.code,
            SalesOrder.number,
            WorkCenter.code,
            Routing.id,
            *_columns(RoutingOperation, _ROUTING_COLUMNS),
        )
        .select_from(RoutingOperation)
        .join(Routing, Routing.id == RoutingOperation.routing_id)
        .join(Item, Item.id == Routing.item_id)
        .join(WorkCenter, WorkCenter.id == RoutingOperation.work_center_id)
        .outerjoin(Bom, Bom.id == Routing.bom_id)
        .outerjoin(SalesOrder, SalesOrder.id == Bom.sales_order_id)
        .where(Routing.bom_id.is_(None) | Bom.sales_order_id.is_not(None))
        .order_by(Item.code, SalesOrder.number, Routing.id, RoutingOperation.sequence)
    )
    first: dict[tuple[str, str], int] = {}
    out = []
    for item, so, center, routing_id, *shared in conn.execute(stmt):
        if first.setdefault((item, so or ""), routing_id) != routing_id:
            continue
        own = {"item": item, "sales_order": so or "", "work_center": center}
        out.append(RoutingRow(**own, **dict(zip(_ROUTING_COLUMNS, shared, strict=True))))
    return out


def _read_stock(conn: Connection) -> list[StockRow]:
    stmt = (
        select(Item.code, StockBalance.qty, StockBalance.location, SalesOrder.number)
        .select_from(StockBalance)
        .join(Item, Item.id == StockBalance.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == StockBalance.sales_order_id)
        .order_by(Item.code, StockBalance.location, SalesOrder.number)
    )
    return [StockRow(i, q, loc, so or "") for i, q, loc, so in conn.execute(stmt)]


def _read_purchases(conn: Connection) -> list[PurchaseRow]:
    stmt = (
        select(
            PurchaseOrder.number,
            Item.code,
            PurchaseOrderLine.qty - PurchaseOrderLine.received_qty,
            PurchaseOrderLine.status,
            SalesOrder.number,
            PurchaseOrderLine.unit_price,
            Item.unit_cost,
            *_columns(PurchaseOrderLine, _PURCHASE_LINE_COLUMNS),
        )
        .select_from(PurchaseOrderLine)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .join(Item, Item.id == PurchaseOrderLine.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == PurchaseOrderLine.sales_order_id)
        .where(
            PurchaseOrderLine.status.in_(OPEN_PURCHASE_STATUSES),
            PurchaseOrderLine.qty > PurchaseOrderLine.received_qty,
        )
        .order_by(PurchaseOrder.number, PurchaseOrderLine.line)
    )
    return [
        PurchaseRow(
            purchase_order=po,
            item=item,
            qty=qty,
            status=str(status),
            sales_order=so or "",
            # the item's own cost is what an empty price means: exported empty again
            unit_price=None if price == cost else price,
            **dict(zip(_PURCHASE_LINE_COLUMNS, shared, strict=True)),
        )
        for po, item, qty, status, so, price, cost, *shared in conn.execute(stmt)
    ]


def _is_mps_line() -> Any:
    """A master-schedule line not yet released, of an item still on the schedule (joined
    as ``Item``): ``mps.csv``'s, not production_orders.csv's. Released, it is an order of
    the shop floor like any other; an item taken off the schedule keeps its lines as
    planned production orders."""
    return and_(
        ProductionOrder.mps.is_(True),
        ProductionOrder.status == ProductionStatus.PLANNED,
        ProductionOrder.sales_order_id.is_(None),
        Item.mps.is_(True),
    )


def _read_mps(conn: Connection) -> list[MpsRow]:
    stmt = (
        select(Item.code, ProductionOrder.due_date, ProductionOrder.qty)
        .join(Item, Item.id == ProductionOrder.item_id)
        .where(_is_mps_line())
        .order_by(Item.code, ProductionOrder.due_date)
    )
    return [MpsRow(*r) for r in conn.execute(stmt)]


def _read_productions(conn: Connection) -> list[ProductionRow]:
    stmt = (
        select(
            ProductionOrder.number,
            Item.code,
            ProductionOrder.qty - ProductionOrder.completed_qty,
            ProductionOrder.status,
            ProductionOrder.components_issued,
            SalesOrder.number,
            *_columns(ProductionOrder, _PRODUCTION_COLUMNS),
        )
        .select_from(ProductionOrder)
        .join(Item, Item.id == ProductionOrder.item_id)
        .outerjoin(SalesOrder, SalesOrder.id == ProductionOrder.sales_order_id)
        .where(
            ProductionOrder.status.in_(OPEN_PRODUCTION_STATUSES),
            ProductionOrder.qty > ProductionOrder.completed_qty,
            ~_is_mps_line(),
        )
        .order_by(ProductionOrder.number)
    )
    return [
        ProductionRow(
            production_order=n,
            item=item,
            qty=qty,
            status=str(status),
            components_issued=bool(issued),
            sales_order=so or "",
            **dict(zip(_PRODUCTION_COLUMNS, shared, strict=True)),
        )
        for n, item, qty, status, issued, so, *shared in conn.execute(stmt)
    ]


def _read_sales(conn: Connection) -> list[SalesRow]:
    stmt = (
        select(
            SalesOrder.number,
            Customer.code,
            Project.code,
            Item.code,
            SalesOrderLine.unit_price,
            SalesOrderLine.discount_pct,
            *_columns(SalesOrderLine, _SALES_LINE_COLUMNS),
        )
        .select_from(SalesOrderLine)
        .join(SalesOrder, SalesOrder.id == SalesOrderLine.sales_order_id)
        .join(Customer, Customer.id == SalesOrder.customer_id)
        .outerjoin(Project, Project.id == SalesOrder.project_id)
        .join(Item, Item.id == SalesOrderLine.item_id)
        .where(
            and_(
                SalesOrder.status.in_(_OPEN_SALES),
                SalesOrderLine.status.in_(_OPEN_SALES),
            )
        )
        .order_by(SalesOrder.number, SalesOrderLine.line)
    )
    return [
        SalesRow(
            sales_order=so,
            customer=cust,
            project=proj or "",
            item=item,
            unit_price=None if price is None else Decimal(price).quantize(Decimal("0.01")),
            discount_pct=Decimal(discount or 0).quantize(Decimal("0.01")),
            **dict(zip(_SALES_LINE_COLUMNS, shared, strict=True)),
        )
        for so, cust, proj, item, price, discount, *shared in conn.execute(stmt)
    ]
