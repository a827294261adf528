"""Order BOMs: read, edit lines, copy to another line, save as a new product."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from pegboard import clock
from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.params import Code
from pegboard.services import order_bom
from pegboard.services.order_tree import BomView, LineTree
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/boms", tags=["boms"])
Sales = Annotated[UserView, Depends(require(Permission.SALES))]
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]

Position = Annotated[int, Path(ge=1, le=2**31 - 1, description="the line's position")]
QtyPer = Annotated[float, Field(gt=0, lt=1e12, allow_inf_nan=False)]
Scrap = Annotated[float, Field(ge=0, lt=1e12, allow_inf_nan=False)]


class BomLineOut(BaseModel):
    position: int
    component: str
    description: str
    qty_per: float
    scrap_pct: float
    child: BomOut | None = Field(description="the order BOM of a configured sub-assembly")


class BomOut(BaseModel):
    number: str
    item: str
    description: str
    configuration: dict[str, Any] = Field(description="the parameter values it was made with")
    lines: list[BomLineOut]


class ProductionOrderOut(BaseModel):
    number: str
    item: str
    qty: float
    start: date
    due: date
    status: str
    parent: str | None
    bom: str | None
    start_in_past: bool
    needs_review: bool


class LineTreeOut(BaseModel):
    """A sales-order line with its order BOM tree and production orders."""

    ref: str
    item: str
    qty: float
    due: date
    status: str
    bom: BomOut | None
    production_orders: list[ProductionOrderOut]


BomLineOut.model_rebuild()


def bom_out(view: BomView) -> BomOut:
    return BomOut.model_validate(view, from_attributes=True)


def tree_out(tree: LineTree) -> LineTreeOut:
    return LineTreeOut.model_validate(tree, from_attributes=True)


class NewLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    component: Code
    qty_per: QtyPer
    scrap_pct: Scrap = 0.0


class LineChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    component: Code | None = None
    qty_per: QtyPer | None = None
    scrap_pct: Scrap | None = None
    remove: bool = Field(default=False, description="remove the line instead")


class CopyTo(BaseModel):
    to_sales_order: Code
    to_line: int = Field(ge=1, le=2**31 - 1)


class SaveTemplate(BaseModel):
    item: Code = Field(description="code of the new product")
    description: str = Field(default="", max_length=500)


class SavedTemplate(BaseModel):
    item: str
    bom: str = Field(description="its new engineering BOM")


@router.get("/{number}")
def get_bom(number: str, user: Reader, session: DbSession) -> BomOut:
    """An order BOM with its lines and the order BOMs of its configured sub-assemblies."""
    return bom_out(order_bom.read_bom(session, number))


@router.post("/{number}/lines", status_code=201)
def add_bom_line(number: str, body: NewLine, user: Sales, session: DbSession) -> BomOut:
    """Add a component to an order BOM, for this order only. Released production orders
    built from it are flagged for review."""
    return bom_out(
        order_bom.edit_bom_line(
            session,
            number,
            component=body.component,
            qty_per=body.qty_per,
            scrap_pct=body.scrap_pct,
            author=user.name,
        )
    )


@router.patch("/{number}/lines/{position}")
def change_bom_line(
    number: str, position: Position, body: LineChange, user: Sales, session: DbSession
) -> BomOut:
    """Change a line's component, quantity or scrap, or remove it (``remove: true``), for
    this order only. Released production orders built from it are flagged for review."""
    return bom_out(
        order_bom.edit_bom_line(
            session,
            number,
            position=position,
            component=body.component,
            qty_per=body.qty_per,
            scrap_pct=body.scrap_pct,
            remove=body.remove,
            author=user.name,
        )
    )


@router.delete("/{number}/lines/{position}", status_code=204)
def remove_bom_line(number: str, position: Position, user: Sales, session: DbSession) -> None:
    """Remove a line from an order BOM, for this order only."""
    order_bom.edit_bom_line(session, number, position=position, remove=True, author=user.name)


@router.post("/{number}/copy", status_code=201)
def copy_bom(number: str, body: CopyTo, user: Sales, session: DbSession) -> LineTreeOut:
    """Give another sales-order line the same structure (hand edits included), with its own
    order BOMs and production orders; what that line had before is replaced."""
    return tree_out(
        order_bom.copy_order_bom(
            session,
            number,
            body.to_sales_order,
            body.to_line,
            author=user.name,
            today=clock.today(),
        )
    )


@router.post("/{number}/save-template", status_code=201)
def save_template(
    number: str, body: SaveTemplate, user: MasterData, session: DbSession
) -> SavedTemplate:
    """Keep an order BOM as a new product with its own engineering BOM (its configured
    sub-assemblies become ``ITEM-1``, ``ITEM-2`` …), to sell to other customers. It
    creates items, so it needs the master-data permission."""
    code = order_bom.save_as_template(
        session, number, body.item, description=body.description, author=user.name
    )
    return SavedTemplate(item=code, bom=f"BOM-{code}")
