"""The sample companies shipped in the package are valid bundles that show every feature.

The demo is the first thing a new user plans, so a broken reference or a
missing feature there is a bug. These tests read the CSV files directly (no
database): columns, references, cycles, and that each planning situation the
demo is meant to show (late orders, in-transit receipts, reservations, ...)
is still in the data.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from pegboard.demo import DEMOS, demo_path
from pegboard.errors import NotFoundError

SPEC_COLUMNS = {
    "settings": {"key", "value"},
    "holidays": {"date", "description"},
    "items": {
        "item", "description", "type", "strategy", "uom", "lead_time_days", "lot_rule",
        "lot_qty", "period_days", "min_qty", "multiple", "safety_stock", "unit_cost", "supplier",
        "mps",  # extension (#17): on the master production schedule
    },
    "bom": {"parent", "component", "qty_per", "scrap_pct", "sales_order"},
    "stock": {"item", "qty", "location", "sales_order"},
    "purchase_orders": {
        "purchase_order", "line", "item", "qty", "due_date", "status", "sales_order", "supplier",
        "unit_price",  # extension (#16): the price of one unit bought
    },
    "production_orders": {
        "production_order", "item", "qty", "due_date", "start_date", "status",
        "components_issued", "sales_order",
    },
    "sales_orders": {
        "sales_order", "line", "customer", "project", "item", "qty", "shipped_qty", "due_date",
        "priority",
        "unit_price", "discount_pct",  # extension (#16): the quoted price and its discount
    },
}  # fmt: skip
"""bundle-format.md's columns per file."""

REQUIRED = {
    "settings": {"key"},
    "holidays": {"date"},
    "items": {"item"},
    "bom": {"parent", "component", "qty_per"},
    "stock": {"item", "qty"},
    "purchase_orders": {"purchase_order", "item", "qty", "due_date"},
    "production_orders": {"production_order", "item", "qty", "due_date"},
    "sales_orders": {"sales_order", "customer", "item", "qty", "due_date"},
}

Rows = dict[str, list[dict[str, str]]]


def _read(folder: Path) -> Rows:
    out: Rows = {}
    for name in SPEC_COLUMNS:
        path = folder / f"{name}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            out[name] = list(csv.DictReader(handle))
    return out


@pytest.fixture(scope="module", params=DEMOS)
def demo(request: pytest.FixtureRequest) -> Rows:
    return _read(demo_path(request.param))


CAPACITY_COLUMNS = {
    "work_centers": {
        "work_center", "description", "hours_per_day", "weekday_hours", "units",
        "efficiency_pct", "cost_rate",
    },
    "work_center_closed_days": {"work_center", "date", "description"},
    "routings": {
        "item", "sales_order", "sequence", "work_center", "setup_hours", "run_hours",
        "queue_days", "move_days", "description",
    },
}  # fmt: skip
"""docs/bundle-format-capacity.md's optional files (v2 extension)."""


def test_demo_path_is_a_folder_of_csv_files() -> None:
    for name in DEMOS:
        files = {p.name for p in demo_path(name).iterdir() if p.suffix == ".csv"}
        extensions = {f"{stem}.csv" for stem in CAPACITY_COLUMNS} | {"mps.csv"}
        assert files - extensions == {f"{stem}.csv" for stem in SPEC_COLUMNS}, name


@pytest.mark.parametrize("name", DEMOS)
def test_every_made_item_has_a_routing_on_known_work_centers(name: str) -> None:
    """Capacity (issue #15): each sample company has work centers and a routing for every
    make item, its sequences unique; the lighting company's powder line is its bottleneck."""
    folder = demo_path(name)
    rows = {}
    for stem, columns in CAPACITY_COLUMNS.items():
        path = folder / f"{stem}.csv"
        if not path.exists():
            rows[stem] = []
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert set(reader.fieldnames or ()) == columns, stem
            rows[stem] = list(reader)
    centers = {r["work_center"] for r in rows["work_centers"]}
    assert len(centers) == len(rows["work_centers"]) >= 3
    assert {r["work_center"] for r in rows["work_center_closed_days"]} <= centers
    demo = _read(folder)
    made = {r["item"] for r in demo["items"] if r["type"] == "make"}
    assert all(r["work_center"] in centers for r in rows["routings"])
    assert {r["item"] for r in rows["routings"]} == made
    keys = Counter((r["item"], r["sales_order"], r["sequence"]) for r in rows["routings"])
    assert keys.most_common(1)[0][1] == 1
    if name == "lighting":
        assert {"SAW", "CNC-DRILL", "POWDER", "LED-ASM", "WIRE-TEST", "PACK"} <= centers


