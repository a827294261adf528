"""Python's cycle collector held off while a bundle is read and written (#18).

An import makes millions of small tuples (cells, rows, ids) and keeps them to the end;
none of them is part of a reference cycle, so the collector finds nothing in them, but
it walks them all again each time the heap has grown by a quarter: allocating a big
company's BOM rows took four times as long with it running. Reference counting still
frees what an import lets go, and the collector runs again when the last import
running in the process ends (an API server may run two imports at once).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cycle collector off for the block (nested and concurrent blocks alike);
    the collector is as it was before the first block once the last one ends."""
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
