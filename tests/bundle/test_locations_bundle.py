"""locations.csv: optional master data of stock locations (issue #14, item 5)."""

from __future__ import annotations

from pathlib import Path

from _bundles import good_bundle, problems

from pegboard.bundle.importer import read_bundle
from pegboard.services.dataset import LocationRow


def test_without_locations_csv_the_locations_are_those_stock_uses_and_main(
    tmp_path: Path,
) -> None:
    data = read_bundle(good_bundle(tmp_path))
    assert data.locations == []
    assert data.all_locations() == [LocationRow("main", ""), LocationRow("shelf-2", "")]


def test_locations_csv_lists_them_with_a_description(tmp_path: Path) -> None:
    text = "location,description\nshelf-2,Second shelf\ndock,\n"
    data = read_bundle(good_bundle(tmp_path, locations=text))
    assert data.all_locations() == [
        LocationRow("dock", ""),
        LocationRow("main", ""),
        LocationRow("shelf-2", "Second shelf"),
    ]


def test_stock_at_a_location_missing_from_locations_csv_is_located(tmp_path: Path) -> None:
    text = "location,description\ndock,\ndock,again\n"
    found = [str(p) for p in problems(good_bundle(tmp_path, locations=text))]
    assert found == [
        "locations.csv, line 3, column 'location', value 'dock': location given twice",
        "stock.csv, line 4, column 'location', value 'shelf-2': "
        "unknown location (not in locations.csv)",
    ]
