"""Engineering BOM templates with parameters (configurable products)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import Code, sort_query
from pegboard.services import templates
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/templates", tags=["templates"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]

Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Formula = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Choice = Annotated[str, StringConstraints(max_length=200)]
Number = Annotated[float, Field(allow_inf_nan=False, gt=-1e15, lt=1e15)]


class ParameterDef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: Literal["number", "choice", "bool"] = "number"
    label: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=20)
    min: Number | None = None
    max: Number | None = None
    choices: list[Choice] | None = Field(default=None, max_length=200)
    default: Choice | None = Field(
        default=None, description="as text: '2.4', 'white', 'yes'; none: it must be given"
    )


class LineDef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    component: Code | None = Field(default=None, description="a fixed component")
    qty: Annotated[float, Field(gt=0, lt=1e15, allow_inf_nan=False)] | Formula = Field(
        default=1.0, description="per parent unit: a number, or a formula of the parameters"
    )
    scrap_pct: float | None = Field(default=None, ge=0, lt=1e15, allow_inf_nan=False)
    condition: Formula | None = Field(default=None, description="the line is used when true")
    choice: Name | None = Field(
        default=None, description="a choice parameter that picks the component from options"
    )
    options: dict[Choice, Code] | None = Field(
        default=None, max_length=200, description="choice value -> component"
    )
    params: dict[Name, Formula] | None = Field(
        default=None,
        max_length=100,
        description="parameters passed down to a configurable component, as formulas",
    )


class OperationDef(BaseModel):
    """A routing line: an operation of the order routings its configurations get."""

    model_config = ConfigDict(extra="forbid")

    sequence: int = Field(ge=1, le=1_000_000)
    work_center: Code
    description: str | None = Field(default=None, max_length=200)
    setup: Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)] | Formula = Field(
        default=0.0, description="setup hours: a number, or a formula of the parameters"
    )
    run: Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)] | Formula = Field(
        default=0.0, description="run hours per unit made: a number, or a formula"
    )
    condition: Formula | None = Field(default=None, description="the operation is used when true")
    queue_days: int = Field(default=0, ge=0, le=365)
    move_days: int = Field(default=0, ge=0, le=365)


class TemplateDef(BaseModel):
    """A template as ``templates.json`` holds it; formulas are checked, never executed."""

    model_config = ConfigDict(extra="forbid")

    item: Code
    description: str | None = Field(
        default=None, max_length=500, description="sets the item's description"
    )
    parameters: list[ParameterDef] = Field(default=[], max_length=100)
    lines: list[LineDef] = Field(min_length=1, max_length=1000)
    operations: list[OperationDef] = Field(
        default=[],
        max_length=100,
        description="routing lines: operations whose hours are formulas of the parameters",
    )


def _out(definition: dict[str, Any]) -> TemplateDef:
    return TemplateDef.model_validate(definition)


@router.get("")
def list_templates(
    user: Reader,
    session: DbSession,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=100, description="part of the item code")] = None,
    sort: Annotated[str | None, sort_query(templates.TEMPLATE_SORT)] = None,
) -> Page[TemplateDef]:
    """The configurable products (items with a template), with their parameters and lines."""
    definitions, total = templates.template_page(
        session, q=q, sort=sort, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[_out(definition) for definition in definitions],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", status_code=201)
def define_template(body: TemplateDef, user: MasterData, session: DbSession) -> TemplateDef:
    """Create or replace an item's template. Every formula is checked first; a bad one
    is refused with its line named, and nothing is written."""
    definition = body.model_dump(exclude_none=True)
    templates.define_template(session, definition, author=user.name)
    return _out(templates.template_definition(session, body.item))


@router.get("/{item}")
def get_template(item: str, user: Reader, session: DbSession) -> TemplateDef:
    """An item's template: parameters (with bounds, choices, defaults) and lines. A plain
    master BOM reads the same way, without parameters."""
    return _out(templates.template_definition(session, item))
