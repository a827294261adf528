"""The engine's sorting and ranking helpers against plain Python and NumPy."""

from __future__ import annotations

from random import Random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.engine._arrays import lex_order, sorted_positions, string_rank
from pegboard.engine.exceptions import _millionths_text, _shortage_texts, quantity
from pegboard.engine.planned import NUMBERED_REFS, ParentRank, planned_ref, planned_refs
from pegboard.engine.ref_order import planned_keys, ref_key
from pegboard.engine.sort_kernel import dense_order, sorted_ints
from pegboard.engine.types import PLANNED_PARENT, PRODUCTION_PARENT

INT_KEYS = st.lists(
    st.tuples(
        st.sampled_from([1, 3, 40, 1 << 20, 1 << 45, 1 << 62]),  # range; some too wide to pack
        st.integers(-(1 << 40), 1 << 40),  # offset
    ),
    min_size=1,
    max_size=6,
)


@settings(deadline=None)  # the first example loads the compiled sort
@given(INT_KEYS, st.integers(0, 60), st.randoms(use_true_random=False))
def test_lex_order_is_a_stable_lexsort(shapes, n, rnd) -> None:  # type: ignore[no-untyped-def]
    keys = [
        np.asarray([rnd.randrange(width) + low for _ in range(n)], dtype=np.int64)
        for width, low in shapes
    ]
    if n:
        keys = [np.clip(k, -(1 << 62), (1 << 62) - 1) for k in keys]
    expected = np.lexsort(tuple(reversed(keys))) if n else np.zeros(0, dtype=np.int64)
    assert lex_order(*keys).tolist() == expected.tolist()
    assert lex_order(*keys, sort=sorted_ints).tolist() == expected.tolist()


def test_lex_order_takes_bools_and_floats() -> None:
    flag = np.asarray([True, False, True, False])
    score = np.asarray([0.5, 0.5, -1.0, 2.0])
    assert lex_order(flag, score).tolist() == np.lexsort((score, flag)).tolist()
    assert lex_order(flag).tolist() == [1, 3, 0, 2]


WORDS = st.lists(st.sampled_from(["", "a", "B", "b", "ab", "PL-000001", "é", "a\x00"]), max_size=12)


@given(WORDS)
def test_string_rank_is_a_dense_rank(words: list[str]) -> None:
    distinct = sorted(set(words))
    assert string_rank(words).tolist() == [distinct.index(w) for w in words]


@given(WORDS)
def test_sorted_positions_break_ties_by_input_row(words: list[str]) -> None:
    order = sorted(range(len(words)), key=lambda k: (words[k], k))
    assert sorted_positions(words).tolist() == [order.index(k) for k in range(len(words))]


def test_planned_refs_match_planned_ref() -> None:
    assert planned_refs(5, 9) == [planned_ref(n) for n in range(5, 9)]
    assert planned_refs(0, 0) == []


PRODUCTION_REFS = st.lists(
    st.sampled_from(
        [
            "MO-1", "A", "Z", "PL-", "PL-0", "PL-000002", "PL-0000025", "PL-000003",
            "PL-00000", "PL-1000000", "PL-999999", "PL-999999x", "PL-00000a", "PL-000002",
        ]
    ),
    max_size=8,
)  # fmt: skip


@given(PRODUCTION_REFS, st.integers(0, 6), st.data())
def test_parent_rank_orders_by_ref_type_and_index(refs: list[str], n_planned: int, data) -> None:  # type: ignore[no-untyped-def]
    parents = [(PLANNED_PARENT, k) for k in range(n_planned)]
    parents += [(PRODUCTION_PARENT, k) for k in range(len(refs))]
    chosen = data.draw(st.lists(st.sampled_from(parents), max_size=12)) if parents else []
    dtype = np.asarray([d for d, _ in chosen], dtype=np.int64)
    didx = np.asarray([i for _, i in chosen], dtype=np.int64)

    def label(parent: tuple[int, int]) -> tuple[str, int, int]:
        kind, index = parent
        return (planned_ref(index) if kind == PLANNED_PARENT else refs[index], kind, index)

    ranks = ParentRank(refs)
    for rank in (ranks.rank(dtype, didx, n_planned), ranks._by_strings(dtype, didx)):
        by_rank = sorted(zip(rank.tolist(), map(label, chosen), strict=True))
        assert [lab for _, lab in by_rank] == sorted(map(label, chosen))
        # one rank per parent
        assert len(set(rank.tolist())) == len(set(chosen))


def test_parent_rank_falls_back_to_strings_past_six_digits() -> None:
    ranks = ParentRank(["PL-1000000"])
    dtype = np.asarray([PLANNED_PARENT, PLANNED_PARENT, PRODUCTION_PARENT], dtype=np.int64)
    didx = np.asarray([NUMBERED_REFS, 5, 0], dtype=np.int64)
    # "PL-000006" < "PL-1000000" (planned, 7 digits) = "PL-1000000" (production),
    # which the demand type orders: planned parents first
    assert ranks.rank(dtype, didx, NUMBERED_REFS + 1).tolist() == [1, 0, 2]


