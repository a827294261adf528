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
from typing import NamedTuple

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pegboard.model import Item, LineCostEstimate, SalesOrder, SalesOrderLine
from pegboard.services import costing, money
from pegboard.services.cost_inputs import COMPANY, WROTE, order_scope, revisions
from pegboard.services.lookups import get_project, line_amount
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


class _Stored(NamedTuple):
    """A ``line_cost_estimate`` row, read as plain columns (a project has thousands)."""

    sales_order_line_id: int
    company_revision: int
    order_revision: int
    material: Decimal
    labour: Decimal
    overhead: Decimal
    scrap: Decimal
    premium: Decimal | None
    unused_usage: Decimal
    unused_scrap: Decimal


_COLUMNS = tuple(getattr(LineCostEstimate, name) for name in _Stored._fields)


def _figures(
    order: SalesOrder, row: SalesOrderLine, stored: _Stored, item: str, currency: str
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
        elements=costing.Elements(stored.material, stored.labour, stored.overhead),
        scrap=stored.scrap,
        premium_amount=stored.premium,
        unused=(stored.unused_usage, stored.unused_scrap),
    )


def _row(line_id: int, e: costing.LineEstimate, stamp: _Stamp, order_id: int) -> _Stored:
    usage, scrap = unused_split(e.tree)
    total = e.tree.total
    return _Stored(
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


def _stored(session: Session, ids: Sequence[int]) -> dict[int, _Stored]:
    """The stored rows of these lines (amounts at 6 decimals, as ``_six`` made them)."""
    out: dict[int, _Stored] = {}
    for i in range(0, len(ids), CHUNK):
        for r in session.execute(
            select(*_COLUMNS).where(LineCostEstimate.sales_order_line_id.in_(ids[i : i + CHUNK]))
        ):
            out[r[0]] = _Stored(*r)
    return out


def _current(r: _Stored | None, stamp: _Stamp, order_id: int) -> bool:
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
        expected = {COMPANY: stamp.company}
        expected.update({order_scope(o.id): stamp.orders[o.id] for o, _r in todo})
        _store(session, fresh, expected)
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


def _write(session: Session | Connection, rows: Sequence[_Stored]) -> None:
    ids = [r.sales_order_line_id for r in rows]
    for i in range(0, len(ids), CHUNK):
        session.execute(
            delete(LineCostEstimate).where(
                LineCostEstimate.sales_order_line_id.in_(ids[i : i + CHUNK])
            )
        )
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(LineCostEstimate), [r._asdict() for r in rows[i : i + CHUNK]])


WAIT_MS = 200
"""How long a report's store waits for another writer before it gives up."""


def _store(session: Session, rows: Sequence[_Stored], expected: dict[str, int]) -> None:
    """Store freshly computed rows: in the caller's transaction when it writes, else in a
    short one of their own (a report's read is never committed), and there only while
    the committed revisions are still those ``expected`` (the rows were computed at): a
    caller's uncommitted change, or one committed since, leaves them unstored. A store
    that would wait for another writer longer than ``WAIT_MS``, or that another report
    storing the same lines beat, is given up. Either way
    the figures are computed again next time (a report never waits behind a plan run)."""
    bind = session.get_bind()
    if session.info.get(WROTE) or not isinstance(bind, Engine):
        _write(session, rows)
        return
    with bind.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar() if sqlite else None
        conn.rollback()
        try:
            with conn.begin():
                if sqlite:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={WAIT_MS}")
                else:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WAIT_MS}ms'")
                if revisions(conn, expected) == expected:
                    _write(conn, rows)
        except DBAPIError:  # locked, or another report stored the same lines first
            return
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(busy or 0)}")
                conn.rollback()


def orders_figures(
    session: Session, orders: Sequence[SalesOrder], heads: costing.OrderHeads | None = None
) -> list[costing.OrderFigures]:
    """``costing.orders_cost`` of many orders from the stored figures of their lines."""
    customers, projects, rows = heads or costing.order_heads(session, orders)
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


def project_figures(session: Session, customer: str, project: str) -> costing.ProjectFigures:
    """A customer project's quoted revenue, estimated cost, margin and premium, order by
    order, from its lines' stored figures (``costing.project_cost`` without the levels
    of each line: what ``pegboard project show`` prints)."""
    owner = get_project(session, customer, project)
    orders = session.scalars(
        select(SalesOrder).where(SalesOrder.project_id == owner.id).order_by(SalesOrder.number)
    ).all()
    found = tuple(orders_figures(session, orders))
    return costing.ProjectFigures(customer, project, money.currency(session), found)
