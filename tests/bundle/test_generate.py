"""The synthetic bundle generator: deterministic, valid, and shaped as promised.

No database here: the generator is plain file output, so these tests read the
CSV files back with the csv module and check them against the spec directly.
The largest size is not generated (too slow for the suite); instead the
per-line shape is measured at a small size and extrapolated.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest

from pegboard.bundle.generate import GeneratedCounts, generate_bundle

# bundle-format.md, written out again on purpose: the generator must match the
# spec, not its own copy of it
SPEC_COLUMNS = {
    "settings": ["key", "value"],
    "items": [
        "item", "description", "type", "strategy", "uom", "lead_time_days", "lot_rule",
        "lot_qty", "period_days", "min_qty", "multiple", "safety_stock", "unit_cost", "supplier",
    ],
    "bom": ["parent", "component", "qty_per", "scrap_pct", "sales_order"],
    "stock": ["item", "qty", "location", "sales_order"],
    "purchase_orders": [
        "purchase_order", "line", "item", "qty", "due_date", "status", "sales_order", "supplier",
    ],
    "production_orders": [
        "production_order", "item", "qty", "due_date", "start_date", "status",
        "components_issued", "sales_order",
    ],
    "sales_orders": [
        "sales_order", "line", "customer", "project", "item", "qty", "shipped_qty", "due_date",
        "priority",
    ],
    # docs/bundle-format-capacity.md (v2 extension)
    "work_centers": [
        "work_center", "description", "hours_per_day", "weekday_hours", "units",
        "efficiency_pct", "cost_rate",
    ],
    "work_center_closed_days": ["work_center", "date", "description"],
    "routings": [
        "item", "sales_order", "sequence", "work_center", "setup_hours", "run_hours",
        "queue_days", "move_days", "description",
    ],
}  # fmt: skip


class Sizes(NamedTuple):
    components: int
    subassemblies: int
    orders: int


TINY = Sizes(components=20, subassemblies=5, orders=10)
SMALL = Sizes(components=400, subassemblies=80, orders=400)

Rows = dict[str, list[dict[str, str]]]


def _read(folder: Path) -> Rows:
    out: Rows = {}
    for name in SPEC_COLUMNS:
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            out[name] = list(csv.DictReader(handle))
    return out


def _generate(folder: Path, sizes: Sizes = SMALL, *, seed: int = 7) -> GeneratedCounts:
    return generate_bundle(folder, seed=seed, **sizes._asdict())


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratedCounts, Rows]:
    folder = tmp_path_factory.mktemp("small")
    counts = _generate(folder)
    return counts, _read(folder)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    _generate(tmp_path / "a", TINY, seed=3)
    _generate(tmp_path / "b", TINY, seed=3)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    _generate(tmp_path / "a", TINY, seed=3)
    _generate(tmp_path / "b", TINY, seed=4)
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a["bom.csv"] != b["bom.csv"]
    assert a["sales_orders.csv"] != b["sales_orders.csv"]


def test_tiny_size_is_a_complete_bundle(tmp_path: Path) -> None:
    counts = _generate(tmp_path, TINY)
    rows = _read(tmp_path)
    assert len({r["sales_order"] for r in rows["sales_orders"]}) == 10
    assert sum(1 for r in rows["items"] if r["type"] == "buy") == 20
    assert counts.items == len(rows["items"]) and counts.bom > 0
    _check_references(rows)
    _check_no_cycle(rows["bom"])


def test_files_have_exactly_the_spec_columns(tmp_path: Path) -> None:
    _generate(tmp_path, TINY)
    assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(SPEC_COLUMNS)
    for name, columns in SPEC_COLUMNS.items():
        with (tmp_path / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            assert next(reader) == columns, name
            assert all(len(row) == len(columns) for row in reader), name


def test_counts_match_the_files(small: tuple[GeneratedCounts, Rows]) -> None:
    counts, rows = small
    assert counts.by_file() == {f"{name}.csv": len(rows[name]) for name in SPEC_COLUMNS}


def test_settings_carry_the_planning_date(tmp_path: Path) -> None:
    generate_bundle(tmp_path, seed=1, planning_date=date(2027, 3, 1), **TINY._asdict())
    settings = {r["key"]: r["value"] for r in _read(tmp_path)["settings"]}
    assert settings["planning_date"] == "2027-03-01"


def _check_no_cycle(bom: list[dict[str, str]]) -> None:
    """Iterative three-colour DFS over every BOM row (master and order-specific)."""
    children: dict[str, list[str]] = {}
    for row in bom:
        children.setdefault(row["parent"], []).append(row["component"])
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in children:
        if state.get(root):
            continue
        stack = [(root, iter(children.get(root, ())))]
        state[root] = 1
        while stack:
            node, rest = stack[-1]
            child = next(rest, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                pytest.fail(f"BOM cycle through {node} -> {child}")
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(children.get(child, ()))))


def _check_references(rows: Rows) -> None:
    items = {r["item"]: r for r in rows["items"]}
    assert len(items) == len(rows["items"]), "item ids are unique"
    orders = {r["sales_order"] for r in rows["sales_orders"]}
    for row in rows["bom"]:
        assert items[row["parent"]]["type"] == "make"
        assert row["component"] in items
        assert not row["sales_order"] or row["sales_order"] in orders
    for name in ("stock", "purchase_orders", "production_orders", "sales_orders"):
        for row in rows[name]:
            assert row["item"] in items, (name, row)
            assert not row["sales_order"] or row["sales_order"] in orders, (name, row)
    centers = {r["work_center"] for r in rows["work_centers"]}
    assert len(centers) == len(rows["work_centers"]), "work center codes are unique"
    assert {r["work_center"] for r in rows["work_center_closed_days"]} <= centers
    order_boms = {(r["parent"], r["sales_order"]) for r in rows["bom"] if r["sales_order"]}
    for row in rows["routings"]:
        assert items[row["item"]]["type"] == "make", row
        assert row["work_center"] in centers, row
        assert not row["sales_order"] or (row["item"], row["sales_order"]) in order_boms, row


def test_references_resolve_and_keys_are_unique(small: tuple[GeneratedCounts, Rows]) -> None:
    _, rows = small
    _check_references(rows)
    for name, key in (
        ("purchase_orders", ("purchase_order", "line")),
        ("production_orders", ("production_order",)),
        ("sales_orders", ("sales_order", "line")),
        ("stock", ("item", "location", "sales_order")),
    ):
        keys = Counter(tuple(r[k] for k in key) for r in rows[name])
        assert keys.most_common(1)[0][1] == 1, name


def test_no_bom_cycle(small: tuple[GeneratedCounts, Rows]) -> None:
    _check_no_cycle(small[1]["bom"])


def test_values_follow_the_spec(small: tuple[GeneratedCounts, Rows]) -> None:
    _, rows = small
    for item in rows["items"]:
        assert item["type"] in {"make", "buy"} and item["strategy"] in {"mts", "mto"}
        assert int(item["lead_time_days"]) >= 0
        assert item["lot_rule"] != "foq" or float(item["lot_qty"]) > 0
        assert item["lot_rule"] != "poq" or int(item["period_days"]) > 0
    assert all(float(r["qty_per"]) > 0 for r in rows["bom"])
    for name in ("stock", "purchase_orders", "production_orders", "sales_orders"):
        assert all(float(r["qty"]) > 0 for r in rows[name]), name
    for name in ("purchase_orders", "production_orders", "sales_orders"):
        for row in rows[name]:
            date.fromisoformat(row["due_date"])
    for line in rows["sales_orders"]:
        assert float(line["shipped_qty"] or 0) < float(line["qty"])
    assert {r["status"] for r in rows["purchase_orders"]} == {"open", "in_transit"}
    assert {r["status"] for r in rows["production_orders"]} == {
        "planned", "released", "in_progress",
    }  # fmt: skip


def test_every_line_sells_its_own_configured_assembly(
    small: tuple[GeneratedCounts, Rows],
) -> None:
    _, rows = small
    items = {r["item"]: r for r in rows["items"]}
    own_rows = Counter((r["parent"], r["sales_order"]) for r in rows["bom"] if r["sales_order"])
    for line in rows["sales_orders"]:
        assert (items[line["item"]]["type"], items[line["item"]]["strategy"]) == ("make", "mto")
        assert own_rows[(line["item"], line["sales_order"])] >= 5


def test_common_subassemblies_reach_two_levels(small: tuple[GeneratedCounts, Rows]) -> None:
    _, rows = small
    common = {r["item"] for r in rows["items"] if r["type"] == "make" and r["strategy"] == "mts"}
    master = [r for r in rows["bom"] if not r["sales_order"]]
    assert {r["parent"] for r in master} == common
    nested = {r["parent"] for r in master if r["component"] in common}
    assert 0.15 < len(nested) / len(common) < 0.25


def _shape(counts: GeneratedCounts, sizes: Sizes) -> tuple[float, float]:
    """Items and BOM rows per sales-order line, net of the catalogue."""
    configured = counts.items - sizes.components - sizes.subassemblies
    return configured / counts.sales_orders, counts.bom / counts.sales_orders


def test_shape_extrapolates_to_the_benchmark_size(small: tuple[GeneratedCounts, Rows]) -> None:
    """50k components, 10k subs, 50k orders must give ~285k items and ~1.8M BOM rows."""
    counts, _ = small
    lines_per_order = counts.sales_orders / SMALL.orders
    items_per_line, bom_per_line = _shape(counts, SMALL)
    lines = 50_000 * lines_per_order
    assert 70_000 < lines < 80_000
    assert 260_000 < 60_000 + lines * items_per_line < 310_000
    assert 1_600_000 < lines * bom_per_line < 2_000_000


def test_counts_scale_linearly(tmp_path: Path, small: tuple[GeneratedCounts, Rows]) -> None:
    counts, _ = small
    double = _generate(tmp_path, Sizes(*(2 * n for n in SMALL)))
    for name in ("items", "bom", "sales_orders", "stock"):
        ratio = getattr(double, name) / getattr(counts, name)
        assert 1.8 < ratio < 2.2, (name, ratio)


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    generate_bundle(tmp_path, seed=1, progress=lambda d, t: calls.append((d, t)), **TINY._asdict())
    total = sum(TINY)
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


@pytest.mark.parametrize("sizes", [Sizes(0, 5, 10), Sizes(20, -1, 10), Sizes(20, 5, -1)])
def test_rejects_impossible_sizes(tmp_path: Path, sizes: Sizes) -> None:
    with pytest.raises(ValueError, match="components"):
        _generate(tmp_path, sizes)


def test_every_make_item_has_a_routing_of_one_to_four_operations(
    small: tuple[GeneratedCounts, Rows],
) -> None:
    """In process order (10, 20, …), on work centers of rising kind; the configured items'
    routings are order routings of their sales orders, the common sub-assemblies' their own."""
    _, rows = small
    items = {r["item"]: r for r in rows["items"]}
    routings: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows["routings"]:
        routings.setdefault((row["item"], row["sales_order"]), []).append(row)
    made = {i for i, r in items.items() if r["type"] == "make"}
    assert {item for item, _ in routings} == made
    assert len(routings) == len(made)  # one routing each
    kinds = ["SAW", "CNC", "BEND", "WELD", "POWDER", "ASM", "WIRE", "PACK"]
    for (item, order), ops in routings.items():
        assert 1 <= len(ops) <= 4
        assert [int(o["sequence"]) for o in ops] == [10 * n for n in range(1, len(ops) + 1)]
        rank = [kinds.index(o["work_center"].split("-")[0]) for o in ops]
        assert rank == sorted(set(rank))
        assert (items[item]["strategy"] == "mto") == bool(order)
        for op in ops:
            assert float(op["setup_hours"]) >= 0 and float(op["run_hours"]) > 0
    sizes = Counter(len(ops) for ops in routings.values())
    assert set(sizes) == {1, 2, 3, 4}


