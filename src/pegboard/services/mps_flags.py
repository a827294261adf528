"""What the plan says of the master schedule inside the planning time fence.

Inside the fence the plan never changes a schedule line (the shop may be preparing it)
and adds no supply of the item there (the engine's fence), so where the schedule does
not cover the backlog the planner must hear it: for every item on the schedule and
every week inside the fence whose projected available balance (on hand, the schedule
and other firm supply, less the backlog the plan pegs to the item, as the MPS record
counts them) falls below zero, the plan gets an exception of kind ``mps_short`` naming
the week's schedule line, the week and how much is missing. The orders it serves wait
for the first supply beyond the fence and are late; only the planner can bring the
shortfall in (raise the line with ``pegboard mps set … --force``).

A schedule far above the backlog needs nothing of its own beyond the fence: the plan
reports each schedule line there that no order needs as ``defer`` or ``cancel``
("4 not needed"), like any other firm supply. Inside the fence it asks no change.

The rows are written while the plan is stored, in its transaction, after its own
exceptions, so the run's counts include them and its rows never change once it is done;
they take their place among the plan's rows by kind and order ref, as the plan's own
are sorted, so every list of exceptions shows them between ``late`` and ``shortage``.
"""

from __future__ import annotations

import json

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from pegboard.model import Item, PlanException, PlanExceptionSalesOrder, PlanRun
from pegboard.services import mps

KIND = "mps_short"
EPS = 1e-9


def _quantity(value: float) -> str:
    text = f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def store(session: Session, run_id: int) -> dict[str, int]:
    """Write the ``mps_short`` exceptions of plan run ``run_id`` (being stored in the
    session's transaction); returns their count by kind, for the run's counts."""
    run = session.get(PlanRun, run_id)
    if run is None:
        return {}
    rows: list[dict[str, object]] = []
    for item_id, code in session.execute(
        select(Item.id, Item.code).where(Item.mps.is_(True)).order_by(Item.code)
    ):
        fence_weeks = (mps.fence_days(session) + 6) // 7 + 1
        record = mps.mps_record(session, code, weeks=min(fence_weeks, mps.MAX_WEEKS), run=run)
        for week in record.weeks:
            if not week.in_fence or week.pab >= -EPS:
                continue
            rows.append(
                {
                    "plan_run_id": run_id,
                    "kind": KIND,
                    "item_id": item_id,
                    "order_ref": mps.line_number(code, week.start),
                    "date": week.start,
                    "sales_order_id": None,
                    "message": (
                        f"{_quantity(-week.pab)} short in {week.label}: the master schedule "
                        f"does not cover the backlog inside the time fence (until "
                        f"{record.fence_end.isoformat()})"
                    ),
                }
            )
    if rows:
        rows.sort(key=lambda row: (str(row["order_ref"]), str(row["date"])))
        first = _make_room(session, run_id, len(rows))
        for offset, row in enumerate(rows):
            row["id"] = first + offset
        session.execute(insert(PlanException), rows)
    return {KIND: len(rows)} if rows else {}


def _make_room(session: Session, run_id: int, n: int) -> int:
    """The first of ``n`` free ids where the run's ``mps_short`` rows belong.

    Every reader lists a plan's exceptions in id order, and the plan writes them sorted
    by kind (then order ref): so the new rows take the ids of the first row of a kind
    sorting after theirs (``shortage``), whose rows move up by ``n``, in two steps
    through negative ids so no id is ever held twice within a statement. Without such
    rows they go after the plan's own. Ids are given explicitly: the plan's own rows may
    have been written with explicit ids, which a PostgreSQL sequence does not count.
    The ids the moved rows leave in ``PlanExceptionSalesOrder`` move with them."""
    of_run = PlanException.plan_run_id == run_id
    kinds = session.scalars(select(PlanException.kind).where(of_run).distinct()).all()
    after = [kind for kind in kinds if kind > KIND]
    first = session.scalar(
        select(func.min(PlanException.id)).where(of_run, PlanException.kind.in_(after))
    )
    if first is None:
        return (session.scalar(select(func.max(PlanException.id))) or 0) + 1
    session.execute(
        update(PlanException)
        .where(of_run, PlanException.id >= first)
        .values(id=-(PlanException.id + n))
    )
    session.execute(
        update(PlanException).where(of_run, PlanException.id < 0).values(id=-PlanException.id)
    )
    _move_named(session, int(first), n)
    return int(first)


def _move_named(session: Session, first: int, n: int) -> None:
    """Move the ids from ``first`` on up by ``n`` in each sales order's packed ids
    (``PlanExceptionSalesOrder``, which holds only the run being stored): one row per
    sales order, rewritten where it names a moved row. The arrays stay ascending."""
    side = PlanExceptionSalesOrder
    moved = []
    for order_id, packed in session.execute(select(side.sales_order_id, side.exception_ids)):
        ids = json.loads(packed)
        if ids and ids[-1] >= first:
            shifted = [i + n if i >= first else i for i in ids]
            moved.append({"key": order_id, "ids": json.dumps(shifted, separators=(",", ":"))})
    if moved:
        session.connection().execute(
            update(side)
            .where(side.sales_order_id == bindparam("key"))
            .values(exception_ids=bindparam("ids")),
            moved,
        )
