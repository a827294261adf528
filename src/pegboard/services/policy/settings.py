"""The policy's settings: the company defaults (``policy_*`` company settings) and an
item's own ordering cost, holding %, service level and buffer flag, each checked
the same way wherever it is given (a setting, a run's option, an item's row)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from pegboard.engine import policy as ep
from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import (
    CompanySetting,
    Item,
    PolicySetting,
)
from pegboard.services import audit, money
from pegboard.services._tx import for_update, writes

DEFAULTS: dict[str, float] = {
    "policy_service_level": 0.95,
    "policy_ordering_cost": 50.0,
    "policy_holding_pct": 25.0,
    "policy_lead_time_factor": 0.5,
    "policy_variability_factor": 0.5,
}
"""Company defaults when the setting is not set (``policy_window_days``: none)."""
MIN_WINDOW_KEY = "policy_min_window_days"
"""Company setting: the shortest default window (days)."""


MAX_WINDOW_DAYS = 3660


@dataclass(frozen=True)
class PolicySettingView:
    item: str
    ordering_cost: Decimal | None
    holding_pct: float | None
    service_level: float | None
    buffer: bool


def check_service_level(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{field} must be a number, not {value!r}", field=field)
    level = float(value)
    if not (0.0 < level < 1.0) or not math.isfinite(level):
        raise ValidationError(
            f"{field} must be between 0 and 1 (e.g. 0.95), not {value!r}", field=field
        )
    return level


def check_cost(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{field} must be a number, not {value!r}", field=field)
    cost = float(value)
    if not math.isfinite(cost) or cost < 0 or cost >= 1e15:
        raise ValidationError(f"{field} must be 0 or more, not {value!r}", field=field)
    return cost


def check_ordering_cost(value: object, field: str) -> Decimal:
    """An ordering cost is money: exact, at most 4 decimals (as a unit cost), refused
    with the field named otherwise; a float typed in is read by its shortest repr."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValidationError(f"{field} must be a number, not {value!r}", field=field)
    return money.unit_cost(repr(value) if isinstance(value, float) else value, field)


def check_window(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be a whole number of days, not {value!r}", field=field)
    if value <= 0 or value > MAX_WINDOW_DAYS:
        raise ValidationError(
            f"{field} must be between 1 and {MAX_WINDOW_DAYS} days, not {value!r}", field=field
        )
    return value


def _int_setting(values: Mapping[str, Any], key: str) -> int | None:
    text = str(values.get(key) or "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(
            f"company setting {key} must be a whole number, not {text!r}", field=key
        ) from None
    return check_window(number, key)


def company_defaults(conn: Connection) -> tuple[dict[str, float], int | None, int]:
    """The company's policy defaults, its fixed window (None: per item) and the shortest
    default window."""
    values = dict(conn.execute(select(CompanySetting.key, CompanySetting.value)).all())
    out: dict[str, float] = {}
    for key, default in DEFAULTS.items():
        text = str(values.get(key) or "").strip()
        try:
            number = float(text) if text else default
        except ValueError:
            raise ValidationError(
                f"company setting {key} must be a number, not {text!r}", field=key
            ) from None
        if key == "policy_service_level":
            number = check_service_level(number, key)
        else:
            number = check_cost(number, key)
        out[key] = number
    window = _int_setting(values, "policy_window_days")
    least = _int_setting(values, MIN_WINDOW_KEY)
    return out, window, ep.DEFAULT_MIN_WINDOW_DAYS if least is None else least


def _item_id(session: Session, code: str) -> int:
    item_id = session.scalar(select(Item.id).where(Item.code == code))
    if item_id is None:
        raise NotFoundError(f"no item {code!r}", item=code, field="item")
    return item_id


def get_item_policy(session: Session, item: str) -> PolicySettingView:
    """The item's own policy settings (empty fields take the company defaults)."""
    row = session.get(PolicySetting, _item_id(session, item))
    if row is None:
        return PolicySettingView(item, None, None, None, False)
    return PolicySettingView(
        item, row.ordering_cost, row.holding_pct, row.service_level, row.buffer
    )


SETTING_FIELDS = ("ordering_cost", "holding_pct", "service_level", "buffer")


@writes
def set_item_policy(
    session: Session, item: str, changes: Mapping[str, object], *, author: str
) -> PolicySettingView:
    """Change an item's policy settings; a cost or service level of None goes back to the
    company default. Fields left out keep their values."""
    unknown = sorted(set(changes) - set(SETTING_FIELDS))
    if unknown:
        raise ValidationError(
            f"unknown policy field(s) {', '.join(unknown)} (known: {', '.join(SETTING_FIELDS)})",
            field=unknown[0],
        )
    item_id = _item_id(session, item)
    strategy = session.scalar(select(Item.strategy).where(Item.id == item_id))
    if str(strategy) != "mts":
        raise ValidationError(
            f"{item} is make-to-order: it has no stock policy", item=item, field="item"
        )
    cleaned: dict[str, object] = {}
    for name, value in changes.items():
        if name == "buffer":
            if not isinstance(value, bool):
                raise ValidationError(f"buffer must be true or false, not {value!r}", field=name)
            cleaned[name] = value
        elif value is None:
            cleaned[name] = None
        elif name == "service_level":
            cleaned[name] = check_service_level(value, name)
        elif name == "ordering_cost":
            cleaned[name] = check_ordering_cost(value, name)
        else:
            cleaned[name] = check_cost(value, name)
    row = session.get(PolicySetting, item_id, with_for_update=for_update(session))
    if row is None:
        row = PolicySetting(item_id=item_id, buffer=False)
        session.add(row)
    before = {name: getattr(row, name) for name in SETTING_FIELDS}
    before["buffer"] = bool(before["buffer"])
    changed = {name: value for name, value in cleaned.items() if before[name] != value}
    if changed:
        for name, value in changed.items():
            setattr(row, name, value)
        session.flush()
        audit.record(
            session,
            author=author,
            entity="item_policy",
            ref=item,
            action="update",
            before={name: before[name] for name in changed},
            after=changed,
        )
    return PolicySettingView(
        item, row.ordering_cost, row.holding_pct, row.service_level, bool(row.buffer)
    )
