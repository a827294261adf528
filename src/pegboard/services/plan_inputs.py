"""What the plan is planned from, and the revisions that say it changed since a run.

A planner who changes a BOM line, an item's lead time or lot size, a stock count or an
order's quantity expects every plan page to say that the plan no longer reflects it.
The writes are seen where the cost estimates' are (``services.cost_inputs``: one
listener on every session's flushes and write statements, which hands each written
row here too), so no write path can forget to say so. Each transaction that changes
an input raises a revision once, as it commits (the ``cost_revision`` row of scope ``PLAN``, or
``CAPACITY`` for routings and work centers, which only a finite schedule reads: the
schedule, when stored, keeps the ``CAPACITY`` revision it was made at) and records
what it changed and when; a rollback takes both back with the rest. A plan
run stamps the revisions it read its inputs at (``stamp``, in its reading
transaction), so a change committed while it plans leaves it out of date, never
wrongly current. Firming a planned order carries it into the plan (``carried``): the
plan stays as current as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from pegboard import clock
from pegboard.model import CostRevision, PlanRun
from pegboard.services._dialect import insert_for

PLAN = "plan"
CAPACITY = "plan-capacity"
LOAD = "plan-load"
"""What the backward load reads besides the plan run's planned orders (open production
orders, routings, work centers and the calendar): the capacity summary
(``services.load_weeks``) holds while it and the run are unchanged, so a stock move or a
sales order line, which the load never reads, leaves it current."""
SCHEDULED = "plan-scheduled"
"""Not a counter: the ``CAPACITY`` revision the stored finite schedule was made at."""
PENDING = "pegboard_plan_pending"
"""``Session.info`` key: the scopes this transaction changed (scope -> its first change
in words), raised once each when it commits (``committing``)."""
CARRIED = "pegboard_plan_carried"
"""``Session.info`` key: the transaction's raise was carried into the run already."""
CHANGE = "pegboard_plan_change"
"""``Session.info`` key a service may set to name its whole change ("bundle upsert")."""

_ITEM = frozenset(
    {
        "code",
        "type",
        "strategy",
        "lead_time_days",
        "lot_rule",
        "lot_qty",
        "period_days",
        "min_qty",
        "multiple",
        "safety_stock",
        "decimals",
        "supplier",
    }
)


@dataclass(frozen=True)
class _Watch:
    scope: str
    noun: str
    columns: frozenset[str] | None = None
    """Columns the plan reads (None: all); a change to others is no change to it."""
    new_matters: bool = True
    """Whether a new row changes the plan (a new item alone does not: nothing needs it)."""
    key: str | None = None
    """Only the row whose ``key`` column holds this matters (one company setting)."""
    rows: Callable[[object], bool] | None = None
    """Only the rows this holds for matter (a written row, as flushed); a write statement,
    whose rows are not seen, always does (over-raising is out of date, never wrong)."""


def _made(row: object) -> bool:
    """A planned make order: the load places these, never a planned buy order."""
    return getattr(row, "type", None) == "make"


_WATCHED: Mapping[str, _Watch] = {
    "item": _Watch(PLAN, "item", _ITEM, new_matters=False),
    "bom": _Watch(PLAN, "BOM"),
    "bom_line": _Watch(PLAN, "BOM line"),
    "bom_parameter": _Watch(PLAN, "template parameter"),
    "bom_line_option": _Watch(PLAN, "template line option"),
    "bom_line_parameter": _Watch(PLAN, "template line formula"),
    "company_setting": _Watch(PLAN, "setting"),
    "holiday": _Watch(PLAN, "holiday"),
    "sales_order": _Watch(PLAN, "sales order", frozenset({"status"}), new_matters=False),
    "sales_order_line": _Watch(
        PLAN,
        "sales order line",
        frozenset(
            {"qty", "shipped_qty", "due_date", "priority", "status", "item_id", "sales_order_id"}
        ),
    ),
    "purchase_order_line": _Watch(
        PLAN,
        "purchase order line",
        frozenset(
            {"qty", "received_qty", "due_date", "status", "item_id", "sales_order_id", "line"}
        ),
    ),
    "production_order": _Watch(
        PLAN,
        "production order",
        frozenset(
            {
                "item_id",
                "qty",
                "completed_qty",
                "scrapped_qty",
                "due_date",
                "start_date",
                "status",
                "components_issued",
                "sales_order_id",
            }
        ),
    ),
    "production_component": _Watch(
        PLAN, "production order component", frozenset({"item_id", "qty_per", "issued_qty"})
    ),
    "stock_balance": _Watch(PLAN, "stock", frozenset({"qty", "item_id", "sales_order_id"})),
    "work_center": _Watch(
        CAPACITY,
        "work center",
        frozenset({"code", "hours_per_day", "weekday_hours", "units", "efficiency_pct"}),
        new_matters=False,
    ),
    "work_center_closed_day": _Watch(CAPACITY, "work center closed day"),
    "routing": _Watch(CAPACITY, "routing"),
    "routing_operation": _Watch(CAPACITY, "routing operation"),
    "template_operation": _Watch(CAPACITY, "template operation"),
}

