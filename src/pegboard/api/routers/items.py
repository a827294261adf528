"""Items: list, search, read, create and change (master data)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import Code, sort_query
from pegboard.model.enums import ItemType, LotRule, Strategy
from pegboard.services import items
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/items", tags=["items"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]


Qty = Annotated[float, Field(ge=0, lt=items.MAX_QTY, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0, le=items.MAX_INT)]
LotQty = Annotated[float, Field(gt=0, lt=items.MAX_QTY, allow_inf_nan=False)]
Period = Annotated[int, Field(gt=0, le=items.MAX_INT)]
Uom = Annotated[str, StringConstraints(min_length=1, max_length=20)]
Description = Annotated[str, StringConstraints(max_length=500)]
Supplier = Annotated[str, StringConstraints(max_length=200)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(description: str | None = None) -> Any:
    """A field a change may leave out, but not send empty (null)."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


class ItemOut(BaseModel):
    code: str
    description: str
    type: ItemType
    strategy: Strategy
    uom: str
    lead_time_days: int
    lot_rule: LotRule
    lot_qty: float | None
    period_days: int | None
    min_qty: float
    multiple: float
    safety_stock: float
    unit_cost: float
    supplier: str
    decimals: int
    mps: bool = Field(description="on the master production schedule (GET /api/mps/{item})")


TYPE = "make or buy"
DECIMALS = "decimal places a planned quantity may have (0 = whole units)"
Decimals = Annotated[int, Field(ge=0, le=6)]
MPS = "on the master production schedule: made to a weekly schedule (make items only)"
STRATEGY = "mts (to stock) or mto (to order)"
LOT_RULE = "lfl (lot for lot), foq (fixed: needs lot_qty), poq (periods: needs period_days)"


class NewItem(BaseModel):
    """An item as a row of items.csv; what is left out takes that file's defaults."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    description: Description = ""
    type: ItemType = Field(default=ItemType.BUY, description=TYPE)
    strategy: Strategy = Field(default=Strategy.MTS, description=STRATEGY)
    uom: Uom = "ea"
    lead_time_days: Days = 0
    lot_rule: LotRule = Field(default=LotRule.LFL, description=LOT_RULE)
    lot_qty: LotQty | None = None
    period_days: Period | None = None
    min_qty: Qty = 0.0
    multiple: Qty = 0.0
    safety_stock: Qty = 0.0
    unit_cost: Qty = 0.0
    supplier: Supplier = ""
    decimals: Decimals | None = Field(
        default=None, description=DECIMALS + "; default: 0 for ea, pc, pcs, set, pair, else 3"
    )
    mps: bool = Field(default=False, description=MPS)


class ItemChange(BaseModel):
    """The fields to change; those left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    description: Description = optional()
    type: ItemType = optional(TYPE)
    strategy: Strategy = optional(STRATEGY)
    uom: Uom = optional()
    lead_time_days: Days = optional()
    lot_rule: LotRule = optional(LOT_RULE)
    lot_qty: LotQty | None = Field(default=None, description="null clears it")
    period_days: Period | None = Field(default=None, description="null clears it")
    min_qty: Qty = optional()
    multiple: Qty = optional()
    safety_stock: Qty = optional()
    unit_cost: Qty = optional()
    supplier: Supplier = optional()
    decimals: Decimals = optional(DECIMALS)
    mps: bool = optional(MPS)


def _out(view: items.ItemView) -> ItemOut:
    return ItemOut(**view.__dict__)


@router.get("")
def list_items(
    user: Reader,
    session: DbSession,
    paging: Paging,
    q: Annotated[
        str | None, Query(max_length=100, description="part of the code or description")
    ] = None,
    type: Annotated[ItemType | None, Query(description="make or buy")] = None,
    strategy: Annotated[Strategy | None, Query(description="mts or mto")] = None,
    sort: Annotated[str | None, sort_query(items.ITEM_SORT)] = None,
) -> Page[ItemOut]:
    """Find items by code or description, type and strategy, a page at a time."""
    views, total = items.item_page(
        session,
        q=q,
        type=type,
        strategy=strategy,
        sort=sort,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[_out(view) for view in views],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", status_code=201)
def create_item(body: NewItem, user: MasterData, session: DbSession) -> ItemOut:
    """Add an item. Fields left out take the defaults of items.csv (buy, mts, ea, lfl, 0)."""
    values = body.model_dump(exclude={"code"})
    return _out(items.create_item(session, body.code, values, author=user.name))


@router.get("/{code}")
def get_item(code: str, user: Reader, session: DbSession) -> ItemOut:
    """One item with its planning settings."""
    return _out(items.get_item(session, code))


@router.patch("/{code}")
def update_item(code: str, body: ItemChange, user: MasterData, session: DbSession) -> ItemOut:
    """Change some of an item's fields; those not sent keep their values. Send
    ``lot_qty`` or ``period_days`` as null to clear them."""
    changes = body.model_dump(exclude_unset=True)
    return _out(items.update_item(session, code, changes, author=user.name))
