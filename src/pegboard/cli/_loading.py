"""The cyclic garbage collector held off while a command loads its modules (issue #18).

Loading a command's module, the database layer (SQLAlchemy) and the service modules it
calls, with the model tables they declare, makes hundreds of thousands of objects that
live as long as the process (classes, functions, their dicts and annotations), none of
them garbage. Each few hundred allocations woke the collector, which walked them again
and again: about a tenth of ``pegboard report late``'s CPU time. So while a module is
first imported on a command's way (``cli._lazy``, ``cli._deferred``, ``open_engine``)
the collector is off; then what is alive is moved out of its sight (``gc.freeze``: it
stays for the process's life anyway) and the collector is back on for the command's own
work. Reference counting frees everything as usual throughout. A block inside one that
is already paused, or run while someone else has the collector off (a bulk import,
``services._gc``), leaves the collector as it found it.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


@contextmanager
def loading() -> Iterator[None]:
    """Run the block (imports) without cyclic garbage collection (see the module doc)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def load(name: str) -> ModuleType:
    """The module ``name``, imported (the collector paused) unless it already is."""
    if name in sys.modules:
        return importlib.import_module(name)
    with loading():
        return importlib.import_module(name)