WORK_DAYS_KEY = "work_days"
"""``services.calendar.WORK_DAYS_KEY`` (not imported: it loads NumPy, which the light
commands that write through here do not need; a test holds them equal)."""

_LOAD_WATCHED: Mapping[str, _Watch] = {
    "production_order": _Watch(
        LOAD,
        "production order",
        frozenset(
            {
                "number",
                "item_id",
                "bom_id",
                "sales_order_id",
                "qty",
                "completed_qty",
                "scrapped_qty",
                "due_date",
                "status",
            }
        ),
    ),
    # firming a planned buy order takes nothing off the load (it places make orders only)
    "planned_order": _Watch(
        LOAD, "planned order", frozenset({"firmed_as"}), new_matters=False, rows=_made
    ),
    "bom": _Watch(LOAD, "BOM", frozenset({"item_id", "sales_order_id"}), new_matters=False),
    "routing": _Watch(LOAD, "routing"),
    "routing_operation": _Watch(LOAD, "routing operation"),
    "work_center": _Watch(
        LOAD,
        "work center",
        frozenset({"code", "hours_per_day", "weekday_hours", "units", "efficiency_pct"}),
        new_matters=False,
    ),
    "work_center_closed_day": _Watch(LOAD, "work center closed day"),
    "holiday": _Watch(LOAD, "holiday"),
    "company_setting": _Watch(LOAD, "setting", key=WORK_DAYS_KEY),
}

_WATCHES: Mapping[str, tuple[_Watch, ...]] = {
    table: tuple(w for w in (_WATCHED.get(table), _LOAD_WATCHED.get(table)) if w is not None)
    for table in {*_WATCHED, *_LOAD_WATCHED}
}
"""Each watched table's watches: a row may change the plan's inputs and the load's."""
_SCOPES = len({w.scope for watches in _WATCHES.values() for w in watches})


def _changed(obj: object) -> set[str]:
    state = inspect(obj)
    return {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}


def _named(obj: object) -> str:
    for key in ("code", "number", "key"):
        value = getattr(obj, key, None)
        if isinstance(value, str) and value:
            return f" {value}"
    return ""


def _changes(obj: object, how: str) -> list[tuple[str, str]]:
    """(scope, words) of each scope one flushed row changes."""
    watches = _WATCHES.get(inspect(obj).mapper.local_table.name, ())
    found = (_change(obj, how, watch) for watch in watches)
    return [change for change in found if change is not None]


def _change(obj: object, how: str, watch: _Watch) -> tuple[str, str] | None:
    """(scope, words) of one flushed row that changes ``watch``'s scope; None when it
    does not."""
    if how == "new" and not watch.new_matters:
        return None
    if watch.key is not None and getattr(obj, "key", None) != watch.key:
        return None
    if watch.rows is not None and not watch.rows(obj):
        return None
    if how != "dirty":
        return watch.scope, f"{watch.noun}{_named(obj)} {'added' if how == 'new' else 'deleted'}"
    fields = _changed(obj)
    if watch.columns is not None:
        fields &= watch.columns
    if not fields:
        return None
    listed = ", ".join(sorted(f.replace("_", " ") for f in fields)[:3])
    return watch.scope, f"{watch.noun}{_named(obj)}: {listed} changed"


def flushed(session: Session, rows: Iterable[tuple[str, object]]) -> None:
    """Called by the write listener with every row a flush wrote (``how``: new, dirty,
    deleted): raise each scope they change, once a transaction."""
    found: dict[str, str] = {}
    for how, obj in rows:
        for scope, words in _changes(obj, how):
            found.setdefault(scope, words)
        if len(found) == _SCOPES:
            break
    for scope, words in found.items():
        _raise(session, scope, words)


