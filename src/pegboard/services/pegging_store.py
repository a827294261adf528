"""Store the plan's pegging: which supply serves which demand, and how much.

Each row names its supply and demand by type and reference text. On SQLite the rows
are written a chunk at a time from the engine's arrays, the texts gathered from the
snapshot's tables by one vectorised pick per table (``plan_columns.pick``), many rows a
statement (``_sqlite_rows.insert_columns``). On
PostgreSQL they go by binary COPY with no Python value per row: each table of
references is encoded once and the rows' bytes gathered from it (``_copy_binary``);
text COPY of Python tuples cost 5.3 s of CPU for the reference plan's 4.6 M rows.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from pegboard.engine import types as et
from pegboard.model import Pegging
from pegboard.services import _copy_binary as binary
from pegboard.services import _sqlite_rows as sqlite_rows
from pegboard.services import plan_columns as columns
from pegboard.services.snapshot import Snapshot

# indexed by the engine's demand types: SALES_LINE, PLANNED_PARENT, PRODUCTION_PARENT, SAFETY_STOCK
DEMAND_TYPE_NAMES = ("sales_order", "planned_order", "production_order", "safety_stock")


def store_pegging(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> None:
    """Write the run's pegging rows, in the engine's order (their ids)."""
    if conn.dialect.name == "postgresql":
        _copy_pegging(conn, run_id, snap, result)
        return
    inp = snap.input
    peg = result.pegging
    refs = columns.objects(result.planned.ref)
    supply_refs = [columns.objects(inp.stock.location), columns.objects(inp.purchases.ref)]
    supply_refs += [columns.objects(inp.productions.ref), refs]
    demand_refs = [
        columns.objects(snap.demand_refs),
        refs,
        supply_refs[2],
        columns.objects(["safety_stock"]),
    ]
    supply_names = columns.objects(et.SUPPLY_TYPE_NAMES)
    demand_names = columns.objects(DEMAND_TYPE_NAMES)
    for part in columns.chunks(len(peg)):
        stype, dtype = peg.supply_type[part], peg.demand_type[part]
        sqlite_rows.insert_columns(
            conn,
            Pegging.__tablename__,
            {
                "supply_type": supply_names[stype].tolist(),
                "supply_ref": columns.pick(supply_refs, stype, peg.supply_index[part]),
                "item_id": snap.item_ids[peg.item[part]].tolist(),
                "qty": peg.qty[part].tolist(),
                "demand_type": demand_names[dtype].tolist(),
                "demand_ref": columns.pick(
                    demand_refs, dtype, np.maximum(peg.demand_index[part], 0)
                ),
            },
            same={"plan_run_id": run_id},
        )


def _copy_pegging(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> None:
    """The same rows by binary COPY: the references' tables in the order of the type
    codes, joined into one, so a row's text is ``base[type] + index`` of it."""
    inp = snap.input
    peg = result.pegging
    planned = binary.texts(result.planned.ref)
    productions = binary.texts(inp.productions.ref)
    supplies, supply_base = binary.joined(
        [binary.texts(inp.stock.location), binary.texts(inp.purchases.ref), productions, planned]
    )
    demands, demand_base = binary.joined(
        [binary.texts(snap.demand_refs), planned, productions, binary.texts(["safety_stock"])]
    )
    fields: dict[str, binary.AnyField] = {
        "supply_type": binary.TextField(binary.texts(et.SUPPLY_TYPE_NAMES), peg.supply_type),
        "supply_ref": binary.TextField(supplies, supply_base[peg.supply_type] + peg.supply_index),
        "item_id": binary.int4(snap.item_ids[peg.item]),
        "qty": binary.float8(peg.qty),
        "demand_type": binary.TextField(binary.texts(DEMAND_TYPE_NAMES), peg.demand_type),
        "demand_ref": binary.TextField(
            demands, demand_base[peg.demand_type] + np.maximum(peg.demand_index, 0)
        ),
        "plan_run_id": binary.int4(np.full(len(peg), run_id)),
        "id": binary.int4(np.arange(1, len(peg) + 1)),  # in the engine's order, as on SQLite
    }
    binary.copy_fields(
        conn, Pegging.__tablename__, list(fields), list(fields.values()), created_here=True
    )
