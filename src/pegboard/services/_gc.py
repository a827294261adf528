"""The cyclic garbage collector held off while a use case builds millions of plain rows.

Reading a full-size company's load makes millions of tuples, floats and strings, none
of them in a reference cycle; each few hundred thousand of them wake the collector,
which walks every object alive, and at full size that was a sixth of the load's CPU
time. An import of a big company is the same (its BOM rows took four times as long
with the collector running, #18). ``collector_paused`` turns it off for the block and
back on after the last of the blocks open at once (a web server runs several requests
or imports in threads) ends; reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_open = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without cyclic garbage collection (see the module doc)."""
    global _open, _was_enabled
    with _lock:
        if _open == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0 and _was_enabled:
                gc.enable()
