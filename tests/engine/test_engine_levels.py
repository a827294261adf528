"""Low-level codes and BOM cycles."""

from __future__ import annotations

import numpy as np
import pytest
from _build import Case, Item, plan_view

from pegboard.engine import BomCycleError, low_level_codes
from pegboard.engine.sort_kernel import sorted_ints


def llc(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = np.asarray([e[0] for e in edges], dtype=np.int64)
    component = np.asarray([e[1] for e in edges], dtype=np.int64)
    codes = low_level_codes(n, parent, component)
    # a plan sorts the edges with the compiled sort: the same codes
    assert low_level_codes(n, parent, component, sorted_ints).tolist() == codes.tolist()
    return list(codes.tolist())


def test_lowest_level_wins_for_a_component_used_at_two_levels() -> None:
    # 0 -> 1 -> 2 and 0 -> 2: item 2 sits at level 1 under 0 and at level 2 under 1
    assert llc(3, [(0, 1), (1, 2), (0, 2)]) == [0, 1, 2]
    # 3 is unused; 4 is a second top with the same components
    assert llc(5, [(0, 1), (1, 2), (0, 2), (4, 2)]) == [0, 1, 2, 0, 0]


def test_no_bom_means_everything_is_top_level() -> None:
    assert llc(3, []) == [0, 0, 0]
    assert llc(0, []) == []


def test_repeated_edges_count_once() -> None:
    assert llc(2, [(0, 1), (0, 1), (0, 1)]) == [0, 1]


def test_cycle_is_named_in_bom_order_from_its_lowest_item() -> None:
    # 3 -> 1 -> 4 -> 3 is a cycle; 0 -> 3 leads into it, 4 -> 2 hangs below it
    with pytest.raises(BomCycleError) as caught:
        llc(5, [(4, 3), (0, 3), (3, 1), (1, 4), (4, 2)])
    assert caught.value.cycle == [1, 4, 3]


def test_cycle_does_not_depend_on_row_order() -> None:
    edges = [(4, 3), (0, 3), (3, 1), (1, 4), (4, 2), (2, 2)]
    found = set()
    for shift in range(len(edges)):
        with pytest.raises(BomCycleError) as caught:
            llc(5, edges[shift:] + edges[:shift])
        found.add(tuple(caught.value.cycle))
    assert len(found) == 1


def test_self_loop_is_a_cycle_of_one() -> None:
    with pytest.raises(BomCycleError) as caught:
        llc(2, [(0, 1), (1, 1)])
    assert caught.value.cycle == [1]


def test_plan_names_the_cycle_by_item_code() -> None:
    case = Case(
        items=[Item("A", make=True), Item("B", make=True), Item("C", make=True)],
        bom=[("A", "B", 1), ("B", "C", 1), ("C", "A", 1)],
    )
    with pytest.raises(BomCycleError, match=r"A -> B -> C -> A") as caught:
        plan_view(case)
    assert caught.value.cycle == [0, 1, 2]