def executed(state: ORMExecuteState, table: str) -> None:
    """Called by the write listener for an ORM write statement on ``table``."""
    if table == "schedule_run" and state.is_insert:
        _scheduled(state.session.connection())
        return
    verb = "added" if state.is_insert else "deleted" if state.is_delete else "changed"
    for watch in _WATCHES.get(table, ()):
        if not (state.is_insert and not watch.new_matters):
            _raise(state.session, watch.scope, f"{watch.noun} rows {verb}")


def _raise(session: Session, scope: str, words: str) -> None:
    """Note the change; the revision is raised when the transaction commits, so its row
    is the transaction's last lock, held for the commit only (never waited on while
    other rows are locked: no deadlock through it, little waiting on it)."""
    pending: dict[str, str] = session.info.setdefault(PENDING, {})
    pending.setdefault(scope, words)


def committing(session: Session) -> None:
    """The session's transaction is about to commit (``before_commit``): its last rows
    flushed, each scope it changed is raised once. A savepoint's release waits for its
    transaction's commit."""
    if session.in_nested_transaction():
        return
    session.flush()
    pending: dict[str, str] = session.info.pop(PENDING, {})
    named = session.info.get(CHANGE)
    for scope, words in sorted(pending.items()):
        _write(session.connection(), scope, str(named) if named else words)


def _write(conn: Connection, scope: str, words: str) -> None:
    table = CostRevision.__table__
    assert isinstance(table, Table)
    values: dict[str, Any] = {
        "scope": scope,
        "revision": 1,
        "change": words[:200],
        "changed_at": clock.now(),
    }
    stmt = insert_for(conn.dialect.name)(table).values(values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.scope],
            set_={
                "revision": table.c.revision + 1,
                "change": stmt.excluded.change,
                "changed_at": stmt.excluded.changed_at,
            },
        )
    )


def _scheduled(conn: Connection) -> None:
    """A finite schedule is being stored: it is made from the capacity as it is now
    (``SCHEDULED`` keeps that ``CAPACITY`` revision; only the newest schedule is kept)."""
    table = CostRevision.__table__
    assert isinstance(table, Table)
    now = current(conn)[CAPACITY].revision
    stmt = insert_for(conn.dialect.name)(table).values(scope=SCHEDULED, revision=now)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.scope], set_={"revision": stmt.excluded.revision}
        )
    )


def ended(session: Session) -> None:
    """The session's whole transaction ended: what it noted goes (a rollback undoes its
    changes; a commit raised them). A savepoint rolled back inside it keeps its notes:
    the plan is then said to be older than a change that was undone, never the reverse."""
    for key in (PENDING, CHANGE, CARRIED):
        session.info.pop(key, None)


@dataclass(frozen=True)
class Revision:
    revision: int
    change: str | None = None
    changed_at: datetime | None = None


def current(conn: Session | Connection) -> dict[str, Revision]:
    """The plan scopes' revisions now (0 and no change: never raised)."""
    found = {scope: Revision(0) for scope in (PLAN, CAPACITY, SCHEDULED, LOAD)}
    rows = conn.execute(
        select(
            CostRevision.scope, CostRevision.revision, CostRevision.change, CostRevision.changed_at
        ).where(CostRevision.scope.in_(list(found)))
    )
    for scope, revision, change, at in rows:
        found[scope] = Revision(revision, change, at)
    return found


def stamp(conn: Session | Connection) -> dict[str, int]:
    """The values a plan run stores (``PlanRun``'s columns): read in the transaction that
    reads its inputs, before them."""
    now = current(conn)
    return {
        "inputs_revision": now[PLAN].revision,
        "capacity_revision": now[CAPACITY].revision,
    }


def carried(session: Session, run_id: int) -> None:
    """Firming carried its new orders into run ``run_id`` (``firming.carry_into_plan``):
    the run's stamp moves past this transaction's own raise, so the plan is no more out
    of date than before. Flushes first, so the firming's rows are noted already."""
    session.flush()
    if PLAN not in session.info.get(PENDING, {}) or session.info.get(CARRIED):
        return  # once a transaction, as its raise
    session.info[CARRIED] = True
    session.execute(
        update(PlanRun)
        .where(PlanRun.id == run_id, PlanRun.inputs_revision.is_not(None))
        .values(inputs_revision=PlanRun.inputs_revision + 1)
    )
