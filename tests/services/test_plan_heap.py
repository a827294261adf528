"""The allocator setting a plan runs under (services._heap): large arrays come from
the heap inside the block, from their own mappings after it, and the setting is the
process's again when the last of several open blocks ends."""

from __future__ import annotations

import ctypes
import threading

import numpy as np
import pytest

from pegboard.services import _heap
from pegboard.services._heap import arrays_reused

BIG = 48 << 20  # above the 32 MiB threshold set after a plan, below the 1 GiB one of a plan


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def _mapped_bytes() -> int:
    """Bytes glibc holds in blocks mapped on their own (``mallinfo2().hblkhd``)."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    return int(libc.mallinfo2().hblkhd)


def _mapped_by_an_array() -> int:
    before = _mapped_bytes()
    array = np.ones(BIG // 8)
    grown = _mapped_bytes() - before
    del array
    return grown


glibc = pytest.mark.skipif(_heap._glibc() is None, reason="glibc's malloc, untuned")


@glibc
def test_a_plan_s_arrays_come_from_the_heap_and_later_ones_from_their_own_mapping() -> None:
    with arrays_reused():
        assert _mapped_by_an_array() == 0
    assert _mapped_by_an_array() >= BIG


@glibc
def test_the_setting_holds_until_the_last_open_block_ends() -> None:
    first_open, second_done = threading.Event(), threading.Event()
    seen: list[int] = []

    def other_plan() -> None:
        with arrays_reused():
            first_open.set()
            second_done.wait(10)
            seen.append(_mapped_by_an_array())

    thread = threading.Thread(target=other_plan)
    thread.start()
    first_open.wait(10)
    with arrays_reused():
        pass  # a plan of another thread ends while the first is still planning
    second_done.set()
    thread.join(10)
    assert seen == [0]
    assert _mapped_by_an_array() >= BIG


@glibc
def test_numpy_s_huge_page_advice_is_off_inside_and_as_before_after() -> None:
    switch = _heap._huge_page_switch()
    assert switch is not None
    before = switch(True)
    try:
        with arrays_reused():
            assert switch(False) is False
        assert switch(True) is True
    finally:
        switch(before)


def test_an_operator_s_malloc_environment_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX_", "2")
    _heap._glibc.cache_clear()
    try:
        assert _heap._glibc() is None
    finally:
        monkeypatch.delenv("MALLOC_ARENA_MAX_")
        _heap._glibc.cache_clear()
