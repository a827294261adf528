"""mps.csv: the master production schedule in the bundle (issue #17), read strictly,
written back exactly, and the same lines ``pegboard mps`` keeps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from _bundles import GOOD, good_bundle, problems, read_files
from sqlalchemy import Engine, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import write_dataset
from pegboard.model import ProductionOrder
from pegboard.services import mps
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import MpsRow

# FRAME (make, counted in pieces) goes on the schedule; WHEEL is bought; BIKE is made
ITEMS = "".join(
    f"{line},mps\n" if n == 0 else f"{line},{'yes' if line.startswith('FRAME') else ''}\n"
    for n, line in enumerate(GOOD["items"].splitlines())
)
MPS = "item,date,qty\nFRAME,2026-02-02,20\nFRAME,2026-02-09,20\n"


def test_the_schedule_is_read_for_items_flagged_mps(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path, items=ITEMS, mps=MPS))
    assert [i.item for i in data.items if i.mps] == ["FRAME"]
    assert data.mps == [
        MpsRow("FRAME", date(2026, 2, 2), 20.0),
        MpsRow("FRAME", date(2026, 2, 9), 20.0),
    ]
    assert data.counts()["mps"] == 2


def test_without_mps_csv_there_is_no_schedule(tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path))
    assert data.mps == [] and not any(i.mps for i in data.items)


def test_bad_lines_are_refused_with_their_place(tmp_path: Path) -> None:
    items = ITEMS.replace("12.5,Acme,\n", "12.5,Acme,true\n")
    text = (
        "item,date,qty\n"
        "GHOST,2026-02-02,1\n"  # 2: unknown item
        "BIKE,2026-02-02,1\n"  # 3: not flagged
        "FRAME,2026-02-02,2.5\n"  # 4: pieces are whole
        "FRAME,2026-02-02,5\n"  # 5
        "FRAME,2026-02-04,5\n"  # 6: the same week as line 5
        "FRAME,1899-12-31,5\n"  # 7: out of bounds
        "FRAME,2026-03-02,0\n"  # 8: not a quantity to make
        "FRAME,2026-03-09,2000000000\n"  # 9: above the most
    )
    found = [str(p) for p in problems(good_bundle(tmp_path, items=items, mps=text))]
    assert found == [
        # cells first, as they are parsed
        "mps.csv, line 7, column 'date', value '1899-12-31': outside 1900-01-01 .. 2200-12-31",
        "mps.csv, line 8, column 'qty', value '0': must be greater than 0",
        "mps.csv, line 9, column 'qty', value '2000000000': at most 1000000000",
        # then the rules across files
        "items.csv, line 4, column 'mps', value 'true': "
        "only make items have a master schedule (type is buy)",
        "mps.csv, line 2, column 'item', value 'GHOST': unknown item (not in items.csv)",
        "mps.csv, line 3, column 'item', value 'BIKE': "
        "not on the master schedule (its mps in items.csv is false)",
        "mps.csv, line 4, column 'qty', value '2.5': "
        "has more decimal places than the item's decimals (0)",
        "mps.csv, line 6, column 'date', value '2026-02-04': "
        "FRAME has a line in this week already (line 5)",
    ]


def test_a_line_may_not_take_a_production_order_s_number(tmp_path: Path) -> None:
    orders = GOOD["production_orders"] + "MPS-FRAME-2026-W06,FRAME,1,2026-02-05,,released,,\n"
    bundle = good_bundle(tmp_path, items=ITEMS, mps=MPS, production_orders=orders)
    assert [str(p) for p in problems(bundle)] == [
        "mps.csv, line 2, column 'date', value '2026-02-02': "
        "its line would be MPS-FRAME-2026-W06, a number production_orders.csv uses"
    ]


def test_schedule_lines_round_trip_as_mps_production_orders(engine: Engine, tmp_path: Path) -> None:
    data = read_bundle(good_bundle(tmp_path / "in", items=ITEMS, mps=MPS))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="test")
    with db.session_scope(engine) as session, session.begin():
        lines = session.execute(
            select(ProductionOrder.number, ProductionOrder.status, ProductionOrder.qty)
            .where(ProductionOrder.mps.is_(True))
            .order_by(ProductionOrder.number)
        ).all()
        back = read_company(session)
    assert [(n, str(s), q) for n, s, q in lines] == [
        ("MPS-FRAME-2026-W06", "planned", 20.0),
        ("MPS-FRAME-2026-W07", "planned", 20.0),
    ]
    # on mps.csv, not also on production_orders.csv
    assert back.canonical() == data.canonical()
    write_dataset(back, tmp_path / "out")
    files = read_files(tmp_path / "out")
    assert files["mps.csv"] == MPS.encode()
    assert b"MPS-" not in files["production_orders.csv"]
    assert b",mps\n" in files["items.csv"] and b",true\n" in files["items.csv"]


def test_pegboard_mps_set_changes_the_line_a_bundle_gave(engine: Engine, tmp_path: Path) -> None:
    """One line a week, whoever writes it: the command finds the imported line by its
    week and changes it, instead of adding a second one."""
    data = read_bundle(good_bundle(tmp_path, items=ITEMS, mps=MPS))
    with db.session_scope(engine) as session:
        replace_company(session, data, author="test")
    with db.session_scope(engine) as session:
        number = mps.set_mps(session, "FRAME", date(2026, 2, 5), 25, author="test", force=True)
    assert number == "MPS-FRAME-2026-W06"
    with db.session_scope(engine) as session, session.begin():
        assert read_company(session).mps == [
            MpsRow("FRAME", date(2026, 2, 2), 25.0),
            MpsRow("FRAME", date(2026, 2, 9), 20.0),
        ]
