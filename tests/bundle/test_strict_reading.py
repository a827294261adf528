"""Issue #20, items 3, 7 and 8: a bundle is read strictly and every refusal is located.

A quote left open, a line break inside a one-line value, a row with too many or too
few fields, an items.csv without rows, extreme numbers and dates, foreign encodings,
files that are not files, NUL bytes and non-ASCII digits: each is a problem naming the
file, the line and (where there is one) the column — never a silent loss, never a
traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _bundles import GOOD, good_bundle, next_line, only_problem, problems, with_rows

from pegboard.bundle.importer import read_bundle
from pegboard.errors import BundleError, BundleProblem

ITEM_COLUMNS = GOOD["items"].splitlines()[0].count(",") + 1


def item_row(*cells: str) -> str:
    """An items.csv row of ``GOOD``'s columns: these cells, the rest empty."""
    return ",".join(cells) + "," * (ITEM_COLUMNS - len(cells))


def located(problem: BundleProblem) -> tuple[str, int | None, str | None]:
    return problem.file, problem.line, problem.column


# --- item 3: strict CSV ----------------------------------------------------------------------

PO_HEADER = "purchase_order,line,item,qty,due_date,status,sales_order,supplier\n"


def test_an_unclosed_quote_is_located_instead_of_swallowing_the_rest(tmp_path: Path) -> None:
    orders = (
        PO_HEADER
        + "PO-1,1,WHEEL,10,2026-01-20,open,,Acme\n"
        + 'PO-1,2,BOLT,500,2026-01-22,in_transit,,"Acme\n'  # line 3: the quote never closes
        + "PO-7,1,WHEEL,700,2026-01-25,open,,Acme\n"
    )
    problem = only_problem(good_bundle(tmp_path, purchase_orders=orders))
    assert located(problem) == ("purchase_orders.csv", 3, "supplier")
    assert "never closed" in problem.reason


def test_a_quote_closed_lines_later_is_a_line_break_where_none_is_allowed(tmp_path: Path) -> None:
    orders = PO_HEADER + 'PO-1,1,"WHEEL,10,2026-01-20\nPO-7",1,WHEEL,700,2026-01-25,open,,Acme\n'
    found = problems(good_bundle(tmp_path, purchase_orders=orders))
    assert [located(p) for p in found] == [("purchase_orders.csv", 2, None)]
    assert "fields" in found[0].reason or "cells" in found[0].reason


def test_a_line_break_inside_an_id_is_refused_with_the_line_it_starts_on(tmp_path: Path) -> None:
    orders = PO_HEADER + 'PO-1,1,WHEEL,10,2026-01-20,open,,Acme\n"PO\n2",1,WHEEL,3,2026-01-20,,,\n'
    problem = only_problem(good_bundle(tmp_path, purchase_orders=orders))
    assert located(problem) == ("purchase_orders.csv", 3, "purchase_order")
    assert "line break" in problem.reason


def test_a_description_may_hold_a_line_break(tmp_path: Path) -> None:
    items = with_rows("items", item_row("NUT", '"Nut M6\nzinc plated"', "buy"))
    data = read_bundle(good_bundle(tmp_path, items=items))
    assert data.items[-1].description == "Nut M6\nzinc plated"


@pytest.mark.parametrize(
    ("row", "word"), [("NUT,Nut,buy,mts,ea,1,lfl,,,,,,,,,", "more"), ("NUT,Nut", "fewer")]
)
def test_a_row_with_too_many_or_too_few_fields_is_located(
    tmp_path: Path, row: str, word: str
) -> None:
    problem = only_problem(good_bundle(tmp_path, items=with_rows("items", row)))
    assert located(problem) == ("items.csv", next_line("items"), None)
    assert word in problem.reason


def test_an_items_csv_with_only_its_header_is_refused_unless_allowed(tmp_path: Path) -> None:
    header = GOOD["items"].splitlines()[0] + "\n"
    folder = good_bundle(
        tmp_path, items=header, bom=None, stock=None, purchase_orders=None,
        production_orders=None, sales_orders=None,
    )  # fmt: skip
    problem = only_problem(folder)
    assert located(problem) == ("items.csv", None, None)
    assert "--allow-empty" in problem.reason
    assert read_bundle(folder, allow_empty=True).items == []


# --- item 7: extreme values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "row", "value", "word"),
    [
        ("lead_time_days", "NUT,,buy,mts,ea,2147483647", "2147483647", "at most 3650"),
        ("lead_time_days", "NUT,,buy,mts,ea,3651", "3651", "at most 3650"),
        ("period_days", "NUT,,buy,mts,ea,1,poq,,99999", "99999", "at most 3650"),
    ],
)
def test_a_lead_time_or_period_over_ten_years_is_located(
    tmp_path: Path, column: str, row: str, value: str, word: str
) -> None:
    header = "item,description,type,strategy,uom,lead_time_days,lot_rule,lot_qty,period_days"
    text = header + "\n" + row + "," * (header.count(",") - row.count(",")) + "\n"
    problem = only_problem(good_bundle(tmp_path, items=text, **_no_refs()))
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "items.csv",
        2,
        column,
        value,
    )
    assert word in problem.reason


def _no_refs() -> dict[str, None]:
    return dict.fromkeys(
        ("bom", "stock", "purchase_orders", "production_orders", "sales_orders"), None
    )


