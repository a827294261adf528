"""Suppliers: the names bought items and purchase orders carry (``services.suppliers``).

Listed and shown by any reader; a keeper of master data makes a supplier the default
of some bought items, or renames one (merging onto a name in use only when asked). The
same service, rules and audit as the suppliers pages and ``pegboard supplier``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.services import suppliers
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/suppliers", tags=["suppliers"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]
Name = Annotated[str, Path(max_length=suppliers.MAX_NAME)]


class SupplierRowOut(BaseModel):
    name: str
    items: int = Field(description="bought items whose default supplier it is")
    open_orders: int = Field(description="its purchase orders not closed or cancelled")


class SupplierItemOut(BaseModel):
    code: str
    description: str
    lead_time_days: int


class SupplierOut(BaseModel):
    name: str
    items: list[SupplierItemOut] = Field(
        description=f"its bought items, the first {suppliers.SHOWN_ITEMS} by code"
    )
    item_count: int = Field(description="how many bought items it supplies in all")
    open_orders: list[str]


class Assign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Annotated[str, Field(max_length=100)]] = Field(
        min_length=1, max_length=suppliers.MAX_ITEMS, description="bought items' codes"
    )


class Assigned(BaseModel):
    changed: list[str] = Field(description="the items whose default supplier changed")
    supplier: SupplierOut


class Rename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_name: str = Field(max_length=suppliers.MAX_NAME)
    merge: bool = Field(default=False, description="onto a name in use: merge the two")


def _out(view: suppliers.SupplierView) -> SupplierOut:
    return SupplierOut(
        name=view.name,
        items=[SupplierItemOut(**i.__dict__) for i in view.items],
        item_count=view.item_count,
        open_orders=view.open_orders,
    )


@router.get("")
def list_suppliers(
    user: Reader,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
) -> list[SupplierRowOut]:
    """Every supplier name items or open purchase orders use, with how many of each."""
    return [SupplierRowOut(**r.__dict__) for r in suppliers.list_suppliers(session, q=q or None)]


@router.get("/{name}")
def get_supplier(name: Name, user: Reader, session: DbSession) -> SupplierOut:
    """A supplier's bought items and open purchase orders (404 for a name nothing uses)."""
    return _out(suppliers.get_supplier(session, name))


@router.post("/{name}/items")
def assign_items(name: Name, body: Assign, user: MasterData, session: DbSession) -> Assigned:
    """Make ``name`` (new or known) the default supplier of the bought items, all or
    nothing: a made or unknown item is refused, naming it."""
    changed = suppliers.assign_supplier(session, name, body.items, author=user.name)
    shown = suppliers.get_supplier(session, suppliers.clean_name(name))
    return Assigned(changed=changed, supplier=_out(shown))


@router.post("/{name}/rename")
def rename_supplier(name: Name, body: Rename, user: MasterData, session: DbSession) -> SupplierOut:
    """Rename a supplier on its items and its purchase orders not closed; 409 onto a name
    in use unless ``merge``."""
    view = suppliers.rename_supplier(
        session, name, body.new_name, author=user.name, merge=body.merge
    )
    return _out(view)
