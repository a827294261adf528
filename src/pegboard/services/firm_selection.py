"""Firming a selection of planned orders, buys and makes together, in one transaction.

The planned-orders page lets a planner tick buys and makes at once. They are
firmed all or none: a failure on the makes after the buys were written would
otherwise leave purchase orders the user was told nothing about. Who may firm
what is decided here too (buys need ``purchase``, makes ``plan``), so every
adapter applies the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pegboard.errors import PermissionDeniedError, ValidationError
from pegboard.model import ItemType, Role
from pegboard.services._tx import writes
from pegboard.services.firming import planned_to_firm
from pegboard.services.permissions import Permission, allowed
from pegboard.services.production import firm_production_rows
from pegboard.services.purchasing import firm_purchase_rows

_NEEDS = {ItemType.BUY: Permission.PURCHASE, ItemType.MAKE: Permission.PLAN}
MAX_FIRM = 1000
"""Planned orders one firm may name: the same limit from the CLI, the API and the
page, so one transaction (and the lock it holds) stays short."""


@dataclass(frozen=True)
class Firmed:
    """What a firm created: purchase orders (one per supplier) and production orders."""

    purchase_orders: list[str]
    production_orders: list[str]


@writes
def firm_selection(session: Session, *, planned: Sequence[str], role: Role, author: str) -> Firmed:
    """Firm the named planned orders of the current plan, whatever their kind, all or
    none; refused as a whole when ``role`` may not firm one of their kinds."""
    if len(planned) > MAX_FIRM:
        raise ValidationError(
            f"one firm takes at most {MAX_FIRM} planned orders, not {len(planned)}: "
            "firm them in parts",
            field="planned",
            value=len(planned),
        )
    rows = planned_to_firm(session, None, sorted(set(planned)), None)
    for kind, permission in _NEEDS.items():
        if any(r.type is kind for r in rows) and not allowed(role, permission):
            raise PermissionDeniedError(
                f"your role may not firm planned {kind.value} orders",
                kind=kind.value,
                permission=permission.value,
            )
    buys = [r for r in rows if r.type is ItemType.BUY]
    makes = [r for r in rows if r.type is ItemType.MAKE]
    return Firmed(
        purchase_orders=firm_purchase_rows(session, buys, author),
        production_orders=firm_production_rows(session, makes, author),
    )