def test_unknown_demo_is_refused() -> None:
    with pytest.raises(NotFoundError, match="no demo company"):
        demo_path("bakery")


@pytest.mark.parametrize("name", DEMOS)
def test_only_spec_columns(name: str) -> None:
    for stem, allowed in SPEC_COLUMNS.items():
        with (demo_path(name) / f"{stem}.csv").open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert len(header) == len(set(header)), stem
        assert REQUIRED[stem] <= set(header) <= allowed, stem


def test_required_cells_are_filled(demo: Rows) -> None:
    for stem, required in REQUIRED.items():
        for row in demo[stem]:
            assert all(row[c] for c in required), (stem, row)


def test_references_resolve(demo: Rows) -> None:
    items = {r["item"] for r in demo["items"]}
    orders = {r["sales_order"] for r in demo["sales_orders"]}
    assert len(items) == len(demo["items"]), "item ids are unique"
    for row in demo["bom"]:
        assert {row["parent"], row["component"]} <= items, row
    for stem in ("bom", "stock", "purchase_orders", "production_orders", "sales_orders"):
        for row in demo[stem]:
            assert row.get("item", row.get("component")) in items, (stem, row)
            assert not row["sales_order"] or row["sales_order"] in orders, (stem, row)


def test_every_bom_parent_is_made(demo: Rows) -> None:
    kind = {r["item"]: r["type"] for r in demo["items"]}
    assert {kind[r["parent"]] for r in demo["bom"]} == {"make"}


def _templated(name: str) -> set[str]:
    """Items whose engineering BOM is a configurable template (templates.json, not bom.csv)."""
    path = demo_path(name) / "templates.json"
    return {t["item"] for t in json.loads(path.read_text())} if path.exists() else set()


@pytest.mark.parametrize("name", DEMOS)
def test_every_made_item_has_a_bom(name: str) -> None:
    demo = _read(demo_path(name))
    made = {r["item"] for r in demo["items"] if r["type"] == "make"}
    assert made == {r["parent"] for r in demo["bom"]} | _templated(name)


def test_no_bom_cycle(demo: Rows) -> None:
    children: dict[str, set[str]] = {}
    for row in demo["bom"]:
        children.setdefault(row["parent"], set()).add(row["component"])

    def walk(item: str, path: tuple[str, ...]) -> None:
        assert item not in path, f"BOM cycle: {' -> '.join((*path, item))}"
        for child in children.get(item, ()):
            walk(child, (*path, item))

    for parent in children:
        walk(parent, ())


def test_keys_are_unique(demo: Rows) -> None:
    for stem, key in (
        ("purchase_orders", ("purchase_order", "line")),
        ("production_orders", ("production_order",)),
        ("sales_orders", ("sales_order", "line")),
        ("stock", ("item", "location", "sales_order")),
        ("bom", ("parent", "component", "sales_order")),
    ):
        counts = Counter(tuple(r[k] for k in key) for r in demo[stem])
        assert max(counts.values()) == 1, stem


def test_values_follow_the_spec(demo: Rows) -> None:
    settings = {r["key"]: r["value"] for r in demo["settings"]}
    assert date.fromisoformat(settings["planning_date"]) == date(2026, 11, 23)
    for item in demo["items"]:
        assert item["type"] in {"make", "buy"} and item["strategy"] in {"mts", "mto"}
        assert item["lot_rule"] != "foq" or float(item["lot_qty"]) > 0
        assert item["lot_rule"] != "poq" or int(item["period_days"]) > 0
        assert item["type"] == "buy" or not item["supplier"], item["item"]
    assert all(float(r["qty_per"]) > 0 for r in demo["bom"])
    for stem in ("stock", "purchase_orders", "production_orders", "sales_orders"):
        assert all(float(r["qty"]) > 0 for r in demo[stem]), stem
    for stem in ("purchase_orders", "production_orders", "sales_orders"):
        for row in demo[stem]:
            date.fromisoformat(row["due_date"])
    for line in demo["sales_orders"]:
        assert float(line["shipped_qty"] or 0) < float(line["qty"])


