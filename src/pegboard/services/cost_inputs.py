"""What estimated costs are computed from, and the revisions that say it changed.

A stored line estimate (``services.cost_estimates``) must never be taken for current
once anything it was computed from changes. Rather than a hook in each service that
writes those inputs (order BOM edits, configuring, routings, standard costs, rates,
purchase prices, templates, settings: a new write path would forget it), every
session's writes are watched here, in the transaction that makes them:

* an ORM flush (``after_flush``): each new, changed or deleted row of an input table;
* an ORM ``insert``/``update``/``delete`` statement (``do_orm_execute``), which a
  flush does not see.

A change to one sales order's own structure (its order BOMs and their lines, its
order routings, a line's quantity or item) raises that order's revision (scope
``order:<id>``); anything else (an item's standard cost or type, a work center's
rate, a purchase line, master BOMs, item routings, templates, the settings) raises
the company's (scope ``company``): every stored estimate is then out of date, which
is coarse but never wrong. A statement whose rows cannot be told apart raises the
company's too, unless it names its order (``ORDER_SCOPE`` execution option).

The revisions are read before the inputs when an estimate is computed, so a change
committed while it is computed leaves the estimate older than the revision: out of
date, not wrong. Writes outside a session (the bulk import on a raw connection) call
``raise_revisions`` themselves.

The same listener hands every written row and write statement to ``plan_inputs``, which
counts the changes to what the plan is planned from (the plan's out-of-date banner).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from pegboard.model.enums import BomKind, PurchaseLineStatus
from pegboard.services import plan_inputs
from pegboard.services._dialect import insert_for

if TYPE_CHECKING:
    from pegboard.model import Bom, PurchaseOrderLine, Routing

COMPANY = "company"
ORDER_SCOPE = "pegboard_cost_order"
"""Execution option of a statement that changes one sales order's structure only: its
id (the statement then raises that order's revision, not the company's)."""

WROTE = "pegboard_wrote"
"""``Session.info`` key: the session's transaction has written (a flush or a write
statement); cleared when it ends."""

_COLUMNS: Mapping[str, frozenset[str]] = {
    "item": frozenset({"unit_cost", "type", "code"}),
    "work_center": frozenset({"cost_rate", "code"}),
    "purchase_order": frozenset({"number"}),
    "purchase_order_line": frozenset(
        {"unit_price", "status", "item_id", "due_date", "line", "purchase_order_id"}
    ),
    "sales_order_line": frozenset({"qty", "item_id", "sales_order_id"}),
}
"""Tables where only some columns are read by an estimate (any other: all of them).
Rows are told apart by their table's name, not their class, so that watching every
session declares no model class (the model package declares a class on first use, and
most commands write none of these: issue #18, start-up)."""

_WATCHED = frozenset(
    {
        "item",
        "work_center",
        "purchase_order",
        "purchase_order_line",
        "company_setting",
        "bom",
        "bom_line",
        "bom_parameter",
        "bom_line_option",
        "bom_line_parameter",
        "template_operation",
        "routing",
        "routing_operation",
        "sales_order_line",
    }
)
_NEW_DOES_NOT_MATTER = frozenset({"item", "work_center", "purchase_order", "sales_order_line"})
"""A new row of these is in no stored estimate yet (a new line has none)."""


def order_scope(sales_order_id: int) -> str:
    return f"order:{sales_order_id}"


def revisions(session: Session | Connection, scopes: Iterable[str]) -> dict[str, int]:
    """The current revision of each scope (0: never raised)."""
    from pegboard.model import CostRevision

    wanted = sorted(set(scopes))
    found: dict[str, int] = dict.fromkeys(wanted, 0)
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        found.update(
            session.execute(
                select(CostRevision.scope, CostRevision.revision).where(
                    CostRevision.scope.in_(chunk)
                )
            ).all()
        )
    return found


def raise_revisions(conn: Connection, scopes: Iterable[str]) -> None:
    """Raise each scope's revision by one (created at 1), on ``conn``'s transaction."""
    from pegboard.model import CostRevision

    rows = [{"scope": s, "revision": 1} for s in sorted(set(scopes))]
    if not rows:
        return
    table = CostRevision.__table__
    assert isinstance(table, Table)
    stmt = insert_for(conn.dialect.name)(table).values(rows)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.scope], set_={"revision": table.c.revision + 1}
        )
    )


# --------------------------------------------------------------------------- flushes


def _changed(obj: object) -> set[str]:
    state = inspect(obj)
    return {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}


def _priced(line: PurchaseOrderLine) -> bool:
    """A purchase line an estimate can take its price from (``costing``'s rule)."""
    return bool(line.unit_price) and line.status is not PurchaseLineStatus.CANCELLED


def _purchase_matters(line: PurchaseOrderLine, how: str) -> bool:
    """A receipt changes no estimate: only a priced line added or removed, its price,
    item, date or number changed, or its cancelling (or undoing it) does."""
    if how != "dirty":
        return _priced(line)
    changed = _changed(line)
    if changed & {"unit_price", "item_id", "due_date", "line", "purchase_order_id"}:
        return True
    statuses = _old_and_new(line, "status") if "status" in changed else set()
    return PurchaseLineStatus.CANCELLED in statuses


