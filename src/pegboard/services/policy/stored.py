"""The latest run's stored lines read back: a page of them (filtered, sorted), and
those ``apply`` would change (``preview``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import (
    Item,
    PolicyLine,
    PolicyRun,
)
from pegboard.services.policy.item_policy import LINE_FIELDS, ItemPolicy
from pegboard.services.policy.runs import PolicyRunView, latest_run


@dataclass(frozen=True)
class PolicyPage:
    run: PolicyRunView | None
    rows: list[ItemPolicy]
    total: int


SORTS: dict[str, Any] = {
    "item": PolicyLine.item,
    "adu": PolicyLine.adu,
    "lead_time": PolicyLine.lead_time,
    "safety_stock": PolicyLine.safety_stock,
    "reorder_point": PolicyLine.reorder_point,
    "order_qty": PolicyLine.order_qty,
    "position": PolicyLine.position,
    "suggested_qty": PolicyLine.suggested_qty,
}
"""What the list sorts by (``-name``: descending); ties by item code."""


def _line_query() -> Any:
    columns = [getattr(PolicyLine, name) for name in LINE_FIELDS]
    return (
        select(*columns, PolicyRun.planning_date, Item.safety_stock, Item.min_qty, Item.lot_qty)
        .join(PolicyRun, PolicyRun.id == PolicyLine.policy_run_id)
        .outerjoin(Item, Item.code == PolicyLine.item)
    )


def _from_row(row: Sequence[Any]) -> ItemPolicy:
    k = len(LINE_FIELDS)
    values = dict(zip(LINE_FIELDS, row[:k], strict=True))
    values["buffer"] = bool(values["buffer"])
    values["below"] = bool(values["below"])
    ss, mq, lq = row[k + 1], row[k + 2], row[k + 3]
    current = (
        None if ss is None else float(ss),
        None if mq is None else float(mq),
        None if lq is None else float(lq),
    )
    return ItemPolicy(**values, planning_date=row[k], current=current)


def _search(text: str) -> Any:
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        PolicyLine.item.ilike(pattern, escape="\\"),
        PolicyLine.description.ilike(pattern, escape="\\"),
    )


def policy_page(
    session: Session,
    *,
    below_only: bool = False,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> PolicyPage:
    """One page of the latest run's lines (default order: to order first, then by item)."""
    run = latest_run(session)
    if run is None:
        return PolicyPage(None, [], 0)
    conditions = []
    if below_only:
        conditions.append(PolicyLine.rank == 0)
    if q and q.strip():
        conditions.append(_search(q.strip()[:200]))
    order: list[Any] = []
    for part in (sort or "").split(","):
        name = part.strip()
        if not name:
            continue
        descending = name.startswith("-")
        name = name.lstrip("-+")
        if name not in SORTS:
            known = ", ".join(sorted(SORTS))
            raise ValidationError(f"cannot sort by {name!r} (can: {known})", field="sort")
        order.append(SORTS[name].desc() if descending else SORTS[name].asc())
    if not order:
        order = [PolicyLine.rank]
    if below_only and not conditions[1:]:
        total = run.below
    elif not conditions:
        total = run.items
    else:
        total = int(
            session.scalar(select(func.count()).select_from(PolicyLine).where(*conditions)) or 0
        )
    stmt = _line_query().where(*conditions).order_by(*order, PolicyLine.item)
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return PolicyPage(run, [_from_row(r) for r in rows], total)


def stored_lines(session: Session, codes: Sequence[str]) -> dict[str, ItemPolicy]:
    out: dict[str, ItemPolicy] = {}
    for start in range(0, len(codes), 500):
        chunk = list(codes[start : start + 500])
        for row in session.execute(_line_query().where(PolicyLine.item.in_(chunk))):
            p = _from_row(row)
            out[p.item] = p
    return out


def require_run(session: Session) -> PolicyRunView:
    """The latest run; refused (naming the ways to start one) before the first."""
    run = latest_run(session)
    if run is None:
        raise NotFoundError(
            "there is no policy run yet: start one (`pegboard policy run`, "
            "POST /api/policy/runs, or Recompute on the Stock policy page)",
            field="run",
        )
    return run


def preview(session: Session, items: Sequence[str] | None = None) -> list[ItemPolicy]:
    """The latest run's policies (of ``items``, else all) that ``apply`` would change."""
    require_run(session)
    if items is None:
        stmt = _line_query().order_by(PolicyLine.item)
        found = [_from_row(r) for r in session.execute(stmt)]
    else:
        codes = list(dict.fromkeys(c.strip() for c in items if c.strip()))
        stored = stored_lines(session, codes)
        missing = [c for c in codes if c not in stored]
        if missing:
            raise NotFoundError(
                f"not in the latest policy run: {', '.join(missing[:20])}",
                item=missing[0],
                field="items",
            )
        found = [stored[c] for c in sorted(codes)]
    return [p for p in found if p.changes]
