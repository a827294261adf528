"""The capacity summary's columnar steps give what the plain loops they replaced gave:
the week's order count and ``TOP`` orders (``load_weeks._top_orders``: hours summed in
the same order, most first, ties by label), the labels' ranks, the routing choice tables
from the routings' headers, and the orders read as columns (both databases)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from _statements import sent
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import RoutingOperation, SalesOrderStatus
from pegboard.model.capacity import LoadWeek
from pegboard.services import company_data, order_bom, planning, sales
from pegboard.services.load import (
    OrderColumns,
    capacity_load,
    distinct,
    label_ids,
    loading_columns,
    loading_orders,
)
from pegboard.services.load_weeks import TOP, _top_orders, current_summary, week_rows
from pegboard.services.routing_arrays import NONE, RoutingArrays, _choices

TODAY = date(2026, 11, 23)
RUN = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}
labels = st.lists(st.sampled_from(["MO-2", "MO-10", "PL-1", "PL-01", "Zé", "a", "é"]), min_size=1)


def _plain_tops(
    group: list[int], order: list[int], used: list[float], names: list[str], n: int
) -> tuple[list[int], list[list[list[str | float]]]]:
    """Per group: the hours of each label (added in the users' order), how many labels,
    and the ``TOP`` most hours, ties by label: the summary's rule, one user at a time."""
    hours: list[dict[str, float]] = [defaultdict(float) for _ in range(n)]
    for g, o, h in zip(group, order, used, strict=True):
        hours[g][names[o]] += h
    counts = [len(h) for h in hours]
    tops: list[list[list[str | float]]] = [
        [[name, round(h, 6)] for name, h in sorted(per.items(), key=lambda p: (-p[1], p[0]))[:TOP]]
        for per in hours
    ]
    return counts, tops


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    names=labels,
    n=st.integers(1, 6),
    size=st.integers(0, 60),
)
def test_the_top_orders_are_the_plain_loops(
    data: st.DataObject, names: list[str], n: int, size: int
) -> None:
    group = data.draw(st.lists(st.integers(0, n - 1), min_size=size, max_size=size))
    order = data.draw(st.lists(st.integers(0, len(names) - 1), min_size=size, max_size=size))
    # few distinct hours, so equal sums (ties) are common; some fractions to add unevenly
    used = data.draw(
        st.lists(
            st.sampled_from([0.25, 0.5, 1.0, 0.1, 0.2, 0.7, 3.0]), min_size=size, max_size=size
        )
    )
    got = _top_orders(
        np.array(group, dtype=np.int64),
        np.array(order, dtype=np.int64),
        np.array(used, dtype=np.float64),
        names,
        n,
    )
    assert got == _plain_tops(group, order, used, names, n)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=80))
def test_distinct_is_numpys_unique(values: list[int]) -> None:
    key = np.array(values, dtype=np.int64)
    found, inverse = distinct(key)
    want, want_inverse = np.unique(key, return_inverse=True)
    assert found.tolist() == want.tolist() and inverse.tolist() == want_inverse.tolist()


@settings(max_examples=200, deadline=None)
@given(labels)
def test_label_ids_rank_labels_in_pythons_order(names: list[str]) -> None:
    ranked, ids = label_ids(names)
    assert ranked == sorted(set(names))
    assert [ranked[i] for i in ids.tolist()] == names


ids = st.integers(1, 9)


