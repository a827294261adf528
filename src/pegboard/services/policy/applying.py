"""Applying the latest run: the items' safety stock, min qty and (foq) lot qty
written in one transaction, an audit entry per changed item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.engine import policy as ep
from pegboard.model import (
    Item,
)
from pegboard.services import audit
from pegboard.services._tx import for_update, writes
from pegboard.services.policy.item_policy import ItemPolicy
from pegboard.services.policy.stored import preview
from pegboard.services.wording import plural


@writes
def apply(session: Session, items: Sequence[str] | None = None, *, author: str) -> list[ItemPolicy]:
    """Write safety stock, min qty and (foq) lot qty of the latest run's policies (of
    ``items``, else all) to the items, with an audit entry per changed item; returns the
    policies that changed something (their ``changes`` as they were before)."""
    changed = preview(session, items)
    if not changed:
        return []
    objects: dict[str, Item] = {}
    codes = [p.item for p in changed]
    for start in range(0, len(codes), 500):
        stmt = select(Item).where(Item.code.in_(codes[start : start + 500])).order_by(Item.id)
        if for_update(session):
            stmt = stmt.with_for_update()
        objects |= {i.code: i for i in session.scalars(stmt)}
    out: list[ItemPolicy] = []
    for p in changed:
        obj = objects.get(p.item)
        if obj is None or str(getattr(obj.strategy, "value", obj.strategy)) != "mts":
            continue
        now = (obj.safety_stock, obj.min_qty, obj.lot_qty)
        fresh = ItemPolicy(
            **{f.name: getattr(p, f.name) for f in fields(ItemPolicy) if f.name != "current"},
            current=now,
        )
        if not fresh.changes:
            continue
        for c in fresh.changes:
            setattr(obj, c.field, c.after)
        audit.record(
            session,
            author=author,
            entity="item",
            ref=p.item,
            action="policy_apply",
            before={c.field: c.before for c in fresh.changes},
            after={c.field: c.after for c in fresh.changes},
            note=f"pegboard policy: ADU {ep.num(p.adu)} over {plural(p.window_days, 'day')}, "
            f"service level {ep.num(p.service_level, 3)}",
        )
        out.append(fresh)
    session.flush()
    return out
