"""Items one at a time: create, change, read and search (the API's and the UI's master data).

The rules are those of a row of ``items.csv`` (``bundle/schema.py`` ``ITEMS``):
text lengths, choices, whole numbers and quantities with their signs, and a
lot rule that needs its setting (``foq`` a ``lot_qty``, ``poq`` a
``period_days``). An item that is the parent of a BOM stays ``make``, and so does one on
the master schedule (``mps``, whose rule ``services.mps.check_flag`` owns). Every
creation and change is in the audit trail with the values before and after.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Bom, Item, ItemType, LotRule, PolicyLine, Strategy
from pegboard.services import audit, money, mps
from pegboard.services._tx import writes
from pegboard.services.codes import check_code
from pegboard.services.dataset import MAX_DAYS, MAX_DECIMALS, default_decimals, places
from pegboard.services.paging import sorted_page

MAX_QTY = 1e15
"""Quantities and costs below this, as the bundle reader takes them."""
MAX_INT = 2**31 - 1


@dataclass(frozen=True)
class ItemView:
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
    unit_cost: Decimal
    supplier: str
    decimals: int
    mps: bool
    """On the master production schedule (``services.mps`` owns the flag's rule)."""


def _flag(name: str, value: object) -> object:
    """A yes/no field: a JSON boolean, or items.csv's ``true``/``false``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValidationError(f"{name} must be true or false, not {value!r}", field=name, value=value)


def _text(limit: int) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if not isinstance(value, str):
            raise ValidationError(f"{name} must be text", field=name)
        if len(value) > limit:
            raise ValidationError(f"{name} is longer than {limit} characters", field=name)
        if "\x00" in value:
            raise ValidationError(f"{name} holds a NUL character (\\x00)", field=name)
        return value

    return check


def _choice(kind: type[StrEnum]) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        try:
            return kind(str(value).lower())
        except ValueError:
            allowed = ", ".join(k.value for k in kind)
            raise ValidationError(
                f"{name} must be one of {allowed}, not {value!r}", field=name
            ) from None

    return check


def _number(
    *, whole: bool, positive: bool, maximum: int | None = None
) -> Callable[[str, object], object]:
    sign = "greater than 0" if positive else "0 or more"

    def check(name: str, value: object) -> object:
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"{name} must be {kind}, not {value!r}", field=name)
        if whole and not (isinstance(value, int) or float(value).is_integer()):
            raise ValidationError(f"{name} must be a whole number, not {value!r}", field=name)
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError(f"{name} must be {kind} {sign}, not {value!r}", field=name)
        if number > MAX_INT if whole else number >= MAX_QTY:
            raise ValidationError(f"{name} is too large: {value!r}", field=name)
        if maximum is not None and number > maximum:
            raise ValidationError(f"{name} must be at most {maximum}, not {value!r}", field=name)
        if number < 0 or (positive and number == 0):
            raise ValidationError(f"{name} must be {sign}, not {value!r}", field=name)
        return int(number) if whole else number

    return check


def _unit_cost(name: str, value: object) -> object:
    """An exact unit cost (4 decimals); a float (a JSON number) is read by its shortest
    form, so a tenth decimal is still seen and refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationError(f"{name} must be a number, not {value!r}", field=name)
    return money.unit_cost(repr(value) if isinstance(value, float) else value, name)


RULES: dict[str, Callable[[str, object], object]] = {
    "description": _text(500),
    "type": _choice(ItemType),
    "strategy": _choice(Strategy),
    "uom": _text(20),
    "lead_time_days": _number(whole=True, positive=False, maximum=MAX_DAYS),
    "lot_rule": _choice(LotRule),
    "lot_qty": _number(whole=False, positive=True),
    "period_days": _number(whole=True, positive=True, maximum=MAX_DAYS),
    "min_qty": _number(whole=False, positive=False),
    "multiple": _number(whole=False, positive=False),
    "safety_stock": _number(whole=False, positive=False),
    "unit_cost": _unit_cost,
    "supplier": _text(200),
    "decimals": _number(whole=True, positive=False),
    "mps": _flag,
}
"""Every settable field and its check (the columns of items.csv after ``item``)."""

OPTIONAL = frozenset({"lot_qty", "period_days", "decimals"})
"""Fields that may be empty (null)."""

DEFAULTS: dict[str, object] = {
    "description": "",
    "type": ItemType.BUY,
    "strategy": Strategy.MTS,
    "uom": "ea",
    "lead_time_days": 0,
    "lot_rule": LotRule.LFL,
    "lot_qty": None,
    "period_days": None,
    "min_qty": 0.0,
    "multiple": 0.0,
    "safety_stock": 0.0,
    "unit_cost": Decimal(0),
    "supplier": "",
    "decimals": None,
    "mps": False,
}
"""What items.csv fills in for an empty cell (``decimals``: by the unit, see
``dataset.default_decimals``)."""


def item_view(item: Item) -> ItemView:
    return ItemView(item.code, *(getattr(item, name) for name in RULES))


def _clean(values: Mapping[str, object]) -> dict[str, object]:
    unknown = sorted(set(values) - set(RULES))
    if unknown:
        raise ValidationError(
            f"unknown item field(s) {', '.join(unknown)} (known: {', '.join(RULES)})",
            field=unknown[0],
        )
    out: dict[str, object] = {}
    for name, value in values.items():
        if value is None:
            if name not in OPTIONAL:
                raise ValidationError(f"{name} must not be empty", field=name)
            out[name] = None
        else:
            out[name] = RULES[name](name, value)
    return out


def _check_lot_rule(fields: dict[str, Any]) -> None:
    """The lot rule's figures are there and no finer than the item's decimals (rule 7);
    fills in the unit's default decimals when none is given."""
    if fields.get("decimals") is None:
        fields["decimals"] = default_decimals(str(fields["uom"]))
    if int(fields["decimals"]) > MAX_DECIMALS:
        raise ValidationError(f"decimals is at most {MAX_DECIMALS}", field="decimals")
    for name in ("lot_qty", "multiple"):
        value = fields[name]
        if value and places(float(value)) > int(fields["decimals"]):
            raise ValidationError(
                f"{name} {value} has more decimal places than the item's decimals "
                f"({fields['decimals']})",
                field=name,
            )
    if fields["lot_rule"] is LotRule.FOQ and fields["lot_qty"] is None:
        raise ValidationError("lot_rule foq needs a lot_qty", field="lot_qty")
    if fields["lot_rule"] is LotRule.POQ and fields["period_days"] is None:
        raise ValidationError("lot_rule poq needs period_days", field="period_days")


def _code(code: str) -> str:
    return check_code(code, "code")


def _item(session: Session, code: str) -> Item:
    item = session.scalar(select(Item).where(Item.code == code))
    if item is None:
        raise NotFoundError(f"no item {code!r}", item=code)
    return item


def get_item(session: Session, code: str) -> ItemView:
    return item_view(_item(session, code))


class _ContainsAnyCase(ColumnElement[bool]):
    """``column`` contains ``text``, any case, as each database answers it fastest with
    the same rows: SQLAlchemy's ``icontains`` is ``lower(column) LIKE lower(pattern)``,
    which no index serves and which SQLite computes row by row (on the generated
    full-size company's 284,572 items a search's count and page took 0.33 + 0.23 s of
    query, against 0.14 + 0.15 s for a plain LIKE). SQLite's ``LIKE`` is already
    case-insensitive for ASCII and ``lower()`` folds ASCII only, so ``LIKE`` is the same
    test; PostgreSQL's ``ILIKE`` is its own any-case match (a trigram GIN index could serve
    it: not yet, see issue #19's notes)."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's cache key: the value is a bound parameter)
        ("column", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], text: str) -> None:
        self.column = column
        escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
        self.pattern = literal(f"%{escaped}%")


@compiles(_ContainsAnyCase)
def _contains_like(element: _ContainsAnyCase, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = (compiler.process(x, **kw) for x in (element.column, element.pattern))
    return f"{column} LIKE {pattern} ESCAPE '/'"


@compiles(_ContainsAnyCase, "postgresql")
def _contains_ilike(element: _ContainsAnyCase, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = (compiler.process(x, **kw) for x in (element.column, element.pattern))
    return f"{column} ILIKE {pattern} ESCAPE '/'"


def item_query(
    *,
    q: str | None = None,
    type: ItemType | None = None,
    strategy: Strategy | None = None,
    mps: bool | None = None,
    below_policy: bool = False,
) -> Select[Item]:
    """Items whose code or description contains ``q`` (any case), of a type and strategy,
    on the master schedule or not (``mps``), and only those the latest stock-policy run
    found at or below their reorder point (``below_policy``: the ones to order)."""
    stmt = select(Item)
    if mps is not None:
        stmt = stmt.where(Item.mps.is_(mps))
    if below_policy:
        stmt = stmt.where(Item.id.in_(select(PolicyLine.item_id).where(PolicyLine.below.is_(True))))
    if q:
        stmt = stmt.where(
            or_(
                _ContainsAnyCase(Item.__table__.c.code, q),
                _ContainsAnyCase(Item.__table__.c.description, q),
            )
        )
    if type is not None:
        stmt = stmt.where(Item.type == type)
    if strategy is not None:
        stmt = stmt.where(Item.strategy == strategy)
    return stmt


ITEM_SORT: dict[str, Any] = {
    "code": Item.code,
    "description": Item.description,
    "type": Item.type,
    "strategy": Item.strategy,
    "lead_time_days": Item.lead_time_days,
    "unit_cost": Item.unit_cost,
    "supplier": Item.supplier,
}
"""What a list of items can be sorted by, and the column behind each name."""


def item_page(
    session: Session,
    *,
    q: str | None = None,
    type: ItemType | None = None,
    strategy: Strategy | None = None,
    mps: bool | None = None,
    below_policy: bool = False,
    sort: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[ItemView], int]:
    """A page of the items ``item_query`` finds, sorted by ``sort`` (names of
    ``ITEM_SORT``, ``-`` descending) then by code, and how many there are in all."""
    stmt = item_query(q=q, type=type, strategy=strategy, mps=mps, below_policy=below_policy)
    rows, total = sorted_page(
        session, stmt, sort=sort, sorts=ITEM_SORT, tie=[Item.code], limit=limit, offset=offset
    )
    return [item_view(item) for (item,) in rows], total


@writes
def create_item(
    session: Session, code: str, values: Mapping[str, object], *, author: str
) -> ItemView:
    """A new item; fields left out take items.csv's defaults."""
    code = _code(code)
    fields: dict[str, Any] = {**DEFAULTS, **_clean(values)}
    _check_lot_rule(fields)
    mps.check_flag(code, fields["type"], fields["mps"])
    if session.scalar(select(Item.id).where(Item.code == code)) is not None:
        raise ConflictError(f"item {code!r} exists already", item=code, field="code")
    item = Item(code=code, **fields)
    session.add(item)
    try:
        session.flush()
    except IntegrityError:  # created by another request since the check above
        raise ConflictError(f"item {code!r} exists already", item=code, field="code") from None
    audit.record(session, author=author, entity="item", ref=code, action="create", after=fields)
    return item_view(item)


@writes
def update_item(
    session: Session, code: str, changes: Mapping[str, object], *, author: str
) -> ItemView:
    """Change some fields of an item; the others keep their values."""
    item = _item(session, code)
    cleaned = _clean(changes)
    current: dict[str, Any] = {name: getattr(item, name) for name in RULES}
    fields = {**current, **cleaned}
    _check_lot_rule(fields)
    # an emptied decimals is the unit's default (filled in by the check), never a null
    changed = {name: fields[name] for name in cleaned if current[name] != fields[name]}
    if not changed:
        return item_view(item)
    mps.check_flag(code, fields["type"], fields["mps"], field="mps" if "mps" in changed else "type")
    has_bom = select(Bom.id).where(Bom.item_id == item.id).limit(1)
    if changed.get("type") is ItemType.BUY and session.scalar(has_bom) is not None:
        raise ConflictError(
            f"{code} has a bill of material, so it must stay make", item=code, field="type"
        )
    for name, value in changed.items():
        setattr(item, name, value)
    session.flush()
    audit.record(
        session,
        author=author,
        entity="item",
        ref=code,
        action="update",
        before={name: current[name] for name in changed},
        after=changed,
    )
    return item_view(item)
