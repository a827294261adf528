"""Computing every selected MTS item's policy at once from the snapshot (arrays, no
formula text): the columns of its ``policy_line``."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.engine import policy as ep
from pegboard.engine.lots import place_scales
from pegboard.engine.types import PlanInput
from pegboard.errors import NotFoundError, ValidationError
from pegboard.services._tx import end_read_transaction
from pegboard.services.jobs.kinds import Progress
from pegboard.services.money import HUNDRED, UNIT_PLACES, as_decimal
from pegboard.services.planning import snapshot_connection
from pegboard.services.policy.inputs import item_columns, observed, own_settings, positions
from pegboard.services.policy.item_policy import COMPANY_DEFAULT, LINE_FIELDS, ItemPolicy
from pegboard.services.policy.settings import check_service_level, check_window, company_defaults
from pegboard.services.snapshot import Snapshot, backlog, load_snapshot

HOLDING_PLACES = Decimal("0.000001")
"""``policy_line.holding_cost``: 6 decimals (a unit cost of 4 × a percentage)."""


@dataclass(frozen=True)
class _Company:
    """The company's side of a computation: its defaults and windows, and the caller's
    overrides (``--window``, ``--service-level``), checked."""

    defaults: dict[str, float]
    window: int | None  # the company's fixed window (None: per item)
    min_window: int
    window_days: int | None  # the caller's window
    service_level: float | None  # the caller's service level

    @property
    def days(self) -> int | None:
        """The window every item gets (None: its own lead-time cover)."""
        return self.window_days if self.window_days is not None else self.window

    @property
    def window_source(self) -> str | None:
        if self.window_days is not None:
            return "--window"
        return "company setting policy_window_days" if self.window is not None else None


@dataclass(frozen=True)
class _Items:
    """What the database says of the selected items beside the snapshot, in selection order."""

    ids: Any
    rows: dict[str, list[Any]]
    own: tuple[Any, Any, Any]  # own ordering cost, holding %, service level (NaN: default)
    buffer: Any
    dlt: Any
    positions: Any  # (m, 4): free on hand, in transit, on order, in production
    observed: tuple[Any, Any, list[str]]  # observations, σL, the sample as text


def compute_columns(
    session: Session,
    *,
    items: Sequence[str] | None,
    window_days: int | None,
    service_level: float | None,
    today: date | None,
    progress: Progress | None = None,
) -> tuple[dict[str, list[Any]], int, float]:
    """Every number of the selected items' policies, as ``policy_line`` columns (plus
    ``item_id``), in item order; the planning date; and the snapshot's load seconds.
    Read in one transaction of its own, from one snapshot."""
    if window_days is not None:
        check_window(window_days, "window_days")
    if service_level is not None:
        service_level = check_service_level(service_level, "service_level")
    note = progress or (lambda _stage, _done, _total: None)
    end_read_transaction(session)
    with session.begin():
        conn = snapshot_connection(session)
        company = _Company(*company_defaults(conn), window_days, service_level)
        t0 = time.perf_counter()
        snap = load_snapshot(conn, today=today or clock.today())
        load_seconds = time.perf_counter() - t0
        note("computing", 1, 4)
        selected = _selection(snap.input, items)
        demand = backlog(snap, company.days, company.min_window)
        found = _read_items(conn, snap, selected, demand.llc)
        cols = _columns(snap, selected, demand, found, company)
    return cols, snap.input.settings.planning_date, load_seconds


def _selection(inp: PlanInput, items: Sequence[str] | None) -> Any:
    """The positions of the items asked for (all MTS items when none are), in order;
    refused for an unknown or a make-to-order item."""
    if items is None:
        return np.flatnonzero(~inp.items.is_mto).astype(np.int64)
    position_of = {code: k for k, code in enumerate(inp.items.code)}
    wanted: list[int] = []
    for code in dict.fromkeys(c.strip() for c in items if c.strip()):
        if code not in position_of:
            raise NotFoundError(f"no item {code!r}", item=code, field="items")
        k = position_of[code]
        if inp.items.is_mto[k]:
            raise ValidationError(
                f"{code} is make-to-order: it has no stock policy", item=code, field="items"
            )
        wanted.append(k)
    return np.asarray(sorted(wanted), dtype=np.int64)


def _read_items(conn: Connection, snap: Snapshot, selected: Any, llc: Any) -> _Items:
    ids = snap.item_ids[selected]
    position_of_id = {int(i): k for k, i in enumerate(ids.tolist())}
    m = len(selected)
    own_cost, own_hold, own_level, buffer_all = own_settings(conn, snap.item_ids, position_of_id)
    dlt_all = ep.buffer_lead_times(snap.input, llc, buffer_all)
    on_hand = np.zeros((m, 4), dtype=np.float64)
    for item_id, parts in positions(conn).items():
        j = position_of_id.get(item_id)
        if j is not None:
            on_hand[j] = parts
    return _Items(
        ids=ids,
        rows=item_columns(conn, position_of_id, m),
        own=(own_cost, own_hold, own_level),
        buffer=buffer_all[selected],
        dlt=np.asarray(dlt_all, dtype=np.int64)[selected],
        positions=on_hand,
        observed=observed(conn, position_of_id, m),
    )


def _choices(found: _Items, company: _Company) -> dict[str, tuple[Any, list[str]]]:
    """Service level, ordering cost and holding % per item, each with where it came from:
    the caller, the item's own setting, else the company default."""
    m = len(found.ids)
    own_cost, own_hold, own_level = found.own

    def pick(own: Any, key: str) -> tuple[Any, list[str]]:
        mine = ~np.isnan(own)
        value = np.where(mine, own, company.defaults[key])
        source = np.where(mine, "item setting", COMPANY_DEFAULT + key).tolist()
        return value, source

    level = (
        (np.full(m, company.service_level), ["--service-level"] * m)
        if company.service_level is not None
        else pick(own_level, "policy_service_level")
    )
    return {
        "service_level": level,
        "ordering_cost": pick(own_cost, "policy_ordering_cost"),
        "holding_pct": pick(own_hold, "policy_holding_pct"),
    }


