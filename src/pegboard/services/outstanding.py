"""What a released production order still needs of a component.

One formula, used by the shop-floor actions (``services.production``) and by the
planner's snapshot (on whole NumPy columns), so the two can never disagree.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

Q = TypeVar("Q", float, "np.ndarray[Any, np.dtype[np.float64]]")


def outstanding(qty_per: Q, qty: Q, completed: Q, scrapped: Q, issued: Q) -> Q:
    """Component quantity still to be issued: what the units still to make need, less
    what was issued and not yet consumed by completed or scrapped units.

    Scrapped units consumed their components but did not finish, so they are made
    again: issuing for them is never counted against the units still to make.
    """
    in_process = np.maximum(issued - qty_per * (completed + scrapped), 0.0)
    return np.maximum(qty_per * np.maximum(qty - completed, 0.0) - in_process, 0.0)  # type: ignore[no-any-return]
