"""Projected stock of a component needed in every way the plan knows, by hand.

BOLT (buy, mts) is in FA's BOM (4 per unit, FA make mto, lead time 2) and in GB's (2
per unit). Planning on 2026-11-24:

* on hand 100 at ``main``; PO-1 brings 50 on 2026-12-01;
* open production order MO-1 (10 GB, released, starts 12-02) still needs 10 x 2 = 20;
  MO-2 (5 GB) has its components issued already: it needs nothing more;
* SO-1 (3 FA) and SO-3 (1 FA), both due 12-10: a planned FA order each, released on
  12-08, needing 3 x 4 + 1 x 4 = 16;
* SO-2 sells 7 BOLT on 12-15.

So BOLT: 100; +50 on 12-01 -> 150; -20 on 12-02 -> 130; -16 on 12-08 -> 114; -7 on
12-15 -> 107. Firming SO-1's planned FA order turns its 12 into the new production
order's need, on the same day: the rows stay, the events change, and a page that
reused the planned parents' needs (``parent_needs``) must show the change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy import text as sql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pegboard.bundle.importer import read_bundle
from pegboard.model import ItemType, PlannedOrder, SalesOrder
from pegboard.services.company_data import replace_company
from pegboard.services.firming import planned_to_firm
from pegboard.services.planning import run_plan
from pegboard.services.production import firm_production_rows, firm_productions
from pegboard.services.projection import Projection, projected_stock

ROWS = [
    (date(2026, 12, 1), 50.0, 0.0, 150.0),
    (date(2026, 12, 2), 0.0, 20.0, 130.0),
    (date(2026, 12, 8), 0.0, 16.0, 114.0),
    (date(2026, 12, 15), 0.0, 7.0, 107.0),
]


def _write(folder: Path) -> Path:
    files = {
        "settings": "key,value\nplanning_date,2026-11-24\n",
        "items": (
            "item,type,strategy,lead_time_days\nFA,make,mto,2\nGB,make,mts,3\nBOLT,buy,mts,5\n"
        ),
        "bom": "parent,component,qty_per\nFA,BOLT,4\nGB,BOLT,2\n",
        "stock": "item,location,qty\nBOLT,main,100\n",
        "purchase_orders": (
            "purchase_order,line,item,qty,due_date,supplier\nPO-1,1,BOLT,50,2026-12-01,Acme\n"
        ),
        "production_orders": (
            "production_order,item,qty,due_date,start_date,status,components_issued\n"
            "MO-1,GB,10,2026-12-04,2026-12-02,released,false\n"
            "MO-2,GB,5,2026-12-03,2026-12-01,released,true\n"
        ),
        "sales_orders": (
            "sales_order,line,customer,project,item,qty,shipped_qty,due_date,priority\n"
            "SO-1,1,ACME,,FA,3,,2026-12-10,10\n"
            "SO-2,1,ACME,,BOLT,7,,2026-12-15,10\n"
            "SO-3,1,ACME,,FA,1,,2026-12-10,10\n"
        ),
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _rows(p: Projection) -> list[tuple[date, float, float, float]]:
    return [(r.day, r.receipts, r.requirements, r.projected) for r in p.rows]


def _events(p: Projection) -> list[tuple[date, float, str, str, int]]:
    return [(e.day, e.qty, e.kind, e.ref, e.others) for e in p.events]


def _planned_fa(session: Session, sales_order: str) -> str:
    return session.scalars(
        select(PlannedOrder.number)
        .join(SalesOrder, SalesOrder.id == PlannedOrder.sales_order_id)
        .where(SalesOrder.number == sales_order)
    ).one()


def test_every_kind_of_need_by_hand(session: Session, tmp_path: Path) -> None:
    replace_company(session, read_bundle(_write(tmp_path)), author="test")
    run_plan(session, author="test")
    session.commit()
    first, _ = sorted([_planned_fa(session, "SO-1"), _planned_fa(session, "SO-3")])
    p = projected_stock(session, "BOLT")
    assert p.on_hand == 100
    assert _rows(p) == ROWS
    assert _events(p) == [
        (date(2026, 12, 1), 50.0, "purchase_order", "PO-1/1", 0),
        (date(2026, 12, 2), -20.0, "component", "MO-1", 0),
        # the two planned parents of the day summed: the first named, the other counted
        (date(2026, 12, 8), -16.0, "planned_component", first, 1),
        (date(2026, 12, 15), -7.0, "sales_order", "SO-2/1", 0),
    ]
    assert p.rows[2].refs == [first]
    assert p.rows[2].more_refs == 1
    assert p.lowest == 107


def _pegging_reads(session: Session) -> list[str]:
    """The statements that read pegging rows, from now on (a listener on the engine)."""
    seen: list[str] = []

    def note(_conn: Connection, _cur: object, statement: str, *_args: object) -> None:
        if "FROM pegging" in statement:
            seen.append(statement)

    event.listen(session.get_bind().engine, "before_cursor_execute", note)
    return seen


def test_reused_needs_follow_a_firm(session: Session, tmp_path: Path) -> None:
    replace_company(session, read_bundle(_write(tmp_path)), author="test")
    run_plan(session, author="test")
    session.commit()
    of_so1, of_so3 = _planned_fa(session, "SO-1"), _planned_fa(session, "SO-3")
    before = projected_stock(session, "BOLT", reuse=True)
    session.commit()
    reads = _pegging_reads(session)
    again = projected_stock(session, "BOLT", reuse=True)
    session.commit()
    assert reads == []  # the plan is as it was: its parents' needs are not read again
    assert _events(again) == _events(before)
    assert _events(projected_stock(session, "BOLT")) == _events(before)
    session.commit()
    assert reads  # without reuse they are read

    [mo] = firm_productions(session, planned=[of_so1], author="test")
    session.commit()
    after = projected_stock(session, "BOLT", reuse=True)
    session.commit()
    assert _rows(after) == ROWS  # the same needs, on the same day
    day = [e for e in _events(after) if e[0] == date(2026, 12, 8)]
    assert sorted(day, key=lambda e: e[2]) == [
        (date(2026, 12, 8), -12.0, "component", mo, 0),
        (date(2026, 12, 8), -4.0, "planned_component", of_so3, 0),
    ]
    assert _events(projected_stock(session, "BOLT")) == _events(after)


def _on_the_day(p: Projection) -> list[tuple[date, float, str, str, int]]:
    """The release day's events (12-08), in kind order."""
    return sorted((e for e in _events(p) if e[0] == date(2026, 12, 8)), key=lambda e: e[2])


