"""Stored estimated costs of sales-order lines (issue #16, item 3).

Estimating a line reads its order BOMs level by level, the routings and the prices of
its parts and rolls them up (``services.costing``); a project of 2,325 lines did that
on every call of its report (3.3 s). Each line's figures (material, labour, overhead,
the scrap in them, the premium of its options, and what the variance split needs while
no material is used) are stored in ``line_cost_estimate`` with the revisions they were
computed at (``services.cost_inputs``). A report reads the rows whose revisions are
current and computes the others (out of date, or missing: a database upgraded from
before 0025) in bulk, as before, then stores them.

Figures are stored and returned at 6 decimals (``AMOUNT``, as the ledger), computed or
read, so a report gives the same figures either way; reports round to cents.

Storing from a report: the report's own session may be a read (an API GET, never
committed), so the rows are written in a short transaction of their own when that
session has written nothing, else in its transaction. The revisions were read before
the inputs, so a change committed meanwhile leaves the rows out of date, never wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from pegboard.db import WRITE
from pegboard.model import Item, LineCostEstimate, SalesOrder, SalesOrderLine
from pegboard.services import costing, money
from pegboard.services.cost_inputs import COMPANY, WROTE, order_scope, revisions
from pegboard.services.lookups import line_amount
from pegboard.services.variance_split import unused_split

PLACES = Decimal("0.000001")
CHUNK = 500


def _six(value: Decimal) -> Decimal:
    """``value`` at the stored scale, without trailing zeros (``2.500000`` is ``2.5``)."""
    q = value.quantize(PLACES)
    whole = q.to_integral_value()
    return whole.quantize(Decimal(1)) if q == whole else q.normalize()


@dataclass(frozen=True)
class _Stamp:
    company: int
    orders: dict[int, int]


def _stamp(session: Session, order_ids: set[int]) -> _Stamp:
    found = revisions(session, [COMPANY, *(order_scope(o) for o in order_ids)])
    return _Stamp(found[COMPANY], {o: found[order_scope(o)] for o in order_ids})


def _figures(
    order: SalesOrder, row: SalesOrderLine, stored: LineCostEstimate, item: str, currency: str
) -> costing.LineFigures:
    return costing.LineFigures(
        ref=f"{order.number}/{row.line}",
        item=item,
        qty=money.as_decimal(row.qty),
        currency=currency,
        status=row.status.value,
        unit_price=row.unit_price,
        discount_pct=row.discount_pct if row.discount_pct is not None else money.ZERO,
        revenue=line_amount(row),
        elements=costing.Elements(
            _six(stored.material), _six(stored.labour), _six(stored.overhead)
        ),
        scrap=_six(stored.scrap),
        premium_amount=None if stored.premium is None else _six(stored.premium),
        unused=(_six(stored.unused_usage), _six(stored.unused_scrap)),
    )


def _row(line_id: int, e: costing.LineEstimate, stamp: _Stamp, order_id: int) -> LineCostEstimate:
    usage, scrap = unused_split(e.tree)
    total = e.tree.total
    return LineCostEstimate(
        sales_order_line_id=line_id,
        company_revision=stamp.company,
        order_revision=stamp.orders[order_id],
        material=_six(total.material),
        labour=_six(total.labour),
        overhead=_six(total.overhead),
        scrap=_six(e.tree.scrap),
        premium=None if e.premium is None else _six(e.premium.amount),
        unused_usage=_six(usage),
        unused_scrap=_six(scrap),
    )


def _stored(session: Session, ids: Sequence[int]) -> dict[int, LineCostEstimate]:
    out: dict[int, LineCostEstimate] = {}
    for i in range(0, len(ids), CHUNK):
        for r in session.scalars(
            select(LineCostEstimate).where(
                LineCostEstimate.sales_order_line_id.in_(ids[i : i + CHUNK])
            )
        ):
            out[r.sales_order_line_id] = r
    return out


def _current(r: LineCostEstimate | None, stamp: _Stamp, order_id: int) -> bool:
    return (
        r is not None
        and r.company_revision == stamp.company
        and r.order_revision == stamp.orders[order_id]
    )


def line_figures(
    session: Session, lines: Sequence[tuple[SalesOrder, SalesOrderLine]]
) -> list[costing.LineFigures]:
    """The figures of each line (in order): stored ones whose revisions are current, the
    others estimated together (``costing.line_estimates``) and stored. The revisions
    are read first: see the module's note."""
    settings = money.costing_settings(session)
    stamp = _stamp(session, {order.id for order, _row in lines})
    stored = _stored(session, sorted(row.id for _o, row in lines))
    todo = [(o, r) for o, r in lines if not _current(stored.get(r.id), stamp, o.id)]
    if todo:
        estimates = costing.line_estimates(session, todo, settings)
        fresh = [_row(r.id, e, stamp, o.id) for (o, r), e in zip(todo, estimates, strict=True)]
        _store(session, fresh)
        stored.update({r.sales_order_line_id: r for r in fresh})
    items = _item_codes(session, {row.item_id for _o, row in lines})
    return [_figures(o, r, stored[r.id], items[r.item_id], settings.currency) for o, r in lines]


def _item_codes(session: Session, ids: set[int]) -> dict[int, str]:
    wanted = sorted(ids)
    out: dict[int, str] = {}
    for i in range(0, len(wanted), CHUNK):
        out.update(
            session.execute(
                select(Item.id, Item.code).where(Item.id.in_(wanted[i : i + CHUNK]))
            ).all()
        )
    return out


def _write(session: Session, rows: Sequence[LineCostEstimate]) -> None:
    ids = [r.sales_order_line_id for r in rows]
    for i in range(0, len(ids), CHUNK):
        session.execute(
            delete(LineCostEstimate).where(
                LineCostEstimate.sales_order_line_id.in_(ids[i : i + CHUNK])
            )
        )
    session.add_all(_copy(r) for r in rows)
    session.flush()


def _copy(r: LineCostEstimate) -> LineCostEstimate:
    """A new row of the same figures (the computed ones stay the caller's, unattached)."""
    return LineCostEstimate(**{k: getattr(r, k) for k in _FIGURES})


_FIGURES = (
    "sales_order_line_id",
    "company_revision",
    "order_revision",
    "material",
    "labour",
    "overhead",
    "scrap",
    "premium",
    "unused_usage",
    "unused_scrap",
)


def _store(session: Session, rows: Sequence[LineCostEstimate]) -> None:
    """Store freshly computed rows: in the caller's transaction when it writes, else in a
    short one of their own (a report's read is never committed). A store that has to
    wait for another writer is given up: the figures are computed again next time."""
    if session.info.get(WROTE):
        _write(session, rows)
        return
    try:
        with Session(bind=session.get_bind()) as own, own.begin():
            own.connection(execution_options={WRITE: True})
            _write(own, rows)
    except OperationalError:
        return


def orders_figures(session: Session, orders: Sequence[SalesOrder]) -> list[costing.OrderFigures]:
    """``costing.orders_cost`` of many orders from the stored figures of their lines."""
    customers, projects, rows = costing.order_heads(session, orders)
    figures = line_figures(session, rows)
    lines: dict[int, list[costing.LineFigures]] = {o.id: [] for o in orders}
    for (order, _row), f in zip(rows, figures, strict=True):
        lines[order.id].append(f)
    currency = money.currency(session)
    return [
        costing.OrderFigures(
            o.number,
            customers[o.id],
            projects.get(o.id),
            o.status.value,
            currency,
            tuple(lines[o.id]),
        )
        for o in orders
    ]
