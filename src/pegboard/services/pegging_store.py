"""Store the plan's pegging: which supply serves which demand, and how much.

Rows are written a chunk at a time from the engine's arrays; each row names its
supply and demand by type and reference text, gathered from the snapshot's tables
by one vectorised pick per table (``plan_columns.pick``).
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection

from pegboard.engine import types as et
from pegboard.model import Pegging
from pegboard.services import plan_columns as columns
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services.snapshot import Snapshot

# indexed by the engine's demand types: SALES_LINE, PLANNED_PARENT, PRODUCTION_PARENT, SAFETY_STOCK
DEMAND_TYPE_NAMES = ("sales_order", "planned_order", "production_order", "safety_stock")


def store_pegging(conn: Connection, run_id: int, snap: Snapshot, result: et.PlanResult) -> None:
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
        bulk_insert_columns(
            conn,
            Pegging,
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