def test_shows_every_planning_situation(demo: Rows) -> None:
    """What the demo is for: each row here is something the plan must show."""
    items = {r["item"]: r for r in demo["items"]}
    made_mts = {i for i, r in items.items() if (r["type"], r["strategy"]) == ("make", "mts")}
    planning_date = date(2026, 11, 23)
    order_rows = [r for r in demo["bom"] if r["sales_order"]]
    master_parents = {r["parent"] for r in demo["bom"] if not r["sales_order"]}
    situations = {
        "order-specific BOMs": bool(order_rows),
        "order BOMs using common sub-assemblies": any(
            r["component"] in made_mts for r in order_rows
        ),
        "an item with both a master and an order-specific BOM": any(
            r["parent"] in master_parents for r in order_rows
        ),
        "a receipt in transit": any(r["status"] == "in_transit" for r in demo["purchase_orders"]),
        "stock reserved for an order": any(r["sales_order"] for r in demo["stock"]),
        "a purchase pegged to an order": any(r["sales_order"] for r in demo["purchase_orders"]),
        "a production order for a common sub-assembly": any(
            r["item"] in made_mts for r in demo["production_orders"]
        ),
        "a partly shipped line": any(r["shipped_qty"] for r in demo["sales_orders"]),
        "an urgent order": any(r["priority"] not in {"", "100"} for r in demo["sales_orders"]),
        "a line due within two weeks": any(
            (date.fromisoformat(r["due_date"]) - planning_date).days < 14
            for r in demo["sales_orders"]
        ),
        "safety stock": any(r["safety_stock"] for r in items.values()),
        "every lot rule": {r["lot_rule"] for r in items.values()} == {"lfl", "foq", "poq"},
        "minimum and multiple": all(
            any(r[c] for r in items.values()) for c in ("min_qty", "multiple")
        ),
        "scrap": any(r["scrap_pct"] for r in demo["bom"]),
        "a second stock location": len({r["location"] for r in demo["stock"]}) > 1,
    }
    assert [name for name, shown in situations.items() if not shown] == []


def test_works_monday_to_friday_with_public_holidays(demo: Rows) -> None:
    """The samples plan with a real plant calendar (rule 1): Monday to Friday, a few public
    holidays on their usual days, in every year the orders and the horizon reach; and
    their orders fall on working days, as a real company's would."""
    settings = {r["key"]: r["value"] for r in demo["settings"]}
    assert settings["work_days"] == "mon,tue,wed,thu,fri"
    holidays = {date.fromisoformat(r["date"]): r["description"] for r in demo["holidays"]}
    assert len(holidays) == len(demo["holidays"]), "one row per day"
    planning_date = date.fromisoformat(settings["planning_date"])
    horizon_end = date.fromordinal(planning_date.toordinal() + int(settings["horizon_days"]))
    for year in range(planning_date.year, horizon_end.year + 1):
        assert holidays.get(date(year, 12, 25)) == "Christmas Day", year
    assert holidays[date(2027, 1, 1)] == "New Year's Day"
    for stem in ("purchase_orders", "production_orders", "sales_orders"):
        for row in demo[stem]:
            day = date.fromisoformat(row["due_date"])
            assert day.weekday() < 5 and day not in holidays, (stem, row)


def test_the_lighting_sample_keeps_a_weekly_master_schedule() -> None:
    """Issue #17: a common, stocked sub-assembly on the master schedule, one line a week
    on a working day, so `pegboard mps show` has a record to show after `pegboard demo`."""
    folder = demo_path("lighting")
    items = {r["item"]: r for r in _read(folder)["items"]}
    flagged = {code for code, r in items.items() if r["mps"] == "true"}
    assert flagged == {"SA-DRVTRAY-60V"}
    assert all(items[code]["type"] == "make" for code in flagged)
    with (folder / "mps.csv").open(newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    days = [date.fromisoformat(r["date"]) for r in lines]
    assert {r["item"] for r in lines} == flagged and len(lines) >= 3
    assert len({d.isocalendar()[:2] for d in days}) == len(days)
    assert all(d.weekday() < 5 for d in days)
