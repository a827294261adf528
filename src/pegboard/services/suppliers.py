"""Suppliers: the names bought items and purchase orders carry, listed and kept tidy.

pegboard has no supplier table: the bundle's ``items.csv`` names an item's default
supplier and ``purchase_orders.csv`` the supplier of each order, as free text, and
firming groups planned buys into one purchase order per supplier name. So a
supplier is a name that items or purchase orders use, and the two things a buyer
does to suppliers are done to those names, all or nothing, audited per row:

* set a supplier (new or known) as the default supplier of some bought items
  (``assign_supplier``): the next firm orders them from it;
* rename a supplier (``rename_supplier``), on its items and its purchase orders
  that are not closed (a typo fixed, a supplier taken over); renaming onto a name
  in use merges the two only when asked, since two suppliers' orders then read as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Item, ItemType, PurchaseOrder, PurchaseOrderLine
from pegboard.model.enums import PurchaseOrderStatus
from pegboard.services import audit
from pegboard.services._tx import writes

MAX_NAME = 200
MAX_ITEMS = 1000
"""Items one assignment names at most."""
SHOWN_ITEMS = 200
"""A supplier's items shown at most (a big one supplies thousands)."""


@dataclass(frozen=True)
class SupplierRow:
    name: str
    items: int
    """Bought items whose default supplier it is."""
    open_orders: int
    """Its purchase orders not yet closed or cancelled."""


@dataclass(frozen=True)
class SupplierItem:
    code: str
    description: str
    lead_time_days: int


@dataclass(frozen=True)
class SupplierView:
    name: str
    items: list[SupplierItem]
    """Its bought items, the first ``SHOWN_ITEMS`` by code."""
    open_orders: list[str]
    item_count: int
    """How many bought items it supplies in all."""


CLOSED = (PurchaseOrderStatus.CLOSED, PurchaseOrderStatus.CANCELLED)


def clean_name(name: object, field: str = "name") -> str:
    """A supplier's name: text, stripped, not blank, at most 200 characters, one line."""
    if not isinstance(name, str):
        raise ValidationError(f"{field} must be text", field=field)
    text = name.strip()
    if not text:
        raise ValidationError(f"{field}: give the supplier's name", field=field)
    if len(text) > MAX_NAME:
        raise ValidationError(f"{field} is longer than {MAX_NAME} characters", field=field)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValidationError(f"{field} {text[:40]!r} holds a control character", field=field)
    return text


def list_suppliers(session: Session, *, q: str | None = None) -> list[SupplierRow]:
    """Every supplier name in use, by name, with its items and open purchase orders;
    optionally those holding ``q`` (any case)."""
    items = dict(
        session.execute(
            select(Item.supplier, func.count())
            .where(Item.supplier != "", Item.type == ItemType.BUY)
            .group_by(Item.supplier)
        ).all()
    )
    orders = dict(
        session.execute(
            select(PurchaseOrder.supplier, func.count())
            .where(PurchaseOrder.supplier != "", PurchaseOrder.status.not_in(CLOSED))
            .group_by(PurchaseOrder.supplier)
        ).all()
    )
    names = sorted(set(items) | set(orders), key=str.casefold)
    if q:
        names = [n for n in names if q.casefold() in n.casefold()]
    return [SupplierRow(n, items.get(n, 0), orders.get(n, 0)) for n in names]


def get_supplier(session: Session, name: str, *, limit: int = SHOWN_ITEMS) -> SupplierView:
    """A supplier's bought items (the first ``limit`` by code, and how many in all) and
    open purchase orders; a name no item or open order uses is not a supplier (404)."""
    rows = session.execute(
        select(Item.code, Item.description, Item.lead_time_days, func.count().over())
        .where(Item.supplier == name, Item.type == ItemType.BUY)
        .order_by(Item.code)
        .limit(limit)
    ).all()
    goods = [SupplierItem(code, description, lead) for code, description, lead, _ in rows]
    orders = list(
        session.scalars(
            select(PurchaseOrder.number)
            .where(PurchaseOrder.supplier == name, PurchaseOrder.status.not_in(CLOSED))
            .order_by(PurchaseOrder.number)
        )
    )
    if not goods and not orders:
        raise NotFoundError(f"no item or open purchase order names supplier {name[:100]!r}")
    return SupplierView(name, goods, orders, rows[0][3] if rows else 0)


@writes
def assign_supplier(session: Session, name: str, items: Sequence[str], *, author: str) -> list[str]:
    """Make ``name`` the default supplier of the bought ``items`` (codes); returns those
    changed. A made or unknown item is refused, naming it; nothing is changed then."""
    supplier = clean_name(name)
    codes = list(dict.fromkeys(code.strip() for code in items if code.strip()))
    if not codes:
        raise ValidationError("items: name at least one bought item", field="items")
    if len(codes) > MAX_ITEMS:
        raise ValidationError(f"items: at most {MAX_ITEMS} at once", field="items")
    rows = {i.code: i for i in session.scalars(select(Item).where(Item.code.in_(codes)))}
    if missing := [c for c in codes if c not in rows]:
        raise NotFoundError(f"no item {', '.join(missing[:10])}", item=missing[0], field="items")
    if made := [c for c in codes if rows[c].type is not ItemType.BUY]:
        raise ValidationError(
            f"{', '.join(made[:10])} made, not bought: a supplier is for bought items",
            item=made[0],
            field="items",
        )
    changed = []
    for code in codes:
        item = rows[code]
        if item.supplier == supplier:
            continue
        audit.record(
            session,
            author=author,
            entity="item",
            ref=code,
            action="change",
            before={"supplier": item.supplier},
            after={"supplier": supplier},
        )
        item.supplier = supplier
        changed.append(code)
    session.flush()
    return changed


@writes
def rename_supplier(
    session: Session, old: str, new: str, *, author: str, merge: bool = False
) -> SupplierView:
    """Rename a supplier on its items and on its purchase orders (and their lines) not
    closed or cancelled. Onto a name already in use only with ``merge``."""
    current = get_supplier(session, old, limit=MAX_ITEMS)
    target = clean_name(new, "new_name")
    if target == old:
        raise ValidationError("new_name: the same as the current name", field="new_name")
    in_use = any(row.name == target for row in list_suppliers(session))
    if in_use and not merge:
        raise ConflictError(
            f"supplier {target!r} exists already: merge them, or choose another name",
            field="new_name",
        )
    session.execute(
        update(Item).where(Item.supplier == old, Item.type == ItemType.BUY).values(supplier=target)
    )
    order_ids = select(PurchaseOrder.id).where(
        PurchaseOrder.supplier == old, PurchaseOrder.status.not_in(CLOSED)
    )
    session.execute(
        update(PurchaseOrderLine)
        .where(
            PurchaseOrderLine.purchase_order_id.in_(order_ids),
            PurchaseOrderLine.supplier.in_([old, ""]),
        )
        .values(supplier=target)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.number.in_(current.open_orders))
        .values(supplier=target)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        author=author,
        entity="supplier",
        ref=target,
        action="merge" if in_use else "rename",
        before={"name": old},
        after={
            "name": target,
            "items": current.item_count,
            "purchase_orders": current.open_orders,
        },
    )
    session.flush()
    return get_supplier(session, target)
