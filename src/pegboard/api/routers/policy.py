"""Stock policy of common (MTS) items from the open order backlog (issue 8).

A policy run (``POST /policy/runs``, a background job like a plan run) computes
every MTS item and stores the result; the list and one item read the latest
run: reorder point, safety stock and order quantity per item, with every
formula and its figures; DDMRP zones for strategic buffers. See
``services/policy/`` (its package docstring).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import Code, sort_query
from pegboard.api.routers.jobs import JobOut, job_out
from pegboard.services import jobs
from pegboard.services.permissions import Permission
from pegboard.services.policy import applying as policy_applying
from pegboard.services.policy import explain as policy_explain
from pegboard.services.policy import runs as policy_runs
from pegboard.services.policy import settings as policy_settings
from pegboard.services.policy import stored as policy_stored
from pegboard.services.policy.item_policy import BufferZones, ItemPolicy
from pegboard.services.users import UserView

router = APIRouter(prefix="/policy", tags=["policy"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]
Planner = Annotated[UserView, Depends(require(Permission.PLAN))]

MAX_ITEMS = 1000
Window = Annotated[int, Field(ge=1, le=policy_settings.MAX_WINDOW_DAYS)]
Level = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
Cost = Annotated[float, Field(ge=0, lt=1e15, allow_inf_nan=False)]


class FigureOut(BaseModel):
    name: str
    value: float | None
    formula: str


class PositionOut(BaseModel):
    on_hand: float
    in_transit: float
    on_order: float
    in_production: float
    total: float


class ZonesOut(BaseModel):
    dlt: float
    red_base: float
    red_safety: float
    red: float
    yellow: float
    green: float
    top_of_red: float
    top_of_yellow: float
    top_of_green: float
    net_flow: float
    order: bool
    suggested: float
    figures: list[FigureOut]


class ChangeOut(BaseModel):
    field: str
    before: float | None
    after: float


class ItemPolicyOut(BaseModel):
    item: str
    description: str
    unit: str
    type: str
    strategy: str
    decimals: int = Field(description="decimal places the quantities are rounded up to (-1: none)")
    buffer: bool
    window_days: int
    window_source: str | None = Field(
        description="what fixed the window; none: the item's lead-time cover, at least the minimum"
    )
    cover_days: int = Field(
        description="calendar days of the item's lead time plus its parents' cumulative lead time"
    )
    min_window_days: int = Field(description="the run's shortest default window")
    need: float = Field(description="need in the window, the basis of ADU and annual demand")
    adu: float
    sigma_d: float
    lead_time: int
    sigma_lt: float
    lead_time_observations: int
    dlt: int
    service_level: float
    ordering_cost: float
    holding_pct: float
    unit_cost: float
    min_qty: float
    multiple: float
    z: float
    safety_stock: float
    reorder_point: float
    annual_demand: float
    holding_cost: float
    eoq: float | None
    order_qty: float
    position: PositionOut
    below_rop: bool = Field(
        description="below reorder point (a buffer: net flow position at or below top of yellow)"
    )
    suggested_qty: float
    zones: ZonesOut | None
    changes: list[ChangeOut] = Field(description="what apply would write now")


class ItemPolicyDetailOut(ItemPolicyOut):
    inputs: list[FigureOut]
    formulas: list[FigureOut]


@pydantic.dataclasses.dataclass(frozen=True)
class PolicyRunOut(policy_runs.PolicyRunView):
    """A stored policy run as the service shows it: declared once, by ``PolicyRunView``."""


class PolicyPageOut(Page[ItemPolicyOut]):
    run: PolicyRunOut | None = Field(description="the run the lines come from (null: none yet)")


class ExplanationOut(BaseModel):
    run: PolicyRunOut
    policy: ItemPolicyDetailOut
    start: date
    daily: list[float]


class SettingsOut(BaseModel):
    item: str
    ordering_cost: float | None
    holding_pct: float | None
    service_level: float | None
    buffer: bool


class SettingsChange(BaseModel):
    """The fields to change; those left out keep their values, null goes back to the
    company default. They count from the next policy run."""

    model_config = ConfigDict(extra="forbid")

    ordering_cost: Cost | None = Field(default=None, description="cost of placing one order")
    holding_pct: Cost | None = Field(default=None, description="yearly, % of unit cost")
    service_level: Level | None = Field(default=None, description="e.g. 0.95")
    buffer: bool = Field(default=False, description="a DDMRP strategic buffer")


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_days: Window | None = Field(
        default=None, description="days of usage to average (default: setting, else per item)"
    )
    service_level: Level | None = Field(default=None, description="for every item")


class ApplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Code] | None = Field(
        default=None, max_length=MAX_ITEMS, description="item codes; none: every MTS item"
    )


def _zones(z: BufferZones | None) -> ZonesOut | None:
    if z is None:
        return None
    data: dict[str, Any] = dataclasses.asdict(z)
    return ZonesOut.model_validate(data)


def _fields(p: ItemPolicy) -> dict[str, Any]:
    names = set(ItemPolicyOut.model_fields) - {"position", "zones", "changes", "strategy"}
    out: dict[str, Any] = {name: getattr(p, name) for name in names}
    pos = p.position
    out |= {
        "strategy": p.strategy,
        "position": PositionOut(**dataclasses.asdict(pos), total=pos.total),
        "zones": _zones(p.zones),
        "changes": [ChangeOut(**dataclasses.asdict(c)) for c in p.changes],
    }
    return out


def _out(p: ItemPolicy) -> ItemPolicyOut:
    return ItemPolicyOut(**_fields(p))


def _detail(p: ItemPolicy) -> ItemPolicyDetailOut:
    return ItemPolicyDetailOut(
        **_fields(p),
        inputs=[FigureOut(**dataclasses.asdict(f)) for f in p.inputs],
        formulas=[FigureOut(**dataclasses.asdict(f)) for f in p.formulas],
    )


def _run(run: policy_runs.PolicyRunView) -> PolicyRunOut:
    return PolicyRunOut(**dataclasses.asdict(run))


@router.post("/runs", status_code=202)
def start_run(
    response: Response,
    user: Planner,
    session: DbSession,
    body: RunRequest | None = None,
) -> JobOut:
    """Compute and store every MTS item's policy in the background; 409 while another
    policy run or an import is open. Poll ``GET /api/jobs/{id}`` (the ``Location``)."""
    window = body.window_days if body is not None else None
    level = body.service_level if body is not None else None
    job_id = jobs.submit(
        session, "policy", author=user.name, window_days=window, service_level=level
    )
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return job_out(jobs.get_job(session, job_id))


@router.get("")
def list_policies(
    user: Reader,
    session: DbSession,
    paging: Paging,
    below: Annotated[bool, Query(description="only items below their reorder point")] = False,
    q: Annotated[
        str | None, Query(max_length=200, description="item code or description contains")
    ] = None,
    sort: Annotated[str | None, sort_query(policy_stored.SORTS)] = None,
) -> PolicyPageOut:
    """The latest policy run's lines, those to order first (empty before the first run)."""
    found = policy_stored.policy_page(
        session, below_only=below, q=q, sort=sort, limit=paging.limit, offset=paging.offset
    )
    return PolicyPageOut(
        items=[_out(p) for p in found.rows],
        total=found.total,
        limit=paging.limit,
        offset=paging.offset,
        run=None if found.run is None else _run(found.run),
    )


