"""Apply an upsert: add the bundle's new rows and change the changed ones in place.

The other half of ``replace_company``: nothing is deleted (a row the bundle leaves out
stays), the stock ledger, the shop floor's records and the plan's history are kept.
One transaction for everything: the company is read, the bundle checked against it
(``read``, the bundle layer's reader), the diff (``services.upsert_diff``) written
table by table, what a row refers to first (items before BOM lines and sales lines,
customers and orders before their lines and order BOMs, work centers before closed days
and routings), and audited (``services.upsert_writer``): one entry per table with its
counts, and one per added or changed row with the fields before and after. A rule
broken anywhere writes nothing.

Master data is written here; orders, routings, the master schedule, stock (as counts:
adjustments posted to the ledger) and templates by ``services.upsert_orders``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.errors import ConflictError
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    BomParameter,
    CompanySetting,
    Customer,
    Holiday,
    Item,
    Location,
    Project,
    SalesOrder,
    SalesOrderLine,
    WorkCenter,
    WorkCenterClosedDay,
)
from pegboard.model.enums import SalesOrderStatus
from pegboard.services import audit, plan_inputs, upsert_orders
from pegboard.services._tx import refusing_disk_full
from pegboard.services.capacity import parse_weekday_hours
from pegboard.services.company_data import ITEM_COLUMNS, read_company
from pegboard.services.dataset import Dataset, ItemRow, decimals_of
from pegboard.services.upsert_diff import FileDiff, Places, diff
from pegboard.services.upsert_writer import Writer

Read = Callable[[Dataset], tuple[Dataset, Places]]
"""Reads and checks the bundle against the company; returns the bundle's own rows and
where each is."""

Counts = dict[str, tuple[int, int]]
"""Per file with something to write: the rows added and changed."""


def counts(diffs: Iterable[FileDiff]) -> Counts:
    return {d.file: (len(d.added), len(d.changed)) for d in diffs if d.added or d.changed}


def upsert_company(
    session: Session, read: Read, *, author: str, expected: Counts | None = None
) -> list[FileDiff]:
    """Check the bundle ``read`` gives against the company and write what it adds and
    changes, in one transaction; returns per file what was added and changed. With
    ``expected`` (what a preview showed), a company changed since so that the upsert would
    write other counts is refused: the person approved the preview, not something else."""
    with refusing_disk_full(), session.begin():
        session.connection(execution_options={WRITE: True})
        company = read_company(session)
        given, places = read(company)
        diffs = diff(company, given)
        if expected is not None and counts(diffs) != expected:
            raise ConflictError(
                "the company changed since the preview: the upsert would now add or change "
                "other rows than it showed; nothing was written, preview it again",
                reason="preview_stale",
            )
        writer = Writer(session, author, places)
        changed = sorted(d.file for d in diffs if d.added or d.changed)
        session.info[plan_inputs.CHANGE] = f"bundle upsert by {author} ({', '.join(changed)})"
        by_file = {d.file: d for d in diffs}
        writers = _WRITERS | {"templates": partial(upsert_orders.templates, given.templates)}
        for name, write in writers.items():
            d = by_file.get(name)
            if d is not None and (d.added or d.changed):
                write(writer, d)
                writer.audit_table(d)
        session.flush()
    return diffs


def _settings(w: Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        w.session.merge(CompanySetting(key=row["key"], value=row["value"]))


def _holidays(w: Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        w.session.merge(Holiday(day=row["date"], description=row["description"]))


def _locations(w: Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        w.session.merge(Location(code=row["location"], description=row["description"]))


_ITEM_FIELDS = ITEM_COLUMNS[1:]  # all but the code: the key


def _items(w: Writer, d: FileDiff) -> None:
    ids = w.ids(Item.code, Item.id, (str(r[0]) for _o, r in d.changed))
    for old, row in w.each(d):
        values: Mapping[str, Any] = {
            **{k: row[k] for k in _ITEM_FIELDS if k != "decimals"},
            "decimals": decimals_of(_item_row(row)),
        }
        if old is None:
            w.session.add(Item(code=row["item"], **values))
        else:
            item = w.session.get_one(Item, ids[row["item"]])
            if row["type"] == "buy" and item.type.value != "buy":
                _refuse_bought_with_bom(w, item, row)
            for name, value in values.items():
                setattr(item, name, value)
    w.session.flush()


def _refuse_bought_with_bom(w: Writer, item: Item, row: dict[str, Any]) -> None:
    """An item with a BOM the bundle does not show (a template's) stays made, as the
    item editor says (the bundle's own BOM rows were checked when it was read)."""
    if w.session.scalar(select(Bom.id).where(Bom.item_id == item.id).limit(1)) is not None:
        raise w.refuse("items", row, "type", "it has a bill of material, so it must stay make")


def _item_row(row: Mapping[str, Any]) -> ItemRow:
    return ItemRow(**row)


def _customer(w: Writer, code: str) -> int:
    found = w.session.scalar(select(Customer.id).where(Customer.code == code))
    if found is not None:
        return found
    customer = Customer(code=code, name=code)
    w.session.add(customer)
    w.session.flush()
    audit.record(w.session, author=w.author, entity="customer", ref=code, action="create")
    return customer.id


def _project(w: Writer, customer_id: int, customer: str, code: str) -> int | None:
    if not code:
        return None
    found = w.session.scalar(
        select(Project.id).where(Project.customer_id == customer_id, Project.code == code)
    )
    if found is not None:
        return found
    project = Project(customer_id=customer_id, code=code, name=code)
    w.session.add(project)
    w.session.flush()
    audit.record(
        w.session, author=w.author, entity="project", ref=f"{customer}/{code}", action="create"
    )
    return project.id


def _open_order(w: Writer, row: Mapping[str, Any]) -> SalesOrder:
    """The line's order: created when new; its customer and project as the row says. An
    order no longer open (shipped, closed, cancelled) is refused: an upsert reopens
    nothing."""
    number = row["sales_order"]
    customer_id = _customer(w, row["customer"])
    project_id = _project(w, customer_id, row["customer"], row["project"])
    order = w.session.scalar(select(SalesOrder).where(SalesOrder.number == number))
    if order is None:
        order = SalesOrder(
            number=number,
            customer_id=customer_id,
            project_id=project_id,
            status=SalesOrderStatus.CONFIRMED,
        )
        w.session.add(order)
        w.session.flush()
        return order
    if order.status not in (SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION):
        raise w.refuse(
            "sales_orders",
            dict(row),
            "sales_order",
            f"{number} is {order.status.value}: an upsert reopens no order",
        )
    order.customer_id, order.project_id = customer_id, project_id
    return order


_SALES_FIELDS = ("qty", "shipped_qty", "due_date", "priority", "unit_price", "discount_pct")


def _sales(w: Writer, d: FileDiff) -> None:
    items = w.ids(Item.code, Item.id, (str(r[4]) for r in [*d.added, *(n for _o, n in d.changed)]))
    for _old, row in w.each(d):
        order = _open_order(w, row)
        line = w.session.scalar(
            select(SalesOrderLine).where(
                SalesOrderLine.sales_order_id == order.id, SalesOrderLine.line == row["line"]
            )
        )
        if line is None:
            line = SalesOrderLine(
                sales_order_id=order.id,
                line=row["line"],
                status=SalesOrderStatus.CONFIRMED,
            )
            w.session.add(line)
        elif line.status not in (SalesOrderStatus.CONFIRMED, SalesOrderStatus.IN_PRODUCTION):
            raise w.refuse(
                "sales_orders", row, "line", f"is {line.status.value}: an upsert reopens no line"
            )
        line.item_id = items[row["item"]]
        for name in _SALES_FIELDS:
            setattr(line, name, row[name])
        w.session.flush()


def _bom_header(w: Writer, parent_id: int, row: Mapping[str, Any]) -> Bom:
    """The BOM the line belongs to (the item's engineering BOM, or the order's BOM of
    it), created when it has none; a template's BOM is refused (its lines are formulas)."""
    number = row["sales_order"]
    order_id = (
        w.session.scalar(select(SalesOrder.id).where(SalesOrder.number == number))
        if number
        else None
    )
    stmt = select(Bom).where(Bom.item_id == parent_id, Bom.parent_bom_id.is_(None))
    stmt = stmt.where(Bom.sales_order_id == order_id if order_id else Bom.sales_order_id.is_(None))
    bom = w.session.scalars(stmt.order_by(Bom.id).limit(1)).first()
    if bom is None:
        base = f"BOM-{number}-{row['parent']}" if number else f"BOM-{row['parent']}"
        name = w.free_number(Bom.number, base)
        bom = Bom(
            number=name,
            kind=BomKind.ORDER if order_id else BomKind.ENGINEERING,
            item_id=parent_id,
            sales_order_id=order_id,
        )
        w.session.add(bom)
        w.session.flush()
    elif w.session.scalar(select(BomParameter.id).where(BomParameter.bom_id == bom.id).limit(1)):
        raise w.refuse(
            "bom",
            dict(row),
            "parent",
            f"{row['parent']} is a configurable template: its lines are changed in the "
            "template editor",
        )
    return bom


def _bom(w: Writer, d: FileDiff) -> None:
    rows = [*d.added, *(n for _o, n in d.changed)]
    items = w.ids(Item.code, Item.id, (str(c) for r in rows for c in (r[0], r[1])))
    for _old, row in w.each(d):
        bom = _bom_header(w, items[row["parent"]], row)
        component = items[row["component"]]
        line = w.session.scalars(
            select(BomLine)
            .where(BomLine.bom_id == bom.id, BomLine.component_id == component)
            .order_by(BomLine.position)
            .limit(1)
        ).first()
        if line is None:
            last = w.session.scalar(
                select(func.max(BomLine.position)).where(BomLine.bom_id == bom.id)
            )
            line = BomLine(bom_id=bom.id, position=(last or 0) + 1, component_id=component)
            w.session.add(line)
        line.qty_per, line.scrap_pct = row["qty_per"], row["scrap_pct"]
        w.session.flush()


def _work_centers(w: Writer, d: FileDiff) -> None:
    ids = w.ids(WorkCenter.code, WorkCenter.id, (str(n[0]) for _o, n in d.changed))
    for old, row in w.each(d):
        values = {
            "description": row["description"],
            "hours_per_day": row["hours_per_day"],
            "weekday_hours": (
                list(parse_weekday_hours(row["weekday_hours"])) if row["weekday_hours"] else None
            ),
            "units": row["units"],
            "efficiency_pct": row["efficiency_pct"],
            "cost_rate": row["cost_rate"],
        }
        if old is None:
            w.session.add(WorkCenter(code=row["work_center"], **values))
        else:
            center = w.session.get_one(WorkCenter, ids[row["work_center"]])
            for name, value in values.items():
                setattr(center, name, value)
    w.session.flush()


def _closed_days(w: Writer, d: FileDiff) -> None:
    rows = [*d.added, *(n for _o, n in d.changed)]
    centers = w.ids(WorkCenter.code, WorkCenter.id, (str(r[0]) for r in rows))
    for _old, row in w.each(d):
        w.session.merge(
            WorkCenterClosedDay(
                work_center_id=centers[row["work_center"]],
                day=row["date"],
                description=row["description"],
            )
        )


_WRITERS: dict[str, Callable[[Writer, FileDiff], None]] = {
    "settings": _settings,
    "holidays": _holidays,
    "items": _items,
    "locations": _locations,
    "sales_orders": _sales,
    "bom": _bom,
    "work_centers": _work_centers,
    "work_center_closed_days": _closed_days,
    "routings": upsert_orders.routings,
    "mps": upsert_orders.mps,
    "purchase_orders": upsert_orders.purchases,
    "production_orders": upsert_orders.productions,
    "stock": upsert_orders.stock,
}
"""Each file's writer, in the order ``upsert_company`` calls them: what a row refers to
first (items before sales lines, sales orders before their order BOMs and order lines,
work centers before their closed days and routings, BOMs before order routings, orders
before the stock reserved for them); templates last (``upsert_company`` adds them, with
the bundle's definitions)."""
