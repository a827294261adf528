"""Choosing the routings of many orders at once gives each order the routing ``choose``
gives it alone: its BOM's, else its sales order's for its item, else its item's."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.services.routing_arrays import NONE, IntArray, RoutingArrays, coded

ids = st.integers(min_value=1, max_value=12)
maybe = st.one_of(st.none(), ids)


def _routes(
    by_item: dict[int, int], by_bom: dict[int, int], by_order: dict[tuple[int, int], int]
) -> RoutingArrays:
    empty = np.empty(0, dtype=np.int64)
    return RoutingArrays(
        sequence=empty,
        work_center=empty,
        setup=empty.astype(np.float64),
        run=empty.astype(np.float64),
        queue=empty,
        move=empty,
        first=empty,
        count=empty,
        by_item=by_item,
        by_bom=by_bom,
        by_order=by_order,
    )


def _choose_columns(
    routes: RoutingArrays,
    items: list[int],
    boms: list[int | None],
    sales: list[int | None],
) -> IntArray:
    """``choose_columns`` of orders given as lists, None where an order has none."""
    return routes.choose_columns(np.array(items, dtype=np.int64), coded(boms), coded(sales))


@settings(max_examples=200, deadline=None)
@given(
    by_item=st.dictionaries(ids, st.integers(0, 30), max_size=8),
    by_bom=st.dictionaries(ids, st.integers(0, 30), max_size=8),
    by_order=st.dictionaries(st.tuples(ids, ids), st.integers(0, 30), max_size=12),
    orders=st.lists(st.tuples(ids, maybe, maybe), max_size=40),
)
def test_choose_columns_is_choose_of_each_order(
    by_item: dict[int, int],
    by_bom: dict[int, int],
    by_order: dict[tuple[int, int], int],
    orders: list[tuple[int, int | None, int | None]],
) -> None:
    routes = _routes(by_item, by_bom, by_order)
    items = [o[0] for o in orders]
    boms = [o[1] for o in orders]
    sales = [o[2] for o in orders]
    got = _choose_columns(routes, items, boms, sales)
    assert got.dtype == np.int64
    assert got.tolist() == [routes.choose(*o) for o in orders]


def test_the_bom_then_the_sales_order_then_the_item_decide() -> None:
    routes = _routes({1: 10, 2: 20}, {7: 70}, {(1, 5): 15})
    got = _choose_columns(
        routes, [1, 1, 1, 1, 2, 3], [7, None, 8, None, 9, None], [5, 5, 5, 6, 5, None]
    )
    assert got.tolist() == [70, 15, 15, 10, 20, NONE]


def test_ids_too_large_to_pack_are_chosen_one_by_one() -> None:
    big = 2**40
    routes = _routes({big: 1}, {}, {(big, big + 1): 2})
    got = _choose_columns(routes, [big, big, 3], [None, None, None], [big + 1, None, big + 1])
    assert got.tolist() == [2, 1, NONE]
