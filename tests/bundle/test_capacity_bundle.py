"""Capacity in the bundle (issue #15, v2 extension): work_centers.csv,
work_center_closed_days.csv and routings.csv, read with located errors, written back
exactly, in a workbook too; the load follows the order routing an import gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from _bundles import good_bundle, problems, read_files
from sqlalchemy import Engine
from test_xlsx import write_workbook

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.services import capacity, load
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import ClosedDayRow, RoutingRow, WorkCenterRow

WORK_CENTERS = """\
work_center,description,hours_per_day,weekday_hours,units,efficiency_pct,cost_rate
SAW,Band saw,7.5,,2,85,42.5
PAINT,"Powder line, one oven",,"mon=8,tue=8,wed=8,thu=8,fri=4",,,
WELD,Welding,8,,1,100,61.25
"""
CLOSED = """\
work_center,date,description
PAINT,2026-01-21,oven maintenance
SAW,2026-01-09,
"""
ROUTINGS = """\
item,sales_order,sequence,work_center,setup_hours,run_hours,queue_days,move_days,description
FRAME,,10,SAW,0.5,0.25,,1,cut tubes
FRAME,,20,WELD,1,0.75,1,,weld
FRAME,,30,PAINT,2,0.1,,,coat
BIKE,,10,WELD,0,1,,,assemble
BIKE,SO-1,10,WELD,0,1.5,,,assemble the custom frame
BIKE,SO-1,20,PAINT,1,0.2,,,custom colour
"""
CAPACITY = {
    "work_centers": WORK_CENTERS,
    "work_center_closed_days": CLOSED,
    "routings": ROUTINGS,
}


def test_the_files_read_into_rows(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path, **CAPACITY))
    assert data.work_centers == [
        WorkCenterRow("SAW", "Band saw", 7.5, "", 2, 85.0, Decimal("42.50")),
        WorkCenterRow(
            "PAINT",
            "Powder line, one oven",
            8.0,
            "mon=8,tue=8,wed=8,thu=8,fri=4",
            1,
            100.0,
            Decimal("0"),
        ),
        WorkCenterRow("WELD", "Welding", 8.0, "", 1, 100.0, Decimal("61.25")),
    ]
    assert data.closed_days == [
        ClosedDayRow("PAINT", date(2026, 1, 21), "oven maintenance"),
        ClosedDayRow("SAW", date(2026, 1, 9), ""),
    ]
    assert data.routings[0] == RoutingRow("FRAME", "", 10, "SAW", 0.5, 0.25, 0, 1, "cut tubes")
    assert data.routings[-1].sales_order == "SO-1"
    assert data.counts()["routings"] == 6


def test_without_the_files_there_is_no_capacity(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path))
    assert (data.work_centers, data.closed_days, data.routings) == ([], [], [])
    assert "work_centers" not in data.counts()


def test_weekday_hours_are_written_one_way(tmp_path: Path) -> None:
    """Seven numbers or named weekdays, in any case and order: one canonical text."""
    text = 'work_center,hours_per_day,weekday_hours\nA,,"8 8 8 8 6 0 0"\nB,9,"FRI=6, mon=9"\n'
    rows = read_bundle(good_bundle(tmp_path, work_centers=text)).work_centers
    assert [(r.hours_per_day, r.weekday_hours) for r in rows] == [
        (8.0, "mon=8,tue=8,wed=8,thu=8,fri=6"),
        (9.0, "mon=9,fri=6"),
    ]


def _found(tmp_path: Path, **files: str) -> list[str]:
    return [str(p) for p in problems(good_bundle(tmp_path, **files))]


def test_bad_work_centers_are_located(tmp_path: Path) -> None:
    text = (
        "work_center,hours_per_day,weekday_hours,units,efficiency_pct,cost_rate\n"
        "SAW,8,,,,\n"
        "SAW,8,,,,\n"  # 3
        "a/b,8,,,,\n"  # 4
        "HOT,25,,,,\n"  # 5
        "NONE,,,,,\n"  # 6
        "ZERO,0,,,,\n"  # 7
        "U,8,,0,,\n"  # 8
        "E,8,,,0,\n"  # 9
        "E2,8,,,501,\n"  # 10
        "C,8,,,,1.234\n"  # 11
        "C2,8,,,,12e3\n"  # 12
        'W,,"mon=8,someday=4",,,\n'  # 13
        'W2,6,"mon=8",,,\n'  # 14
        'W3,,"mon=0",,,\n'  # 15
        "N,eight,,,,\n"  # 16
    )
    assert _found(tmp_path, work_centers=text) == [
        "work_centers.csv, line 4, column 'work_center', value 'a/b': holds '/': a code may "
        "not hold any of / \\ ? # % (it is part of the addresses of pages and of the API)",
        "work_centers.csv, line 5, column 'hours_per_day', value '25': at most 24",
        "work_centers.csv, line 8, column 'units', value '0': must be greater than 0",
        "work_centers.csv, line 9, column 'efficiency_pct', value '0': must be greater than 0",
        "work_centers.csv, line 10, column 'efficiency_pct', value '501': at most 500",
        "work_centers.csv, line 11, column 'cost_rate', value '1.234': "
        "at most two decimals (cents)",
        "work_centers.csv, line 12, column 'cost_rate', value '12e3': "
        "not an amount (digits 0-9 and a decimal point)",
        "work_centers.csv, line 16, column 'hours_per_day', value 'eight': not a decimal number",
        "work_centers.csv, line 3, column 'work_center', value 'SAW': work center given twice",
        "work_centers.csv, line 6, column 'hours_per_day', value '': "
        "hours a working day (above 0), or weekday_hours, are required",
        "work_centers.csv, line 7, column 'hours_per_day', value '0': "
        "hours a working day (above 0), or weekday_hours, are required",
        "work_centers.csv, line 13, column 'weekday_hours', value 'mon=8,someday=4': "
        "'someday' is not one of mon, tue, wed, thu, fri, sat, sun",
        "work_centers.csv, line 14, column 'hours_per_day', value '6': "
        "differs from the most weekday_hours give (8): leave it empty when weekday_hours is set",
        "work_centers.csv, line 15, column 'weekday_hours', value 'mon=0': "
        "works no hours on any weekday",
    ]


def test_bad_closed_days_and_routings_are_located(tmp_path: Path) -> None:
    closed = (
        "work_center,date,description\nSAW,2026-01-09,\nSAW,2026-01-09,again\nOVEN,2026-02-01,\n"
    )
    routings = (
        "item,sales_order,sequence,work_center,setup_hours,run_hours,queue_days,move_days\n"
        "FRAME,,10,SAW,,,,\n"
        "FRAME,,10,WELD,,,,\n"  # 3: sequence twice
        "FRAME,,20,OVEN,,,,\n"  # 4: unknown work center
        "WHEEL,,10,SAW,,,,\n"  # 5: bought
        "GHOST,,10,SAW,,,,\n"  # 6: unknown item
        "FRAME,SO-1,10,SAW,,,,\n"  # 7: SO-1 has no order BOM of FRAME
        "BIKE,SO-9,10,SAW,,,,\n"  # 8: unknown order
        "BIKE,,0,SAW,,,,\n"  # 9: sequence 0
        "BIKE,,10,SAW,-1,,,\n"  # 10: negative setup
        "BIKE,,20,SAW,,10001,,\n"  # 11: too many hours
        "BIKE,,30,SAW,,,366,\n"  # 12: queue too long
        "BIKE,,40,SAW,,,,1.5\n"  # 13: not whole days
        "BIKE,SO-1,10,SAW,,,,\n"  # 14: fine, an order routing
        "BIKE,,10,WELD,,,,\n"  # 15: fine, BIKE's own
    )
    files = {"work_centers": WORK_CENTERS, "work_center_closed_days": closed, "routings": routings}
    assert _found(tmp_path, **files) == [
        "routings.csv, line 9, column 'sequence', value '0': must be greater than 0",
        "routings.csv, line 10, column 'setup_hours', value '-1': must not be negative",
        "routings.csv, line 11, column 'run_hours', value '10001': at most 10000",
        "routings.csv, line 12, column 'queue_days', value '366': at most 365",
        "routings.csv, line 13, column 'move_days', value '1.5': "
        "not a whole number (digits 0-9 only)",
        "work_center_closed_days.csv, line 3, column 'date', value '2026-01-09': "
        "SAW is closed on this day already (an earlier row)",
        "work_center_closed_days.csv, line 4, column 'work_center', value 'OVEN': "
        "unknown work center (not in work_centers.csv)",
        "routings.csv, line 3, column 'sequence', value '10': sequence given twice in FRAME",
        "routings.csv, line 4, column 'work_center', value 'OVEN': "
        "unknown work center (not in work_centers.csv)",
        "routings.csv, line 5, column 'item', value 'WHEEL': "
        "bought, not made: only a make item has a routing",
        "routings.csv, line 6, column 'item', value 'GHOST': unknown item (not in items.csv)",
        "routings.csv, line 7, column 'sales_order', value 'SO-1': SO-1 has no order BOM of "
        "FRAME: an order routing goes with the bom.csv rows of parent FRAME and "
        "sales_order SO-1",
        "routings.csv, line 8, column 'sales_order', value 'SO-9': "
        "unknown sales order (not in sales_orders.csv)",
    ]


def test_a_workbook_holds_the_same_sheets(tmp_path: Path) -> None:
    from _bundles import GOOD

    book = write_workbook(tmp_path / "book.xlsx", {**GOOD, **CAPACITY})
    from_csv = read_bundle(good_bundle(tmp_path / "csv", **CAPACITY))
    from_book = read_bundle(book)
    assert from_book.canonical() == from_csv.canonical()
    assert len(from_book.routings) == 6


def test_a_bad_sheet_is_named_like_its_file(tmp_path: Path) -> None:
    from _bundles import GOOD

    bad = WORK_CENTERS + "KILN,,30,,,,\n"
    found = problems(write_workbook(tmp_path / "book.xlsx", {**GOOD, "work_centers": bad}))
    assert [str(p) for p in found] == [
        "book.xlsx[work_centers], line 5, column 'hours_per_day', value '30': at most 24"
    ]


def test_import_export_import_is_exact(engine: Engine, tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path / "in", **CAPACITY))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="import")
    with db.session_scope(engine) as session, session.begin():
        back = read_company(session)
    assert back.canonical() == data.canonical()
    write_dataset(back, tmp_path / "out1")
    again = read_bundle(tmp_path / "out1")
    with db.session_scope(engine) as session:
        replace_company(session, again, author="import")
    with db.session_scope(engine) as session, session.begin():
        write_dataset(read_company(session), tmp_path / "out2")
    first, second = read_files(tmp_path / "out1"), read_files(tmp_path / "out2")
    assert first == second
    assert first["work_centers.csv"].decode().splitlines() == [
        "work_center,description,hours_per_day,weekday_hours,units,efficiency_pct,cost_rate",
        'PAINT,"Powder line, one oven",8,"mon=8,tue=8,wed=8,thu=8,fri=4",1,100,0.00',
        "SAW,Band saw,7.5,,2,85,42.50",
        "WELD,Welding,8,,1,100,61.25",
    ]


def test_the_database_holds_what_the_services_show(engine: Engine, tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path, **CAPACITY))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="import")
    with db.session_scope(engine) as session, session.begin():
        centers = {w.code: w for w in capacity.list_work_centers(session)}
        assert centers["PAINT"].hours_text == "mon-thu 8, fri 4"
        assert centers["PAINT"].closed_days == [date(2026, 1, 21)]
        assert centers["SAW"].cost_rate == Decimal("42.50")
        own = capacity.routing_of(session, "BIKE")
        assert [(o.sequence, o.work_center) for o in own.operations] == [(10, "WELD")]
        order = capacity.routing_of(session, "BIKE", order_bom="BOM-SO-1-BIKE")
        assert order.number == "RT-BOM-SO-1-BIKE"
        assert [(o.work_center, o.run_hours) for o in order.operations] == [
            ("WELD", 1.5),
            ("PAINT", 0.2),
        ]


def test_an_order_of_the_sales_order_follows_its_order_routing(
    engine: Engine, tmp_path: Path
) -> None:
    """MO-2 makes one BIKE for SO-1 (bom.csv holds SO-1's rows of BIKE): it asks for SO-1's
    operations, 1.5 hours of WELD and 1.2 of PAINT; MO-1 (FRAME, 10) its item's three."""
    data = read_bundle(good_bundle(tmp_path, **CAPACITY))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="import")
    with db.session_scope(engine) as session, session.begin():
        report = load.capacity_load(session)
    ops = sorted((o.order, o.work_center, round(o.hours, 6)) for o in report.operations)
    assert ops == [
        ("MO-1", "PAINT", 3.0),
        ("MO-1", "SAW", 3.0),
        ("MO-1", "WELD", 8.5),
        ("MO-2", "PAINT", 1.2),
        ("MO-2", "WELD", 1.5),
    ]


def test_routings_without_work_centers_csv_name_each_unknown_one(tmp_path: Path) -> None:
    found = problems(good_bundle(tmp_path, routings=ROUTINGS))
    assert {(p.file, p.column, p.reason) for p in found} == {
        ("routings.csv", "work_center", "unknown work center (not in work_centers.csv)")
    }
    assert [p.line for p in found] == [2, 3, 4, 5, 6, 7]