def _columns(
    snap: Snapshot, selected: Any, demand: ep.Backlog, found: _Items, company: _Company
) -> dict[str, list[Any]]:
    """The ``policy_line`` columns: the inputs as they were taken, then the results."""
    inp = snap.input
    n, m = len(inp.items.code), len(selected)
    use = demand.usage
    pd = inp.settings.planning_date
    decimals = (
        np.full(n, -1, dtype=np.int64)
        if inp.items.decimals is None
        else np.asarray(inp.items.decimals, dtype=np.int64)
    )
    observations, sigma_lt, samples = found.observed
    choices = _choices(found, company)
    on_hand, in_transit, on_order, in_production = (found.positions[:, c] for c in range(4))
    rows = found.rows
    cols: dict[str, list[Any]] = {
        "item_id": found.ids.tolist(),
        "item": rows["item"],
        "description": rows["description"],
        "unit": rows["unit"],
        "type": rows["type"],
        "lot_rule": rows["lot_rule"],
        "decimals": decimals[selected].tolist(),
        "buffer": found.buffer.tolist(),
        "window_days": use.window[selected].tolist(),
        "window_source": [company.window_source] * m,
        "min_window_days": [company.min_window] * m,
        "cover_days": use.cover[selected].tolist(),
        "parent_lead_time": demand.parent_lead_time[selected].tolist(),
        "need": use.total[selected].tolist(),
        "adu": use.adu[selected].tolist(),
        "sigma_d": use.sigma[selected].tolist(),
        "qualified_demand": use.due_now[selected].tolist(),
        "daily": _daily_texts(demand.needs, selected, use.window, pd, n),
        "lead_time": inp.items.lead_time[selected].tolist(),
        "sigma_lt": sigma_lt.tolist(),
        "lead_time_observations": observations.tolist(),
        "lead_time_sample": samples,
        "dlt": found.dlt.tolist(),
        "lead_time_factor": [company.defaults["policy_lead_time_factor"]] * m,
        "variability_factor": [company.defaults["policy_variability_factor"]] * m,
        "unit_cost": rows["unit_cost"],
        "min_qty": rows["min_qty"],
        "multiple": rows["multiple"],
        "period_days": rows["period_days"],
        "on_hand": on_hand.tolist(),
        "in_transit": in_transit.tolist(),
        "on_order": on_order.tolist(),
        "in_production": in_production.tolist(),
        "position": (on_hand + in_transit + on_order + in_production).tolist(),
        "current": list(zip(rows["safety_stock"], rows["min_qty"], rows["lot_qty"], strict=True)),
    }
    for name, (value, source) in choices.items():
        cols[name] = np.asarray(value, dtype=np.float64).tolist()
        cols[name + "_source"] = source
    # money, exact: a setting typed with at most 4 decimals, read back by its shortest repr
    cols["ordering_cost"] = [as_decimal(x).quantize(UNIT_PLACES) for x in cols["ordering_cost"]]
    scale = place_scales(decimals, n)[selected]
    return cols | _results(cols, found, company, scale, use.due_now[selected])


