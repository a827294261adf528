"""The sample companies as of "today": their dates move with the day they are loaded.

The bundles in ``pegboard/demo`` are written as of a planning date (their
``settings.csv``), so tests and the docs can read them exactly. ``pegboard demo``
loads them moved to today instead, without a planning date of their own: every
order keeps its distance from today (due in eleven days, a week overdue), so the
demo shows a current company on whatever day it runs, and its plans are planned
as of the day they run.
"""

from __future__ import annotations

from datetime import date

from pegboard.bundle.importer import read_bundle
from pegboard.bundle.reader import Progress
from pegboard.demo import demo_path
from pegboard.services.dataset import Dataset

__all__ = ["demo_dataset"]


def demo_dataset(name: str, today: date, progress: Progress | None = None) -> Dataset:
    """The ``name`` sample company with its dates moved so that its planning date is today."""
    data = read_bundle(demo_path(name), progress)
    written_for = data.settings.get("planning_date")
    if written_for is None:
        return data
    moved = data.shifted((today - date.fromisoformat(written_for)).days)
    moved.settings = {k: v for k, v in moved.settings.items() if k != "planning_date"}
    return moved
