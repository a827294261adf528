"""Values the database could not hold are refused with their location, on every database."""

from __future__ import annotations

from pathlib import Path

import pytest

from pegboard.bundle.importer import read_bundle
from pegboard.errors import BundleError


def _one_problem(folder: Path) -> str:
    with pytest.raises(BundleError) as caught:
        read_bundle(folder)
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_too_long_id_is_located(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text(f"item\n{'X' * 101}\n")
    assert _one_problem(tmp_path).startswith("items.csv, line 2, column 'item'")
    assert "longer than 100 characters" in _one_problem(tmp_path)


def test_too_large_integer_is_located(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("item,lead_time_days\nA,3000000000\n")
    assert "line 2, column 'lead_time_days'" in _one_problem(tmp_path)
    assert "too large" in _one_problem(tmp_path)


@pytest.mark.parametrize("digits", ["9" * 5000, "0" * 5000 + "7", "-" + "1" * 4400])
def test_integer_of_thousands_of_digits_is_located(tmp_path: Path, digits: str) -> None:
    """Python's int() refuses a text of more than 4,300 digits with its own error: the
    cell is refused (too large) or read (leading zeros), never a crash."""
    (tmp_path / "items.csv").write_text(f"item,lead_time_days\nA,{digits}\n")
    if digits.strip("0") == "7":
        assert read_bundle(tmp_path).items[0].lead_time_days == 7
        return
    assert "line 2, column 'lead_time_days'" in _one_problem(tmp_path)
    assert "too large" in _one_problem(tmp_path)


def test_long_description_is_fine_up_to_500(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text(f"item,description\nA,{'d' * 500}\n")
    assert read_bundle(tmp_path).items[0].description == "d" * 500
