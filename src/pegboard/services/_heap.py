"""The process's memory allocator set for a plan's big arrays, and set back after it.

A plan of a large company allocates and frees NumPy arrays of tens of megabytes
thousands of times. By default glibc serves each of them with a fresh ``mmap`` and
unmaps it when it is freed, so every reuse of that memory faults its pages in again,
and NumPy advises transparent huge pages on them, which the kernel may compact
memory to find. On the 2-core machine that was 1.7-3.7 s of system time in a plan of
the reference shape (issue #18), against 0.1-1 s with the settings below.

``arrays_reused()`` is the one place that makes this process-wide choice: the plan
(``snapshot.plan``, which the CLI, the API and the web all go through) runs inside
it. While it is open glibc keeps large blocks in its heap (``M_MMAP_THRESHOLD`` 1 GiB,
so they are reused rather than unmapped), does not give the heap's top back after
each free (``M_TRIM_THRESHOLD``, ``M_TOP_PAD``), and NumPy advises no huge pages.
When the last block open ends (a server may plan in several threads), the
allocator gets the values glibc's own dynamic threshold settles on once a process
has freed a large block (32 MiB mmap threshold, 64 MiB trim threshold), NumPy its
previous advice, and ``malloc_trim`` returns the freed memory to the system, so a
long-running server does not keep the plan's peak.

Nothing is changed where this is not glibc (macOS, musl), or when the operator has
tuned malloc through the environment (``MALLOC_*_`` or ``GLIBC_TUNABLES``): their
choice stands. The plan is the same either way; only where its memory comes from
differs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy as np

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's malloc.h
KEPT = {M_MMAP_THRESHOLD: 1 << 30, M_TRIM_THRESHOLD: (1 << 31) - 1, M_TOP_PAD: 64 << 20}
"""While a plan runs: blocks up to 1 GiB from the heap, the heap never trimmed."""
AFTER = {M_MMAP_THRESHOLD: 32 << 20, M_TRIM_THRESHOLD: 64 << 20, M_TOP_PAD: 128 << 10}
"""After it: where glibc's dynamic thresholds end once a large block was freed."""

_lock = threading.Lock()
_open = 0
_huge_pages_were: bool | None = None


@cache
def _glibc() -> Any | None:
    """The C library when it is glibc and nobody tuned it through the environment
    (looked up on first use: ``ctypes`` is not loaded at a command's start-up)."""
    import ctypes

    if "GLIBC_TUNABLES" in os.environ or any(
        name.startswith("MALLOC_") and name.endswith("_") for name in os.environ
    ):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
        return None
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    libc.malloc_trim.restype = ctypes.c_int
    return libc


def _huge_page_switch() -> Callable[[bool], bool] | None:
    """NumPy's switch of its huge-page advice (it returns the previous setting)."""
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    return switch if callable(switch) else None


def _set(libc: Any, values: dict[int, int]) -> None:
    for option, value in values.items():
        libc.mallopt(option, value)


@contextmanager
def arrays_reused() -> Iterator[None]:
    """Run the block with large blocks kept in the heap for reuse (see the module doc)."""
    global _open, _huge_pages_were
    libc = _glibc()
    if libc is None:
        yield
        return
    with _lock:
        if _open == 0:
            _set(libc, KEPT)
            switch = _huge_page_switch()
            _huge_pages_were = switch(False) if switch else None
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0:
                _set(libc, AFTER)
                switch = _huge_page_switch()
                if switch and _huge_pages_were is not None:
                    switch(_huge_pages_were)
                libc.malloc_trim(0)