def test_3650_days_is_the_longest_lead_time(tmp_path: Path) -> None:
    text = "item,lead_time_days\nNUT,3650\n"
    assert read_bundle(good_bundle(tmp_path, items=text, **_no_refs())).items[0].lead_time_days == (
        3650
    )


@pytest.mark.parametrize("day", ["9999-12-31", "2201-01-01", "1899-12-31", "0001-01-01"])
def test_a_planning_date_outside_1900_to_2200_is_located(tmp_path: Path, day: str) -> None:
    settings = f"key,value\nplanning_date,{day}\n"
    problem = only_problem(good_bundle(tmp_path, settings=settings))
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "settings.csv",
        2,
        "value",
        day,
    )
    assert "1900-01-01 .. 2200-12-31" in problem.reason


def test_a_due_date_outside_1900_to_2200_is_located(tmp_path: Path) -> None:
    sales = with_rows("sales_orders", "SO-9,1,ACME,,BIKE,1,,9999-12-31,")
    problem = only_problem(good_bundle(tmp_path, sales_orders=sales))
    assert located(problem) == ("sales_orders.csv", next_line("sales_orders"), "due_date")


@pytest.mark.parametrize("key", ["horizon_days", "reschedule_in_days", "defer_days"])
def test_a_day_count_setting_over_ten_years_is_located(tmp_path: Path, key: str) -> None:
    problem = only_problem(good_bundle(tmp_path, settings=f"key,value\n{key},2147483647\n"))
    assert (problem.file, problem.line, problem.column) == ("settings.csv", 2, "value")
    assert "at most 3650" in problem.reason


# --- item 8: located errors --------------------------------------------------------------------


def test_a_bom_self_loop_is_reported_on_its_own_line(tmp_path: Path) -> None:
    bom = with_rows("bom", *(f"BIKE,BOLT,{n},," for n in range(1, 4)), "FRAME,FRAME,1,,")
    problem = only_problem(good_bundle(tmp_path, bom=bom))
    assert located(problem) == ("bom.csv", next_line("bom") + 3, "component")
    assert "FRAME -> FRAME" in problem.reason


def test_a_bom_cycle_is_reported_on_the_row_that_closes_it(tmp_path: Path) -> None:
    bom = with_rows("bom", "FRAME,BIKE,1,,")  # BIKE -> FRAME (line 2) -> BIKE (this line)
    problem = only_problem(good_bundle(tmp_path, bom=bom))
    assert located(problem) == ("bom.csv", next_line("bom"), "component")
    assert "line 2" in problem.reason


def test_a_latin1_file_names_the_line_and_the_encoding(tmp_path: Path) -> None:
    folder = good_bundle(tmp_path)
    text = with_rows("items", item_row("NUT", "Écrou M6", "buy"))
    (folder / "items.csv").write_bytes(text.encode("latin-1"))
    problem = only_problem(folder)
    assert located(problem) == ("items.csv", next_line("items"), None)
    assert "UTF-8" in problem.reason and "Latin-1" in problem.reason


def test_a_utf16_file_says_so(tmp_path: Path) -> None:
    folder = good_bundle(tmp_path)
    (folder / "items.csv").write_bytes(GOOD["items"].encode("utf-16"))
    problem = only_problem(folder)
    assert problem.file == "items.csv" and "UTF-16" in problem.reason


def test_an_items_csv_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = good_bundle(tmp_path, items=None)
    (folder / "items.csv").mkdir()
    with pytest.raises(BundleError) as refused:
        read_bundle(folder)
    assert [str(p) for p in refused.value.problems] == [
        "items.csv: is a folder, not a regular file"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    folder = good_bundle(tmp_path, stock=None)
    os.mkfifo(folder / "stock.csv")  # opening it would wait for a writer forever
    with pytest.raises(BundleError) as refused:
        read_bundle(folder)
    assert [str(p) for p in refused.value.problems] == ["stock.csv: is a pipe, not a regular file"]


def test_a_nul_byte_in_a_description_is_located(tmp_path: Path) -> None:
    problem = only_problem(
        good_bundle(tmp_path, items=with_rows("items", item_row("NUT", "Nut\x00M6", "buy")))
    )
    assert located(problem) == ("items.csv", next_line("items"), "description")
    assert "NUL" in problem.reason


@pytest.mark.parametrize("qty", ["١٢", "１２", "1_0", "12\u0660"])
def test_only_ascii_digits_make_a_number(tmp_path: Path, qty: str) -> None:
    stock = with_rows("stock", f"BOLT,{qty},main,")
    problem = only_problem(good_bundle(tmp_path, stock=stock))
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "stock.csv",
        next_line("stock"),
        "qty",
        qty,
    )


def test_a_deeply_nested_templates_json_is_refused_where_it_gets_too_deep(tmp_path: Path) -> None:
    folder = good_bundle(tmp_path)
    (folder / "templates.json").write_text("[\n" + "[" * 100_000 + "]" * 100_000 + "\n]\n")
    problem = only_problem(folder)
    assert (problem.file, problem.line) == ("templates.json", 2)
    assert "nested deeper than" in problem.reason


def test_templates_json_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = good_bundle(tmp_path)
    (folder / "templates.json").mkdir()
    problem = only_problem(folder)
    assert str(problem) == "templates.json: is a folder, not a regular file"