def test_work_centers_number_tens_to_two_hundred(tmp_path: Path) -> None:
    """Ten for a small company, about 200 at the benchmark's full size (not generated here:
    the count follows the sizes alone)."""
    from pegboard.bundle.generate import _work_center_count

    assert _work_center_count(SMALL.subassemblies, SMALL.orders) == 10
    assert _work_center_count(10_000, 50_000) == 200
    _generate(tmp_path, TINY)
    rows = _read(tmp_path)
    assert len(rows["work_centers"]) == 10
    for row in rows["work_centers"]:
        assert (row["hours_per_day"] in {"8", "16"}) != bool(row["weekday_hours"])
        assert 1 <= int(row["units"]) <= 6 and 85 <= float(row["efficiency_pct"]) <= 100
        assert len(row["cost_rate"].split(".")[1]) == 2


def test_works_without_subassemblies_or_orders(tmp_path: Path) -> None:
    counts = _generate(tmp_path, Sizes(components=5, subassemblies=0, orders=0))
    assert (counts.items, counts.bom, counts.sales_orders) == (5, 0, 0)


def test_supply_looks_like_a_running_company(small: tuple[GeneratedCounts, Rows]) -> None:
    """Most parts in stock, some on order or in transit, work started, a few reservations."""
    _, rows = small
    bought = {r["item"] for r in rows["items"] if r["type"] == "buy"}
    stocked = {r["item"] for r in rows["stock"] if r["item"] in bought and not r["sales_order"]}
    assert len(stocked) / len(bought) > 0.6
    assert len({r["location"] for r in rows["stock"]}) >= 2
    assert {r["status"] for r in rows["purchase_orders"]} == {"open", "in_transit"}
    assert any(r["sales_order"] for r in rows["stock"])
    assert any(r["sales_order"] for r in rows["purchase_orders"])
    started = [r for r in rows["production_orders"] if r["sales_order"]]
    assert started and all(r["item"].startswith(("FA-", "SUB-")) for r in started)
    assert any(r["components_issued"] == "true" for r in started)
