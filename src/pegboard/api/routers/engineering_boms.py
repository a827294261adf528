"""Engineering BOMs line by line (the browser's tree editor does the same): the tree of
an item, a line added, changed, moved (up, down or under another item) or removed;
``services.bom_edit``'s rules (a cycle refused with its items named) and audit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.errors import ValidationError
from pegboard.services import bom_edit
from pegboard.services.bom_edit import TreeLine
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/items", tags=["items"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]

Position = Annotated[int, Path(ge=1, le=2**31 - 1, description="the line's position")]
QtyPer = Annotated[float, Field(gt=0, lt=1e9, allow_inf_nan=False)]
Scrap = Annotated[float, Field(ge=0, lt=1e9, allow_inf_nan=False)]


class TreeLineOut(BaseModel):
    position: int
    component: str
    description: str
    type: str
    uom: str
    qty_per: float
    scrap_pct: float
    lines: list[TreeLineOut] = Field(description="the component's own engineering BOM")
    cut: bool = Field(description="the component has levels not read here (open it)")


class BomTreeOut(BaseModel):
    item: str
    number: str | None = Field(description="BOM-<item>; null while it has no BOM")
    template: bool = Field(description="a template: edited under /api/templates")
    lines: list[TreeLineOut]
    nodes: int
    cut: bool


class NewBomLine(BaseModel):
    component: str = Field(max_length=100)
    qty_per: QtyPer
    scrap_pct: Scrap = 0.0


class BomLineChange(BaseModel):
    qty_per: QtyPer | None = None
    scrap_pct: Scrap | None = None


class BomLineMove(BaseModel):
    direction: Literal["up", "down"] | None = Field(default=None, description="within its BOM")
    new_parent: str | None = Field(
        default=None, max_length=100, description="or: the item whose BOM it goes into, last"
    )


class Placed(BaseModel):
    item: str = Field(description="the item whose BOM holds the line")
    position: int


def _line_out(line: TreeLine) -> TreeLineOut:
    return TreeLineOut(
        position=line.position,
        component=line.component,
        description=line.description,
        type=line.type.value,
        uom=line.uom,
        qty_per=line.qty_per,
        scrap_pct=line.scrap_pct,
        lines=[_line_out(c) for c in line.children],
        cut=line.cut,
    )


@router.get("/{code}/bom")
def get_bom_tree(code: str, user: Reader, session: DbSession) -> BomTreeOut:
    """The item's engineering BOM as a tree, each component's own lines below it."""
    tree = bom_edit.bom_tree(session, code)
    return BomTreeOut(
        item=tree.item,
        number=tree.number,
        template=tree.template,
        lines=[_line_out(line) for line in tree.lines],
        nodes=tree.nodes,
        cut=tree.cut,
    )


@router.post("/{code}/bom/lines", status_code=201)
def add_bom_line(code: str, body: NewBomLine, user: MasterData, session: DbSession) -> Placed:
    """A new last line (the BOM is made with its first line); 409 for a cycle."""
    position = bom_edit.add_line(
        session,
        code,
        component=body.component,
        qty_per=body.qty_per,
        scrap_pct=body.scrap_pct,
        author=user.name,
    )
    return Placed(item=code, position=position)


@router.patch("/{code}/bom/lines/{position}")
def change_bom_line(
    code: str, position: Position, body: BomLineChange, user: MasterData, session: DbSession
) -> Placed:
    bom_edit.change_line(
        session, code, position, qty_per=body.qty_per, scrap_pct=body.scrap_pct, author=user.name
    )
    return Placed(item=code, position=position)


@router.post("/{code}/bom/lines/{position}/move")
def move_bom_line(
    code: str, position: Position, body: BomLineMove, user: MasterData, session: DbSession
) -> Placed:
    """Up or down within its BOM, or into another item's BOM (checked for a cycle)."""
    if body.new_parent:
        moved = bom_edit.move_line_to(session, code, position, body.new_parent, author=user.name)
        return Placed(item=body.new_parent, position=moved)
    if body.direction is None:
        raise ValidationError("give a direction (up or down) or a new_parent", field="direction")
    moved = bom_edit.move_line(session, code, position, body.direction, author=user.name)
    return Placed(item=code, position=moved)


@router.delete("/{code}/bom/lines/{position}", status_code=204)
def remove_bom_line(code: str, position: Position, user: MasterData, session: DbSession) -> None:
    bom_edit.remove_line(session, code, position, author=user.name)
