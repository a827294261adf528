"""Store the plan's exceptions in report order, and which sales orders they name.

A shortage row (most of a dense plan's exceptions) is stored narrow, its order, date
and message derived when read (``plan_results.exception_query``); the pairs (sales
order, exception) are packed one JSON array per sales order.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sqlalchemy import Connection

from pegboard.engine import types as et
from pegboard.model import PlanException, PlanExceptionSalesOrder
from pegboard.services import _copy_binary as binary
from pegboard.services import _sqlite_rows as sqlite_rows
from pegboard.services import plan_columns as columns
from pegboard.services._bulk import bulk_insert_columns
from pegboard.services.snapshot import Snapshot


def store_exceptions(conn: Connection, run_id: int, snap: Snapshot, exc: et.Exceptions) -> None:
    """Store in report order (kind, date, order, sales order), which ``ORDER BY id`` reads.

    The engine hands the rows sorted by (kind, order, sales order, date); a stable sort
    on the integer keys (kind, date) keeps order and sales order in place among ties,
    so no string is compared here. A shortage row is stored narrow: its planned order
    (by id, its position + 1) and its quantity in millionths; its order, date and
    message are derived when read (``plan_results.exception_query``), except for a
    quantity beyond exact millionths, whose message is stored. On PostgreSQL the narrow
    rows go by binary COPY straight from the arrays. Last, the pairs (sales order,
    exception) a sales order's pages read (``store_exception_orders``).
    """
    n = len(exc)
    head = len(exc.listed)  # the rows before the shortage rows, which come last
    kinds = exc.kind.codes[:head]  # one code per kind name (``KINDS``)
    # kinds arrive in contiguous blocks: number the blocks instead of sorting strings
    blocks = np.zeros(head, dtype=np.int64)
    if head > 1:
        blocks[1:] = np.cumsum(kinds[1:] != kinds[:-1])
    order = np.concatenate(
        [np.lexsort((exc.date[:head], blocks)), head + columns.stable_argsort(exc.date[head:])]
    )
    planned = exc.planned[order] if len(exc.planned) == n else np.full(n, et.NO_ORDER)
    units = np.rint(exc.qty[order] * 1e6) if len(exc.qty) == n else np.zeros(n)
    narrow = (planned >= 0) & (np.abs(units) < 1e14)
    # the narrow rows go in a statement of their own that leaves the derived columns out
    # (binding NULLs costs more than values on SQLite); they are the last rows in report
    # order unless a quantity beyond millionths left one wide among them: then every
    # row carries its id. PostgreSQL's rows always do (``planning._empty_plan_tables``:
    # its key is built after them)
    wide = np.flatnonzero(~narrow)
    slim = np.flatnonzero(narrow)
    ordered = not slim.size or not wide.size or int(wide[-1]) < int(slim[0])
    numbered = ordered and conn.dialect.name != "postgresql"  # ids by the database
    rows = order[wide]
    ids = {} if numbered else {"id": (wide + 1).tolist()}
    bulk_insert_columns(
        conn,
        PlanException,
        {
            **ids,
            "kind": exc.kind.take(rows).tolist(),  # gathered on the codes, not row by row
            "item_id": snap.item_ids[exc.item[rows]].tolist(),
            "order_ref": exc.order.take(rows).tolist(),
            "date": columns.day_texts(exc.date[rows]),
            "sales_order_id": columns.optional_ids(snap.sales_order_ids, exc.sales_order[rows]),
            "message": exc.messages_at(rows),  # a narrow row's message is never built
        },
        same={"plan_run_id": run_id},
    )
    write = _copy_narrow if conn.dialect.name == "postgresql" else _insert_narrow
    write(
        conn,
        run_id,
        snap,
        exc,
        order[slim],
        planned[slim] + 1,
        units[slim],
        ids=None if numbered else slim + 1,
    )
    store_exception_orders(conn, snap.sales_order_ids, exc.sales_order[order])


def _insert_narrow(
    conn: Connection,
    run_id: int,
    snap: Snapshot,
    exc: et.Exceptions,
    rows: et.IntArray,
    planned_ids: et.IntArray,
    units: np.ndarray,
    *,
    ids: et.IntArray | None,
) -> None:
    """The narrow shortage rows (engine rows ``rows``, ``ids`` when not written in id
    order), a chunk at a time, many rows a statement (``_sqlite_rows``; SQLite)."""
    for part in columns.chunks(len(rows)):
        mine = rows[part]
        so_ids, no_order = _sales_order_ids(snap, exc.sales_order[mine])
        sqlite_rows.insert_integers(
            conn,
            PlanException.__tablename__,
            {
                **({} if ids is None else {"id": ids[part]}),
                "item_id": snap.item_ids[exc.item[mine]],
                "sales_order_id": np.where(no_order, sqlite_rows.NULL_MARK, so_ids),
                "planned_order_id": planned_ids[part],
                "qty_millionths": units[part].astype(np.int64),
            },
            nullable=("sales_order_id",),
            same={"plan_run_id": run_id, "kind": "shortage"},
        )


def _sales_order_ids(snap: Snapshot, positions: et.IntArray) -> tuple[et.IntArray, et.BoolArray]:
    """The database ids of the sales orders at engine ``positions`` (0 where there is
    none), and where there is none (``NO_ORDER``)."""
    no_order = positions < 0
    if not len(snap.sales_order_ids):
        return np.zeros(len(positions), dtype=np.int64), no_order
    return snap.sales_order_ids[np.where(no_order, 0, positions)], no_order


def _copy_narrow(
    conn: Connection,
    run_id: int,
    snap: Snapshot,
    exc: et.Exceptions,
    rows: et.IntArray,
    planned_ids: et.IntArray,
    units: np.ndarray,
    *,
    ids: et.IntArray | None,
) -> None:
    """The narrow shortage rows (engine rows ``rows``) by binary COPY (PostgreSQL): every
    column a number but the kind, each converted once as an array (``_copy_binary``)."""
    so_ids, no_order = _sales_order_ids(snap, exc.sales_order[rows])
    fields = {
        "item_id": binary.int4(snap.item_ids[exc.item[rows]]),
        "sales_order_id": binary.int4(so_ids, no_order),
        "planned_order_id": binary.int4(planned_ids),
        "qty_millionths": binary.int8(units.astype(np.int64)),
        "plan_run_id": binary.int4(np.full(len(rows), run_id)),
        "kind": binary.word("shortage", len(rows)),
    }
    if ids is not None:
        fields["id"] = binary.int4(ids)
    binary.copy_fields(
        conn, PlanException.__tablename__, list(fields), list(fields.values()), created_here=True
    )


def store_exception_orders(
    conn: Connection, sales_order_ids: et.IntArray, positions: et.IntArray
) -> None:
    """Write ``PlanExceptionSalesOrder``: per sales order named by an exception, the ids
    of the exceptions naming it, ascending, packed as one JSON array (``positions`` are
    the rows' sales-order positions in report order, whose ids are their places + 1).

    One row per sales order instead of one per pair: the reference shape's 3.7 M pairs
    become 75 k rows. The orders go a batch of about ``CHUNK_ROWS`` ids at a time, whose
    ids are spelt and joined once, each order's array a slice of that text: never a
    Python object per id for more than one batch (peak memory).
    """
    named = np.flatnonzero(positions >= 0)
    if not named.size:  # no exception names a sales order: nothing to write
        return
    keys = sales_order_ids[positions[named]]
    by_key = columns.stable_argsort(keys)  # stable: each order's ids stay ascending
    keys = keys[by_key]
    ids = named[by_key] + 1
    del named, by_key
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    # batches of whole orders, a new one from the first order starting past each chunk
    cuts = np.unique(np.searchsorted(starts, np.arange(0, ids.size, columns.CHUNK_ROWS)))
    cuts = cuts[cuts < starts.size]  # a chunk's place past the last order's start
    for first, last in zip(cuts.tolist(), [*cuts[1:].tolist(), starts.size], strict=True):
        lo = int(starts[first])
        hi = int(starts[last]) if last < starts.size else ids.size
        bulk_insert_columns(
            conn,
            PlanExceptionSalesOrder,
            {
                "sales_order_id": keys[starts[first:last]].tolist(),
                "exception_ids": _packed(ids[lo:hi], starts[first:last] - lo),
            },
        )


def _packed(ids: et.IntArray, starts: et.IntArray) -> list[str]:
    """``ids`` cut at ``starts`` (the first is 0), each part as a JSON array text."""
    digits = _digits(ids)
    # where each id's text ends (exclusive): its digits, plus the comma before every id
    # but the first
    ends = np.cumsum(digits + 1) - 1
    text = _spelt(ids, digits)
    begin = np.concatenate([[0], ends[:-1] + 1])[starts]
    end = np.concatenate([ends[starts[1:] - 1], [len(text)]])
    return [f"[{text[lo:hi]}]" for lo, hi in zip(begin.tolist(), end.tolist(), strict=True)]


def _spelt(ids: et.IntArray, digits: et.IntArray) -> str:
    """``",".join(map(str, ids))`` for positive ``ids`` (``digits`` long), built as ASCII
    bytes over the whole batch: every id's digits in a row of a fixed-width grid with a
    comma after them, then the grid read without the leading zeros. A Python string per
    id cost more than the rest of the packing (3.7 M ids on the reference shape)."""
    if not ids.size:
        return ""
    width = int(digits.max())
    grid = np.empty((ids.size, width + 1), dtype=np.uint8)
    grid[:, width] = ord(",")
    left = ids.astype(np.int64)
    for place in range(width - 1, -1, -1):
        left, grid[:, place] = np.divmod(left, 10)
    grid[:, :width] += ord("0")
    spelt = np.arange(width + 1) >= (width - digits)[:, None]
    return grid[spelt].tobytes()[:-1].decode("ascii")


def _digits(values: et.IntArray) -> et.IntArray:
    """How many decimal digits each positive integer of ``values`` is written with."""
    out = np.ones(values.size, dtype=np.int64)
    bound = 10
    while values.size and bound <= int(values.max()):
        out += values >= bound
        bound *= 10
    return out


def kind_counts(exc: et.Exceptions) -> dict[str, int]:
    """Rows per kind, in the order the kinds come: the shortage rows (the last, and
    most, of them) counted without reading their kind one by one."""
    head = len(exc.listed)
    counts = dict(Counter(exc.kind[:head]))
    if len(exc) > head:
        counts["shortage"] = counts.get("shortage", 0) + len(exc) - head
    return counts
