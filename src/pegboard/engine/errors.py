"""Errors the engine raises: bad input it cannot plan, never planning exceptions.

Planning exceptions (late, expedite, ...) are data rows, see ``exceptions.py``.
"""

from __future__ import annotations


class BomCycleError(Exception):
    """The BOM has a cycle, so no low-level codes exist and nothing can be planned.

    ``cycle`` lists item positions in BOM order: each one is a parent of the next,
    and the last is a parent of the first.
    """

    def __init__(self, cycle: list[int], codes: list[str] | None = None) -> None:
        self.cycle = cycle
        names = [codes[i] for i in cycle] if codes is not None else [str(i) for i in cycle]
        super().__init__("BOM cycle: " + " -> ".join([*names, names[0]]))
