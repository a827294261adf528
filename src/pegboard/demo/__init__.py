"""The sample companies, shipped inside the package as planning bundles.

They live in the wheel (not in ``docs/`` or ``tests/``) so that ``pegboard demo``
works right after ``pip install``, and so the demo, the docs and the tests all
plan the same data. Each is small enough to read, and its numbers are set so
that one plan shows every kind of exception once, for a reason a planner
would recognise (planning date Monday 2026-11-23). Both work Monday to Friday with
a few public holidays (``holidays.csv``: Christmas Day, Boxing Day, New Year's Day,
Labour Day), so make lead times count working days and no order is released or due
on a day the plant is closed; every order of theirs falls on a working day.

``lighting``, a commercial lighting contractor: configured LED runs, pendant
clusters and vapor-tight garage fixtures for Hartwell Construction's Riverside
Tower (lobby and parking garage) and three other customers.

* late: SO-1005 (Calder Grand Hotel bar, priority 10) is due in 11 days, but
  its round LED modules take 35; SO-1008, a lobby change order, is overdue.
* expedite: PO-31015 (those LED modules) is needed a week before it is due.
* cancel: PO-31020, black powder coat the stock already covers.
* defer: PO-31021, vapor-tight housings in transit six weeks before use.
* also: drivers reserved for SO-1002, drivers in transit feeding the released
  driver-tray order MO-2201, a diffuser bought for SO-1006 alone, a body in
  the paint shop for SO-1007, and VT-1500-010V built to its master BOM for
  SO-1004 but to an order-specific one (sensor, through-wiring) for SO-1003.

``kitchens``, a custom kitchen maker: carcasses, fronts, worktops cut to size.

* late: SO-2004 (Fairfax Dental), a quartz worktop in 18 days; quartz takes 28.
* expedite: PO-4412, hinges the spare-parts order SO-2006 needs sooner.
* cancel: PO-4418, Carrara edge banding already in stock.
* also: a sink reserved and quartz slabs bought for SO-2001, KIT-LM-STD to its
  master BOM for SO-2003 and with an oak worktop upgrade for SO-2002.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pegboard.errors import NotFoundError

__all__ = ["DEMOS", "demo_path"]

DEMOS = ("lighting", "kitchens")


def demo_path(name: str) -> Path:
    """The folder holding the ``name`` bundle's CSV files.

    A real path (not a ``Traversable``) because the bundle reader opens files by
    path; the package is installed unzipped, so the two are the same folder.
    """
    if name not in DEMOS:
        raise NotFoundError(
            f"no demo company {name!r}; choose one of: {', '.join(DEMOS)}", demo=name
        )
    return Path(str(resources.files(__package__).joinpath(name)))