def _copy_kept(engine: Engine) -> Callable[[], None]:
    """Copy the whole database now; returns what puts the copy back under the same URL
    (a backup restored, a scenario made again from live) while this process runs on."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        kept = path.with_suffix(".kept")
        shutil.copy(path, kept)

        def put_back_file() -> None:
            engine.dispose()
            shutil.copy(kept, path)

        return put_back_file
    name = engine.url.database
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def run(*statements: str) -> None:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sql(statement))

    run(
        f'DROP DATABASE IF EXISTS "{name}_kept"',
        f'CREATE DATABASE "{name}_kept" TEMPLATE "{name}"',
    )

    def put_back_database() -> None:
        engine.dispose()
        run(
            f'DROP DATABASE "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{name}_kept"',
            f'DROP DATABASE "{name}_kept"',
        )
        admin.dispose()

    return put_back_database


def test_reused_needs_are_not_another_historys(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """The same run and release counts in two histories: SO-1's parent firmed in one,
    SO-3's (same type, same release day) in the other, the database put back between."""
    replace_company(session, read_bundle(_write(tmp_path)), author="test")
    run_plan(session, author="test")
    session.commit()
    of_so1, of_so3 = _planned_fa(session, "SO-1"), _planned_fa(session, "SO-3")
    session.close()
    put_back = _copy_kept(engine)
    firm_productions(session, planned=[of_so1], author="test")
    session.commit()
    projected_stock(session, "BOLT", reuse=True)  # kept: SO-3's parent still planned
    session.close()
    put_back()
    [mo] = firm_productions(session, planned=[of_so3], author="test")
    session.commit()
    reused = projected_stock(session, "BOLT", reuse=True)
    session.commit()
    assert _on_the_day(reused) == [
        (date(2026, 12, 8), -4.0, "component", mo, 0),
        (date(2026, 12, 8), -12.0, "planned_component", of_so1, 0),
    ]
    assert _events(reused) == _events(projected_stock(session, "BOLT"))


def test_a_reused_read_inside_a_firm_rolled_back_keeps_nothing(
    session: Session, tmp_path: Path
) -> None:
    """A firm checked and rolled back (its rows flushed before the read): the read does
    not keep its sums, and a firm of the other order then reads its own."""
    replace_company(session, read_bundle(_write(tmp_path)), author="test")
    run_plan(session, author="test")
    session.commit()
    of_so1, of_so3 = _planned_fa(session, "SO-1"), _planned_fa(session, "SO-3")
    firm_production_rows(session, planned_to_firm(session, ItemType.MAKE, [of_so1], None), "t")
    assert not (session.new or session.dirty or session.deleted)  # flushed: written all the same
    projected_stock(session, "BOLT", reuse=True)
    reads = _pegging_reads(session)
    projected_stock(session, "BOLT", reuse=True)
    assert reads  # nothing was kept of a state that may never be committed
    session.rollback()
    [mo] = firm_productions(session, planned=[of_so3], author="test")
    session.commit()
    reused = projected_stock(session, "BOLT", reuse=True)
    session.commit()
    assert _on_the_day(reused) == [
        (date(2026, 12, 8), -4.0, "component", mo, 0),
        (date(2026, 12, 8), -12.0, "planned_component", of_so1, 0),
    ]
    assert _events(reused) == _events(projected_stock(session, "BOLT"))