def _table(obj: object) -> str:
    """The name of the table ``obj`` (a mapped instance) is a row of."""
    return str(inspect(obj).mapper.local_table.name)


def _matters(obj: object, how: str) -> bool:
    table = _table(obj)
    if table == "purchase_order_line":
        return _purchase_matters(cast("PurchaseOrderLine", obj), how)
    if how == "new":
        return table not in _NEW_DOES_NOT_MATTER
    columns = _COLUMNS.get(table)
    return how == "deleted" or columns is None or bool(_changed(obj) & columns)


def _old_and_new(obj: object, key: str) -> set[Any]:
    history = inspect(obj).attrs[key].history
    return {v for v in (*history.deleted, *history.unchanged, *history.added) if v is not None}


def _bom_scopes(session: Session, bom_ids: set[int], known: dict[int, Bom]) -> set[str]:
    """An order BOM's sales order, else the company (master BOMs, templates, unknown)."""
    from pegboard.model import Bom

    out: set[str] = set()
    rows: dict[int, tuple[BomKind | None, int | None]] = {
        b.id: (b.kind, b.sales_order_id) for b in known.values() if b.id is not None
    }
    missing = sorted(bom_ids - set(rows))
    for i in range(0, len(missing), 500):
        for found, kind, order in session.connection().execute(
            select(Bom.id, Bom.kind, Bom.sales_order_id).where(Bom.id.in_(missing[i : i + 500]))
        ):
            rows[found] = (kind, order)
    for bom_id in bom_ids:
        is_kind, of = rows.get(bom_id, (None, None))
        out.add(order_scope(of) if is_kind is BomKind.ORDER and of is not None else COMPANY)
    return out


def _routing_boms(session: Session, routing_ids: set[int], known: dict[int, Routing]) -> set[int]:
    """The BOMs of order routings among ``routing_ids``; -1 for an item's routing."""
    from pegboard.model import Routing

    found = {r.id: r.bom_id for r in known.values() if r.id is not None}
    missing = sorted(routing_ids - set(found))
    for i in range(0, len(missing), 500):
        found.update(
            session.connection()
            .execute(select(Routing.id, Routing.bom_id).where(Routing.id.in_(missing[i : i + 500])))
            .all()
        )
    return {found.get(r) or -1 for r in routing_ids}


def _scopes(session: Session, changed: list[object]) -> set[str]:
    scopes: set[str] = set()
    boms: dict[int, Bom] = {}
    routings: dict[int, Routing] = {}
    bom_ids: set[int] = set()
    routing_ids: set[int] = set()
    for obj in changed:
        table, row = _table(obj), cast(Any, obj)  # a Bom, BomLine, Routing, … by its table
        if table == "bom":
            boms[row.id] = row
            for order in _old_and_new(row, "sales_order_id"):
                scopes.add(order_scope(order) if row.kind is BomKind.ORDER else COMPANY)
            if row.kind is not BomKind.ORDER or row.sales_order_id is None:
                scopes.add(COMPANY)
        elif table == "bom_line":
            bom_ids |= _old_and_new(row, "bom_id")
        elif table == "routing":
            routings[row.id] = row
            routing_ids.add(row.id)
        elif table == "routing_operation":
            routing_ids |= _old_and_new(row, "routing_id")
        elif table == "sales_order_line":
            scopes |= {order_scope(o) for o in _old_and_new(row, "sales_order_id")}
        else:
            scopes.add(COMPANY)
    by_bom = _routing_boms(session, routing_ids, routings)
    if -1 in by_bom:
        scopes.add(COMPANY)
    bom_ids |= by_bom - {-1}
    return scopes | (_bom_scopes(session, bom_ids, boms) if bom_ids else set())


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    session.info[WROTE] = True
    kinds = (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted))
    written = [(how, obj) for how, objs in kinds for obj in objs]
    changed = [obj for how, obj in written if _table(obj) in _WATCHED and _matters(obj, how)]
    if changed:
        raise_revisions(session.connection(), _scopes(session, changed))
    plan_inputs.flushed(session, written)


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    state.session.info[WROTE] = True
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if isinstance(name, str):
        plan_inputs.executed(state, name)
    if name not in _WATCHED or (state.is_insert and name in _NEW_DOES_NOT_MATTER):
        return
    order = state.execution_options.get(ORDER_SCOPE)
    scope = order_scope(int(order)) if order is not None else COMPANY
    raise_revisions(state.session.connection(), [scope])


def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The session's whole transaction ended (not a savepoint inside it)."""
    if transaction.parent is None:
        plan_inputs.ended(session)
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def install() -> None:
    """Watch every session's writes (idempotent)."""
    if not event.contains(Session, "before_commit", plan_inputs.committing):
        event.listen(Session, "before_commit", plan_inputs.committing)
    if not event.contains(Session, "after_transaction_end", _ended):
        event.listen(Session, "after_transaction_end", _ended)
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(Session, "do_orm_execute", _on_execute):
        event.listen(Session, "do_orm_execute", _on_execute)
