"""The sample companies as of "today": their dates move with the day they are loaded.

The bundles in ``pegboard/demo`` are written as of a planning date (their
``settings.csv``), so tests and the docs can read them exactly. ``pegboard demo``
loads them moved to today instead, without a planning date of their own: every
order keeps its distance from today (due in eleven days, a week overdue) to within
half a week, so the demo shows a current company on whatever day it runs, and its
plans are planned as of the day they run.

The move is a whole number of weeks, so every date keeps its weekday: a sample
written to work Monday to Friday never gets a sales order or a receipt moved onto
a Sunday. Its holidays are not moved with the orders: they stay on their day of the
year (Christmas on 25 December), written out for every year the moved company
touches (``Dataset.shifted``), like the public holidays of a real plant.
"""

from __future__ import annotations

from datetime import date

from pegboard.bundle.importer import read_bundle
from pegboard.bundle.reader import Progress
from pegboard.demo import demo_path
from pegboard.services.dataset import Dataset

__all__ = ["demo_dataset", "demo_shift"]


def demo_shift(written_for: date, today: date) -> int:
    """Days to move a sample written for ``written_for`` so that it looks as of ``today``:
    the whole number of weeks nearest to their distance, so at most three days off it
    (a sample written for a Monday is shown from Friday as of the next Monday)."""
    return round((today - written_for).days / 7) * 7


def demo_dataset(name: str, today: date, progress: Progress | None = None) -> Dataset:
    """The ``name`` sample company moved by whole weeks to the week nearest ``today``."""
    data = read_bundle(demo_path(name), progress)
    written_for = data.settings.get("planning_date")
    if written_for is None:
        return data
    moved = data.shifted(demo_shift(date.fromisoformat(written_for), today))
    moved.settings = {k: v for k, v in moved.settings.items() if k != "planning_date"}
    return moved