@router.get("/{item}")
def get_policy(item: str, user: Reader, session: DbSession) -> ExplanationOut:
    """One item's line of the latest run: its inputs, every formula with its figures and
    the daily need of its window."""
    e = policy_explain.explain(session, item)
    assert e.run is not None
    return ExplanationOut(
        run=_run(e.run), policy=_detail(e.policy), start=e.start, daily=list(e.daily)
    )


@router.get("/{item}/settings")
def get_settings(item: str, user: Reader, session: DbSession) -> SettingsOut:
    """The item's own policy settings; empty ones take the company defaults."""
    return SettingsOut(**dataclasses.asdict(policy_settings.get_item_policy(session, item)))


@router.put("/{item}/settings")
def put_settings(
    item: str, body: SettingsChange, user: MasterData, session: DbSession
) -> SettingsOut:
    """Change the item's costs, service level or buffer flag; fields not sent keep theirs.
    They count from the next policy run."""
    changes = body.model_dump(exclude_unset=True)
    view = policy_settings.set_item_policy(session, item, changes, author=user.name)
    return SettingsOut(**dataclasses.asdict(view))


@router.post("/apply")
def apply_policies(body: ApplyRequest, user: MasterData, session: DbSession) -> list[ItemPolicyOut]:
    """Write safety stock, min qty and (foq) lot qty from the latest run to the items;
    returns the items that changed, with the changes."""
    changed = policy_applying.apply(session, body.items, author=user.name)
    return [_out(p) for p in changed]
