"""Apply an upsert: add the bundle's new rows and change the changed ones in place.

The other half of ``replace_company``: nothing is deleted (a row the bundle leaves out
stays), the stock ledger, the shop floor's records and the plan's history are kept.
One transaction for everything: the company is read, the bundle checked against it
(``read``, the bundle layer's reader), the diff (``services.upsert_diff``) written
table by table, what a row refers to first (items before BOM lines and sales lines,
customers and orders before their lines, work centers before their closed days), and
audited: one entry per table with its counts, and one per added or changed row with
the fields before and after. A rule broken anywhere writes nothing.

Written in place: settings, holidays, locations, items, sales orders (their customers
and projects created as needed), bills of material, work centers and their closed
days. The files whose rows carry a ledger or the shop floor's progress (stock,
purchase and production orders, routings, the master schedule, templates) are
refused when the bundle would add or change a row of them: those changes go through
their own commands (``pegboard stock adjust``, the order pages), which keep the
ledger's and the shop floor's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.errors import ConflictError, ValidationError
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
from pegboard.services import audit
from pegboard.services._tx import refusing_disk_full
from pegboard.services.capacity import parse_weekday_hours
from pegboard.services.company_data import read_company
from pegboard.services.dataset import Dataset, ItemRow, decimals_of
from pegboard.services.upsert_diff import FileDiff, Row, diff

Read = Callable[[Dataset], Dataset]
"""Reads and checks the bundle against the company; returns the bundle's own rows."""

NOT_IN_PLACE = {
    "stock": "stock is changed by adjustments (pegboard stock adjust), which keep the ledger",
    "purchase_orders": "purchase orders are changed on their own pages and commands",
    "production_orders": "production orders are changed on the shop floor's pages",
    "routings": "routings are changed in the routing editor",
    "mps": "the master schedule is changed with pegboard mps",
    "templates": "templates are changed in the template editor",
}
"""Files an upsert leaves to their own commands, and where those changes go instead."""


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
        diffs = diff(company, read(company))
        if expected is not None and counts(diffs) != expected:
            raise ConflictError(
                "the company changed since the preview: the upsert would now add or change "
                "other rows than it showed; nothing was written, preview it again",
                reason="preview_stale",
            )
        _refuse_not_in_place(diffs)
        writer = _Writer(session, author)
        by_file = {d.file: d for d in diffs}
        for name, write in _WRITERS.items():
            d = by_file.get(name)
            if d is not None and (d.added or d.changed):
                write(writer, d)
                writer.audit_table(d)
        session.flush()
    return diffs


def _refuse_not_in_place(diffs: list[FileDiff]) -> None:
    for d in diffs:
        if d.file in NOT_IN_PLACE and (d.added or d.changed):
            row = d.added[0] if d.added else d.changed[0][1]
            key = "/".join(str(k) for k in d.key(row))
            raise ValidationError(
                f"{d.file}: an upsert changes no {d.file.replace('_', ' ')} "
                f"({len(d.added)} row(s) would be added and {len(d.changed)} changed, "
                f"the first {key}): {NOT_IN_PLACE[d.file]}; leave them out of the file, "
                "or import without upsert to replace the company",
                field=d.file,
                file=d.file,
                value=key,
            )


ENTITIES = {
    "settings": "setting",
    "holidays": "calendar",
    "items": "item",
    "locations": "location",
    "sales_orders": "sales_order_line",
    "bom": "bom",
    "work_centers": "work_center",
    "work_center_closed_days": "work_center",
}
"""The audit's entity of each file's rows: the one its own commands write."""


def _named(d: FileDiff, row: Row) -> dict[str, Any]:
    return dict(zip(d.names, row, strict=True))