@given(st.integers(-(10**13), 10**13))
def test_millionths_text_is_quantity(units: int) -> None:
    assert _millionths_text(units) == quantity(units / 1e6)


def test_shortage_texts_share_objects_and_handle_huge_quantities() -> None:
    qty = np.asarray([4.5, 4.5000000001, 1e9, 1e15, 0.1 + 0.2])
    is_make = np.asarray([True, False, True, True, False])
    texts = _shortage_texts(qty, is_make)
    assert texts == [
        "4.5 to make", "4.5 to buy", "1000000000 to make", "1000000000000000 to make", "0.3 to buy",
    ]  # fmt: skip
    small = _shortage_texts(qty[:2].repeat(3), is_make[:2].repeat(3))
    assert small[0] is small[1]


PLANNED_NUMBERS = st.lists(
    st.one_of(
        st.integers(0, 30),
        st.integers(99_990, 100_010),
        st.integers(999_990, 1_000_010),
        st.integers(9_999_990, 10_000_010),
        st.integers(0, 10**12 - 2),
    ),
    max_size=20,
)
REF_TEXT = st.one_of(
    st.sampled_from(["", "PL", "PL-", "PL-0", "PL-1000000", "PL-100000", "MO-1", "PL-000001"]),
    st.text(alphabet="PL-0123456789a/", max_size=16),
    st.builds(
        lambda n, tail: planned_ref(n) + tail,
        st.integers(0, 10**12 - 2),
        st.text("0a/", max_size=2),
    ),
)


@settings(deadline=None)  # cheap, but timed on a shared machine
@given(PLANNED_NUMBERS)
def test_planned_keys_follow_the_string_order_of_refs(numbers: list[int]) -> None:
    keys = planned_keys(np.asarray(numbers, dtype=np.int64)).tolist()
    for a, ka in zip(numbers, keys, strict=True):
        for b, kb in zip(numbers, keys, strict=True):
            assert (ka < kb) == (planned_ref(a) < planned_ref(b))


@settings(deadline=None)  # cheap, but timed on a shared machine
@given(PLANNED_NUMBERS, REF_TEXT)
def test_ref_key_places_any_ref_among_planned_refs(numbers: list[int], ref: str) -> None:
    keys = planned_keys(np.asarray(numbers, dtype=np.int64)).tolist()
    placed = ref_key(ref)
    for n, key in zip(numbers, keys, strict=True):
        assert (key <= placed) == (planned_ref(n) <= ref), (planned_ref(n), ref)


@settings(deadline=None)  # cheap, but timed on a shared machine
@given(st.lists(REF_TEXT, max_size=6), PLANNED_NUMBERS, st.data())
def test_parent_rank_by_keys_is_the_string_order(refs: list[str], numbers: list[int], data) -> None:  # type: ignore[no-untyped-def]
    """Past six digits the ranks come from integer keys: the same order as the refs'."""
    parents = [(PLANNED_PARENT, k) for k in numbers]
    parents += [(PRODUCTION_PARENT, k) for k in range(len(refs))]
    chosen = data.draw(st.lists(st.sampled_from(parents), max_size=16)) if parents else []
    dtype = np.asarray([d for d, _ in chosen], dtype=np.int64)
    didx = np.asarray([i for _, i in chosen], dtype=np.int64)
    ranks = ParentRank(refs)
    assert ranks._by_keys(dtype, didx).tolist() == ranks._by_strings(dtype, didx).tolist()
    compiled = ParentRank(refs, sorted_ints)  # as a plan ranks them
    assert compiled._by_keys(dtype, didx).tolist() == ranks._by_strings(dtype, didx).tolist()


@settings(deadline=None)  # the first example loads the compiled pass
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 40)), max_size=60))
def test_dense_order_is_a_stable_lexsort(rows: list[tuple[int, int, int]]) -> None:
    keys = [np.asarray([r[k] for r in rows], dtype=np.int64) for k in range(3)]
    expected = np.lexsort(tuple(reversed(keys))) if rows else np.zeros(0, dtype=np.int64)
    assert dense_order(*keys).tolist() == expected.tolist()
    assert dense_order(keys[2]).tolist() == np.argsort(keys[2], kind="stable").tolist()


@settings(deadline=None)  # the first example loads the compiled passes
@given(
    st.sampled_from([1, 2, 255, 256, 1 << 11, 1 << 22, 1 << 40, (1 << 63) - 1]),  # bound
    st.integers(0, 3000),
    st.randoms(use_true_random=False),
)
def test_sorted_ints_is_np_sort(bound: int, n: int, rnd: Random) -> None:
    """Every digit width and pass count, skipped passes (values sharing high or
    low digits), repeated values, the largest int64, none at all."""
    shift = rnd.choice([0, 0, 8, 20])
    values = np.asarray(
        [(rnd.randrange(bound) >> shift) << shift for _ in range(n)], dtype=np.int64
    )
    expected = np.sort(values)
    assert sorted_ints(values.copy()).tolist() == expected.tolist()


def test_sorted_ints_refuses_negative_values() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        sorted_ints(np.asarray([3, -1], dtype=np.int64))