def _results(
    cols: Mapping[str, list[Any]],
    found: _Items,
    company: _Company,
    scale: Any,
    qualified_demand: Any,
) -> dict[str, list[Any]]:
    """The engine's figures for the inputs of ``cols``: reorder point, order quantity and,
    for a buffer, its zones (0 elsewhere)."""

    def arr(name: str) -> Any:
        return np.asarray(cols[name], dtype=np.float64)

    buffer = found.buffer
    res = ep.policy_arrays(
        adu=arr("adu"),
        sigma_d=arr("sigma_d"),
        lead_time=arr("lead_time"),
        sigma_lt=arr("sigma_lt"),
        service_level=arr("service_level"),
        ordering_cost=arr("ordering_cost"),
        holding_pct=arr("holding_pct"),
        unit_cost=arr("unit_cost"),
        min_qty=arr("min_qty"),
        multiple=arr("multiple"),
        position=arr("position"),
        buffer=buffer,
        dlt=found.dlt.astype(np.float64),
        lead_time_factor=company.defaults["policy_lead_time_factor"],
        variability_factor=company.defaults["policy_variability_factor"],
        period_days=arr("period_days"),
        on_hand=arr("on_hand"),
        on_order=arr("in_transit") + arr("on_order") + arr("in_production"),
        qualified_demand=qualified_demand,
        scale=scale,
    )
    zero = np.zeros(len(buffer), dtype=np.float64)

    def zone(values: Any) -> list[float]:
        return list(np.where(buffer, values, zero).tolist())

    eoq = np.where(res.has_eoq, res.eoq, np.nan).tolist()
    return {
        "z": res.z.tolist(),
        "safety_stock": res.safety_stock.tolist(),
        "reorder_point": res.reorder_point.tolist(),
        "annual_demand": res.annual_demand.tolist(),
        "holding_cost": holding_costs(cols["unit_cost"], cols["holding_pct"]),
        "eoq": [None if math.isnan(x) else x for x in eoq],
        "order_qty": res.order_qty.tolist(),
        "red": zone(res.red),
        "yellow": zone(res.yellow),
        "green": zone(res.green),
        "top_of_red": zone(res.top_of_red),
        "top_of_yellow": zone(res.top_of_yellow),
        "top_of_green": zone(res.top_of_green),
        "net_flow": zone(res.net_flow),
        "below": res.below.tolist(),
        "suggested_qty": res.suggested.tolist(),
        "target_safety_stock": np.where(buffer, res.top_of_red, res.safety_stock).tolist(),
        "target_min_qty": np.where(buffer, res.green, res.order_qty).tolist(),
    }


def holding_costs(unit_costs: Sequence[Decimal], holding_pcts: Sequence[float]) -> list[Decimal]:
    """H = unit cost × holding % / 100 per item, in exact money (6 decimals): the engine
    computes the same figure in floats for the EOQ, where it is only a divisor."""
    return [
        (cost * as_decimal(pct) / HUNDRED).quantize(HOLDING_PLACES)
        for cost, pct in zip(unit_costs, holding_pcts, strict=True)
    ]


def _daily_texts(
    needs: ep.Needs, selected: Any, window: Any, planning_date: int, n_items: int
) -> list[str]:
    """Per selected item, its window's need as ``offset:qty`` pairs (needs are sorted)."""
    inside = needs.day < planning_date + window[needs.item]
    chosen = np.zeros(n_items, dtype=np.bool_)
    chosen[selected] = True
    inside &= chosen[needs.item]
    item = needs.item[inside]
    pairs = [
        f"{o}:{q!r}"
        for o, q in zip(
            (needs.day[inside] - planning_date).tolist(), needs.qty[inside].tolist(), strict=True
        )
    ]
    lo = np.searchsorted(item, selected, side="left").tolist()
    hi = np.searchsorted(item, selected, side="right").tolist()
    return [",".join(pairs[a:b]) if b > a else "" for a, b in zip(lo, hi, strict=True)]


def _policies(cols: Mapping[str, list[Any]], pd: int) -> list[ItemPolicy]:
    day = date.fromordinal(pd)
    names = [*LINE_FIELDS, "current"]
    return [
        ItemPolicy(**dict(zip(names, values, strict=True)), planning_date=day)
        for values in zip(*(cols[name] for name in names), strict=True)
    ]


def compute(
    session: Session,
    *,
    items: Sequence[str] | None = None,
    window_days: int | None = None,
    service_level: float | None = None,
    today: date | None = None,
) -> list[ItemPolicy]:
    """The policy of every MTS item (or of ``items``), computed afresh and not stored;
    those below reorder point first."""
    cols, pd, _ = compute_columns(
        session, items=items, window_days=window_days, service_level=service_level, today=today
    )
    out = _policies(cols, pd)
    out.sort(key=lambda p: (not p.below, p.item))
    return out
