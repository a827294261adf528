"""Hostile work-center rates in a bundle (#16, bad input): a negative rate and a rate
with ten decimals are refused where they are, naming the file, line, column and value;
the bundle is then not imported at all (the importer stops at any problem)."""

from __future__ import annotations

from pathlib import Path

from _bundles import good_bundle, problems

HEADER = "work_center,hours_per_day,weekday_hours,units,efficiency_pct,cost_rate\n"


def test_a_negative_rate_and_a_rate_with_ten_decimals_are_located(tmp_path: Path) -> None:
    text = HEADER + "OK,8,,,,40.50\nNEG,8,,,,-40\nFINE,8,,,,40.1234567890\n"
    found = [str(p) for p in problems(good_bundle(tmp_path, work_centers=text))]
    assert len(found) == 2, found
    negative, fine = found
    assert negative.startswith("work_centers.csv, line 3, column 'cost_rate', value '-40': ")
    assert "negative" in negative
    assert fine == (
        "work_centers.csv, line 4, column 'cost_rate', value '40.1234567890': "
        "at most two decimals (cents)"
    )