class _Writer:
    """The transaction's session, the author, and the codes' ids as rows are added."""

    def __init__(self, session: Session, author: str) -> None:
        self.session = session
        self.author = author

    def ids(self, column: Any, ident: Any, codes: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(codes))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = self.session.execute(select(column, ident).where(column.in_(chunk)))
            found.update((code, ident_) for code, ident_ in rows)
        return found

    def audit_row(self, d: FileDiff, old: Row | None, new: Row) -> None:
        after = _named(d, new)
        before = _named(d, old) if old is not None else None
        if before is not None:
            changed = {k for k in after if after[k] != before[k]}
            before = {k: before[k] for k in changed}
            after = {k: after[k] for k in changed}
        audit.record(
            self.session,
            author=self.author,
            entity=ENTITIES[d.file],
            ref="/".join(str(k) for k in d.key(new)),
            action="upsert add" if old is None else "upsert change",
            before=before,
            after=after,
        )

    def audit_table(self, d: FileDiff) -> None:
        audit.record(
            self.session,
            author=self.author,
            entity="bundle",
            ref=d.file,
            action="upsert",
            after={"added": len(d.added), "changed": len(d.changed), "unchanged": d.unchanged},
        )

    def each(self, d: FileDiff) -> Iterable[tuple[Row | None, dict[str, Any]]]:
        """Every added row (``None`` before) and changed row (its old row), by name;
        each audited."""
        for row in d.added:
            self.audit_row(d, None, row)
            yield None, _named(d, row)
        for old, row in d.changed:
            self.audit_row(d, old, row)
            yield old, _named(d, row)


def _settings(w: _Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        w.session.merge(CompanySetting(key=row["key"], value=row["value"]))


def _holidays(w: _Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        w.session.merge(Holiday(day=row["date"], description=row["description"]))


def _locations(w: _Writer, d: FileDiff) -> None:
    for _old, row in w.each(d):
        w.session.merge(Location(code=row["location"], description=row["description"]))


_ITEM_FIELDS = (
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


def _items(w: _Writer, d: FileDiff) -> None:
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
            for name, value in values.items():
                setattr(item, name, value)
    w.session.flush()


def _item_row(row: Mapping[str, Any]) -> ItemRow:
    return ItemRow(**row)


def _customer(w: _Writer, code: str) -> int:
    found = w.session.scalar(select(Customer.id).where(Customer.code == code))
    if found is not None:
        return found
    customer = Customer(code=code, name=code)
    w.session.add(customer)
    w.session.flush()
    audit.record(w.session, author=w.author, entity="customer", ref=code, action="create")
    return customer.id


def _project(w: _Writer, customer_id: int, customer: str, code: str) -> int | None:
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


def _open_order(w: _Writer, row: Mapping[str, Any]) -> SalesOrder:
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
        raise ValidationError(
            f"sales_orders: {number} is {order.status.value}: an upsert reopens no order",
            field="sales_order",
            file="sales_orders",
            value=number,
        )
    order.customer_id, order.project_id = customer_id, project_id
    return order


_SALES_FIELDS = ("qty", "shipped_qty", "due_date", "priority", "unit_price", "discount_pct")


def _sales(w: _Writer, d: FileDiff) -> None:
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
            raise ValidationError(
                f"sales_orders: line {row['line']} of {row['sales_order']} is "
                f"{line.status.value}: an upsert reopens no line",
                field="line",
                file="sales_orders",
                value=f"{row['sales_order']}/{row['line']}",
            )
        line.item_id = items[row["item"]]
        for name in _SALES_FIELDS:
            setattr(line, name, row[name])
        w.session.flush()


def _bom_header(w: _Writer, parent_id: int, row: Mapping[str, Any]) -> Bom:
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
        taken = set(w.session.scalars(select(Bom.number).where(Bom.number.like(f"{base}%"))))
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}#{n}"
        bom = Bom(
            number=name,
            kind=BomKind.ORDER if order_id else BomKind.ENGINEERING,
            item_id=parent_id,
            sales_order_id=order_id,
        )
        w.session.add(bom)
        w.session.flush()
    elif w.session.scalar(select(BomParameter.id).where(BomParameter.bom_id == bom.id).limit(1)):
        raise ValidationError(
            f"bom: {row['parent']} is a configurable template: its lines are changed in the "
            "template editor",
            field="parent",
            file="bom",
            value=row["parent"],
        )
    return bom


def _bom(w: _Writer, d: FileDiff) -> None:
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


def _work_centers(w: _Writer, d: FileDiff) -> None:
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


def _closed_days(w: _Writer, d: FileDiff) -> None:
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


_WRITERS: dict[str, Callable[[_Writer, FileDiff], None]] = {
    "settings": _settings,
    "holidays": _holidays,
    "items": _items,
    "locations": _locations,
    "sales_orders": _sales,
    "bom": _bom,
    "work_centers": _work_centers,
    "work_center_closed_days": _closed_days,
}
"""Each file's writer, in the order ``upsert_company`` calls them: what a row refers to
first (items before sales lines, sales orders before their order BOMs, work centers
before their closed days)."""