@settings(max_examples=300, deadline=None)
@given(
    headers=st.lists(
        st.tuples(st.one_of(st.none(), ids), ids, st.one_of(st.none(), ids)),
        max_size=20,
    ),
    without_operations=st.sets(st.integers(1, 20), max_size=5),
    orders=st.lists(
        st.tuples(ids, st.one_of(st.just(NONE), ids), st.one_of(st.just(NONE), ids)),
        min_size=1,
        max_size=20,
    ),
)
def test_the_choice_tables_are_the_loop_over_the_routings(
    headers: list[tuple[int | None, int, int | None]],
    without_operations: set[int],
    orders: list[tuple[int, int, int]],
) -> None:
    # routing i + 1 of (BOM, item, the BOM's sales order); a BOM has one routing at most
    seen: set[int] = set()
    rows = []
    for i, (bom, item, so) in enumerate(headers):
        if bom is not None and bom in seen:
            continue
        if bom is not None:
            seen.add(bom)
        rows.append((i + 1, item, bom, so if bom is not None else None))
    with_ops = sorted({r[0] for r in rows} - without_operations)
    index = {r: k for k, r in enumerate(with_ops)}
    by_item: dict[int, int] = {}
    by_bom: dict[int, int] = {}
    by_order: dict[tuple[int, int], int] = {}
    # the loop it replaced: engineering routings by id (the newer kept), then by BOM id
    for routing, item, bom, so in sorted(rows, key=lambda r: (r[2] is not None, r[2] or 0, r[0])):
        if routing not in index:
            continue
        if bom is None:
            by_item[item] = index[routing]
            continue
        by_bom[bom] = index[routing]
        if so is not None:
            by_order.setdefault((item, so), index[routing])
    table = np.array(
        [(r, i, NONE if b is None else b, NONE if s is None else s) for r, i, b, s in rows],
        dtype=np.int64,
    ).reshape(len(rows), 4)
    *got, tables = _choices(np.array(with_ops, dtype=np.int64), table)
    assert got == [by_item, by_bom, by_order]
    # the tables as columns choose as the dictionaries do, for every kind of order
    empty = np.empty(0, dtype=np.int64)
    arrays = [empty, empty, empty.astype(float), empty.astype(float), empty, empty, empty, empty]
    read = RoutingArrays(*arrays, by_item, by_bom, by_order, tables=tables)
    plain = RoutingArrays(*arrays, by_item, by_bom, by_order)
    items, boms, sales = (np.array(c, dtype=np.int64) for c in zip(*orders, strict=True))
    want = [
        plain.choose(i, None if b == NONE else b, None if o == NONE else o) for i, b, o in orders
    ]
    assert read.choose_columns(items, boms, sales).tolist() == want
    assert plain.choose_columns(items, boms, sales).tolist() == want


def test_the_orders_as_columns_are_the_orders_read(session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    # a configured line: production orders of its order BOMs (an order BOM id each)
    number = sales.create_order(session, customer="Hartwell Construction", author="sales")
    sales.add_line(session, number, item="LR-7040", qty=4, due=date(2027, 1, 4), author="sales")
    sales.set_status(session, number, SalesOrderStatus.CONFIRMED, author="sales")
    order_bom.configure_line(session, number, 1, RUN, author="planner", today=TODAY)
    planning.run_plan(session, author="test")
    orders = loading_orders(session)
    assert any(o[3] is None for o in orders) and any(o[2] is not None for o in orders)
    cols = loading_columns(session)
    want = OrderColumns.of(orders)
    assert cols.labels == [o[0] for o in orders] == want.labels
    for name in ("item", "bom", "sales", "qty", "due"):
        assert getattr(cols, name).tolist() == getattr(want, name).tolist(), name
    assert cols.due.tolist() == [o[5].toordinal() for o in orders]
    assert cols.bom.tolist() == [NONE if o[2] is None else o[2] for o in orders]
    assert cols.qty.tolist() == [float(o[4]) for o in orders]
    assert week_rows(session)  # the sample loads its work centers


ORDER_TABLES = re.compile(r"\b(planned_order|production_order)\b")


def test_a_company_without_routings_loads_nothing(engine: Engine, session: Session) -> None:
    """The whole load reads the routings first and no order when there are none (the
    reference shape's 437k planned orders were read for nothing): the summary's weeks and
    the capacity report read no planned or production order."""
    bundle = read_bundle(demo_path("lighting"))
    bundle.routings = []
    company_data.replace_company(session, bundle, author="test")
    planning.run_plan(session, author="test")
    assert session.scalar(select(func.count()).select_from(RoutingOperation)) == 0
    assert any(o[0].startswith("PL") for o in loading_orders(session))  # planned makes
    with sent(engine) as seen:
        assert week_rows(session) == []
        assert capacity_load(session).weeks == []
    assert any("routing_operation" in sql for sql, _params in seen)  # the routings were read
    assert [sql for sql, _params in seen if ORDER_TABLES.search(sql)] == []


def test_the_kept_rows_are_the_weeks_worked_out(session: Session) -> None:
    company_data.replace_company(session, read_bundle(demo_path("lighting")), author="test")
    planning.run_plan(session, author="test")
    summary = current_summary(session)
    kept = session.scalars(
        select(LoadWeek)
        .where(LoadWeek.summary_id == summary.id)
        .order_by(LoadWeek.work_center_id, LoadWeek.monday)
    ).all()
    weeks = sorted(week_rows(session), key=lambda r: (r.work_center_id, r.monday))
    assert len(kept) == len(weeks) > 0
    for k, w in zip(kept, weeks, strict=True):
        assert (k.work_center_id, k.monday, k.required, k.available, k.orders, k.top) == (
            w.work_center_id,
            w.monday,
            w.required,
            w.available,
            w.orders,
            w.top,
        )
    assert any(len(w.top) == TOP for w in weeks)
