"""import -> export -> import reproduces the data exactly, on both databases.

The property test draws a small valid dataset, writes it as CSV the way a
person might (columns shuffled, defaults left blank, numbers spelled in
different ways), and checks that the reader reads exactly that dataset, that
the database gives it back, and that a second round gives the same bytes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from _bundles import csv_text, read_files, write_bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle import schema
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.schema import Column, FileSpec, Kind
from pegboard.bundle.writer import write_dataset
from pegboard.services.calendar import DAY_NAMES
from pegboard.services.capacity import format_weekday_hours
from pegboard.services.company_data import read_company, replace_company
from pegboard.services.dataset import (
    BomRow,
    ClosedDayRow,
    Dataset,
    HolidayRow,
    ItemRow,
    LocationRow,
    MpsRow,
    ProductionRow,
    PurchaseRow,
    RoutingRow,
    SalesRow,
    StockRow,
    WorkCenterRow,
    default_decimals,
)

ROW_TYPES: dict[str, type[Any]] = {
    "holidays": HolidayRow,
    "items": ItemRow,
    "bom": BomRow,
    "locations": LocationRow,
    "stock": StockRow,
    "purchase_orders": PurchaseRow,
    "production_orders": ProductionRow,
    "sales_orders": SalesRow,
    "work_centers": WorkCenterRow,
    "work_center_closed_days": ClosedDayRow,
    "routings": RoutingRow,
    "mps": MpsRow,
}


def test_row_types_follow_the_schema() -> None:
    """The generator below relies on rows and file columns sharing one order."""
    for spec in schema.INPUT_FILES:
        if spec.name in ROW_TYPES:
            assert ROW_TYPES[spec.name]._fields == tuple(c.name for c in spec.columns)


# --- strategies ---------------------------------------------------------------------------

# Free text: any printable character, plus the ones CSV must quote. Cells are
# stripped on reading, so generated text is stripped too.
_FREE = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    st.sampled_from([",", '"', "'", "\n", ";", "é", "ß", "—", "€", "😀", "中"]),
)
texts = st.text(_FREE, max_size=12).map(str.strip)
# Ids: short, with the separators real numbering uses; the same few often, so that
# item, order and BOM numbers built from them may coincide.
ids = st.one_of(
    st.sampled_from(["A", "B", "A-B", "B-A", "1", "A-1"]),
    st.text("AB1-_ .é", min_size=1, max_size=4).map(str.strip).filter(bool),
)


def readable(q: float) -> bool:
    """0 or at least a billionth: smaller is refused (bundle/parse.py MIN_QTY)."""
    return q == 0 or q >= 1e-9


qtys = st.one_of(
    st.integers(0, 10**6).map(float),
    st.sampled_from([0.1, 0.25, 1e-7, 1 / 3, 2.5e-9, 123456.789]),
    st.floats(0, 1e12, allow_nan=False, allow_infinity=False).filter(readable),
)
positive_qtys = qtys.filter(lambda q: q > 0)
unit_costs = st.decimals(0, 10**6, places=4, allow_nan=False, allow_infinity=False)
"""Unit costs are exact, at most 4 decimals (#16)."""
dates = st.dates(date(2024, 1, 1), date(2030, 12, 31))


class Drawn(NamedTuple):
    data: Dataset
    files: dict[str, str]


@st.composite
def items_of(draw: st.DrawFn) -> list[ItemRow]:
    codes = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    rows = []
    for code in codes:
        uom = draw(st.sampled_from(["ea", "kg", "m", "pcs", "m²"]))
        decimals = draw(st.none() | st.integers(0, 6))
        # v2: lot figures may not have more decimal places than the item's decimals
        places = default_decimals(uom) if decimals is None else decimals
        lots = st.integers(1, 10**6).map(lambda k, p=places: k / 10**p)
        lot_rule = draw(st.sampled_from(["lfl", "foq", "poq"]))
        lot_qty = draw(lots if lot_rule == "foq" else st.none() | lots)
        period = draw(st.integers(1, 60) if lot_rule == "poq" else st.none() | st.integers(1, 60))
        type_ = draw(st.sampled_from(["make", "buy"]))
        rows.append(
            ItemRow(
                item=code,
                description=draw(texts),
                type=type_,
                strategy=draw(st.sampled_from(["mts", "mto"])),
                uom=uom,
                lead_time_days=draw(st.integers(0, 400)),
                lot_rule=lot_rule,
                lot_qty=lot_qty,
                period_days=period,
                min_qty=draw(qtys),
                multiple=draw(st.just(0.0) | lots),
                safety_stock=draw(qtys),
                unit_cost=draw(unit_costs),
                supplier=draw(texts),
                decimals=decimals,
                mps=type_ == "make" and draw(st.booleans()),
            )
        )
    return rows


@st.composite
def sales_of(draw: st.DrawFn, items: list[ItemRow]) -> list[SalesRow]:
    orders = draw(st.lists(ids, max_size=4, unique=True))
    rows = []
    for order in orders:
        customer = draw(ids)
        project = draw(st.just("") | ids)
        for line in draw(st.lists(st.integers(1, 999), min_size=1, max_size=3, unique=True)):
            qty = draw(positive_qtys)
            rows.append(
                SalesRow(
                    sales_order=order,
                    line=line,
                    customer=customer,
                    project=project,
                    item=draw(st.sampled_from(items)).item,
                    qty=qty,
                    shipped_qty=draw(
                        st.sampled_from([0.0, qty]) | st.floats(0, qty).filter(readable)
                    ),
                    due_date=draw(dates),
                    priority=draw(st.integers(-10, 1000)),
                )
            )
    return rows


@st.composite
def bom_of(draw: st.DrawFn, items: list[ItemRow], orders: list[str]) -> list[BomRow]:
    """Acyclic: a parent only uses items drawn later in ``items``."""
    pairs = [
        (p.item, c.item) for i, p in enumerate(items) if p.type == "make" for c in items[i + 1 :]
    ]
    if not pairs:
        return []
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        parent, component = draw(st.sampled_from(pairs))
        rows.append(
            BomRow(
                parent,
                component,
                draw(positive_qtys),
                draw(qtys),
                draw(st.just("") | st.sampled_from(orders)) if orders else "",
            )
        )
    return rows


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    items = draw(items_of())
    sales = draw(sales_of(items))
    orders = sorted({s.sales_order for s in sales})
    pegged = st.just("") | st.sampled_from(orders) if orders else st.just("")
    made = [i.item for i in items if i.type == "make"]
    data = Dataset(items=items, sales=sales, bom=draw(bom_of(items, orders)))

    stock_keys = draw(
        st.lists(
            st.tuples(st.sampled_from(items).map(lambda i: i.item), st.just("main") | ids, pegged),
            max_size=5,
            unique=True,
        )
    )
    data.stock = [StockRow(item, draw(qtys), loc, so) for item, loc, so in stock_keys]
    if draw(st.booleans()):  # locations.csv: the ones stock uses (main may go unsaid), and more
        used = {loc for _, loc, _ in stock_keys} - {"main"} if draw(st.booleans()) else set()
        codes = sorted(used | set(draw(st.lists(ids, max_size=3))))
        data.locations = [LocationRow(code, draw(texts)) for code in codes]
        if not used:
            data.stock = [s._replace(location="main") for s in data.stock]
            data.stock = list({(s.item, s.sales_order): s for s in data.stock}.values())

    po_keys = draw(st.lists(st.tuples(ids, st.integers(1, 99)), max_size=5, unique=True))
    data.purchases = [
        PurchaseRow(
            po,
            line,
            draw(st.sampled_from(items)).item,
            draw(positive_qtys),
            draw(dates),
            draw(st.sampled_from(["open", "in_transit"])),
            draw(pegged),
            draw(texts),
        )
        for po, line in po_keys
    ]

    if made:
        for number in draw(st.lists(ids, max_size=4, unique=True)):
            due = draw(dates)
            lead = draw(st.none() | st.integers(0, 30))
            start = None if lead is None else due - timedelta(lead)
            data.productions.append(
                ProductionRow(
                    number,
                    draw(st.sampled_from(made)),
                    draw(positive_qtys),
                    due,
                    start,
                    draw(st.sampled_from(["planned", "released", "in_progress"])),
                    draw(st.booleans()),
                    draw(pegged),
                )
            )

    data.settings = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "planning_date": dates.map(date.isoformat),
                "horizon_days": st.integers(0, 3650).map(str),
                "reschedule_in_days": st.integers(0, 60).map(str),
                "defer_days": st.integers(0, 60).map(str),
                "work_days": st.sets(st.sampled_from(DAY_NAMES), min_size=1).map(
                    lambda days: ",".join(d for d in DAY_NAMES if d in days)
                ),
            },
        )
    )
    data.holidays = [
        HolidayRow(day, draw(texts)) for day in draw(st.lists(dates, max_size=3, unique=True))
    ]
    _capacity(draw, data, made)
    _schedule(draw, data)
    return data


def _schedule(draw: st.DrawFn, data: Dataset) -> None:
    """mps.csv (#17): lines of the items flagged mps, at most one a week each, to the
    item's decimals."""
    for item in (i for i in data.items if i.mps):
        places = default_decimals(item.uom) if item.decimals is None else item.decimals
        weeks = {}
        for day in draw(st.lists(dates, max_size=3)):
            weeks.setdefault(day.isocalendar()[:2], day)
        for day in weeks.values():
            qty = draw(st.integers(1, 10**6).map(lambda k, p=places: k / 10**p))
            data.mps.append(MpsRow(item.item, day, qty))


centers = st.text("AB1-_.", min_size=1, max_size=4).filter(lambda c: c[0].isalnum())
hours = st.one_of(st.integers(0, 24).map(float), st.sampled_from([7.5, 0.25, 1 / 3, 23.99]))
op_hours = st.one_of(st.integers(0, 10_000).map(float), st.sampled_from([0.1, 1 / 7, 1e-9]))


def _capacity(draw: st.DrawFn, data: Dataset, made: list[str]) -> None:
    """Work centers (hours a day or per weekday), closed days, and operations of make items:
    the item's, or an order's where bom.csv holds that order's BOM of the item."""
    codes = draw(st.lists(centers, max_size=3, unique=True))
    for code in codes:
        week = draw(st.none() | st.lists(hours, min_size=7, max_size=7).filter(any))
        per_day = draw(hours.filter(bool)) if week is None else max(week)
        data.work_centers.append(
            WorkCenterRow(
                code,
                draw(texts).replace("\n", " ").replace("\r", " ").strip(),
                per_day,
                "" if week is None else format_weekday_hours(week),
                draw(st.integers(1, 1000)),
                draw(st.sampled_from([100.0, 85.0, 0.5, 500.0, 112.5])),
                draw(st.integers(0, 10**8).map(lambda c: Decimal(c).scaleb(-2))),
            )
        )
    if not codes:
        return
    for code, day in draw(
        st.lists(st.tuples(st.sampled_from(codes), dates), max_size=3, unique=True)
    ):
        data.closed_days.append(ClosedDayRow(code, day, draw(texts).replace("\n", "").strip()))
    order_boms = sorted({(b.parent, b.sales_order) for b in data.bom if b.sales_order})
    owners = [(item, "") for item in made] + order_boms
    if not owners:
        return
    for item, order in draw(st.lists(st.sampled_from(owners), max_size=3, unique=True)):
        for sequence in draw(
            st.lists(st.integers(1, 100_000), min_size=1, max_size=3, unique=True)
        ):
            data.routings.append(
                RoutingRow(
                    item,
                    order,
                    sequence,
                    draw(st.sampled_from(codes)),
                    draw(op_hours),
                    draw(op_hours),
                    draw(st.integers(0, 365)),
                    draw(st.integers(0, 365)),
                    draw(texts).replace("\n", "").strip(),
                )
            )


def _spellings(column: Column, value: object) -> st.SearchStrategy[str]:
    """The ways a person may write ``value`` in a cell of ``column``."""
    if isinstance(value, bool):
        words = ["true", "TRUE", "yes", "1", "y"] if value else ["false", "No", "0", "n"]
        return st.sampled_from(words)
    if isinstance(value, float):
        forms = [repr(value), f"{value:.17g}", f"{value:.16e}"]
        if value.is_integer():
            forms.append(str(int(value)))
        return st.sampled_from(forms)
    if isinstance(value, int):
        return st.sampled_from([str(value), f" {value} ", f"{value:03d}"])
    if isinstance(value, date):
        return st.just(value.isoformat())
    if isinstance(value, Decimal):
        short = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
        return st.sampled_from([str(value), short, f"{value:.4f}"])
    assert isinstance(value, str)
    if column.kind is Kind.CHOICE:
        return st.sampled_from([value, value.upper(), value.title()])
    return st.just(value)


def _parsed_default(column: Column) -> object:
    if not column.default:
        return "" if column.kind is Kind.TEXT else None
    parse: dict[Kind, Callable[[str], object]] = {
        Kind.TEXT: str,
        Kind.CHOICE: str,
        Kind.INT: int,
        Kind.QTY: float,
        Kind.BOOL: lambda t: t == "true",
        Kind.MONEY: Decimal,
        Kind.UNIT_PRICE: Decimal,
    }
    return parse[column.kind](column.default)


@st.composite
def render(draw: st.DrawFn, spec: FileSpec, rows: list[tuple[Any, ...]]) -> str:
    """CSV text for ``rows``: shuffled columns, defaults sometimes blank or left out."""
    columns = list(spec.columns)
    keep = []
    for i, column in enumerate(columns):
        all_default = all(r[i] == _parsed_default(column) for r in rows)
        if column.required or not all_default or draw(st.booleans()):
            keep.append(i)
    keep = draw(st.permutations(keep))
    table = []
    for row in rows:
        cells = []
        for i in keep:
            value, column = row[i], columns[i]
            if value is None or (
                not column.required and value == _parsed_default(column) and draw(st.booleans())
            ):
                cells.append("")
            else:
                cells.append(draw(_spellings(column, value)))
        table.append(cells)
    return csv_text([columns[i].name for i in keep], table)


@st.composite
def bundles(draw: st.DrawFn) -> Drawn:
    data = draw(datasets())
    tables: dict[str, list[tuple[Any, ...]]] = {
        "holidays": data.holidays,
        "items": data.items,
        "bom": data.bom,
        "locations": data.locations,
        "stock": data.stock,
        "purchase_orders": data.purchases,
        "production_orders": data.productions,
        "sales_orders": data.sales,
        "work_centers": data.work_centers,
        "work_center_closed_days": data.closed_days,
        "routings": data.routings,
        "mps": data.mps,
    }
    files = {}
    for spec in schema.INPUT_FILES:
        if spec.name == "settings":
            rows: list[tuple[Any, ...]] = list(data.settings.items())
        else:
            rows = tables[spec.name]
        if spec.name == "locations" and not rows:
            continue  # an empty locations.csv would leave only main known
        if rows or spec.required_file or draw(st.booleans()):
            files[spec.name] = draw(render(spec, rows))
    return Drawn(data, files)


# --- the round trip -----------------------------------------------------------------------


def roundtrip(engine: Engine, folder: Path) -> tuple[list[Dataset], list[dict[str, bytes]]]:
    """import -> export -> import -> export; the datasets seen and the bytes exported."""
    seen: list[Dataset] = []
    exported: list[dict[str, bytes]] = []
    source = folder
    for n in (1, 2):
        data = read_bundle(source)
        seen.append(data.canonical())
        with db.session_scope(engine) as session:
            replace_company(session, data, author="roundtrip")
        with db.session_scope(engine) as session, session.begin():
            back = read_company(session)
        seen.append(back.canonical())
        source = folder / f"export{n}"
        write_dataset(back, source)
        exported.append(read_files(source))
    return seen, exported


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=bundles())
def test_import_export_import_is_exact(engine: Engine, tmp_path: Path, drawn: Drawn) -> None:
    folder = write_bundle(Path(tempfile.mkdtemp(dir=tmp_path)), drawn.files)
    seen, exported = roundtrip(engine, folder)
    expected = drawn.data.canonical()
    for i, data in enumerate(seen):
        assert data == expected, f"dataset {i} differs"
    assert exported[0] == exported[1]
    assert set(exported[0]) == {spec.filename for spec in schema.INPUT_FILES}


# --- awkward values, spelled out ----------------------------------------------------------

AWKWARD = {
    "settings": "key,value\nplanning_date,2026-01-05\n",
    "items": (
        "item,description,type,lot_rule,lot_qty,min_qty,multiple,unit_cost,supplier,decimals\n"
        'GEAR-1,"Zahnrad, gehärtet — 12 Zähne ⚙",make,foq,0.1,1e-7,0.25,1234567.891,'
        '"Müller ""&"" Söhne",2\n'
        'NUT,"6"" nut, ""metric""",buy,,,,,0.1,,\n'
        "BOLT,,,,,,,,,\n"
        'ÉCROU,"日本語の説明",buy,lfl,,0.000001,,3.0E2,"Línea\nzwei",\n'
    ),
    "bom": (
        "parent,component,qty_per,scrap_pct,sales_order\n"
        "GEAR-1,NUT,0.1,,\n"
        "GEAR-1,BOLT,1e-7,2.5,\n"
        "GEAR-1,ÉCROU,3,,SO-1\n"
    ),
    "stock": 'item,qty,location,sales_order\nNUT,0.1,"Hall 2, shelf ""B""",\nBOLT,0,,SO-1\n',
    "purchase_orders": (
        "purchase_order,line,item,qty,due_date,status,sales_order,supplier\n"
        "PO-1,,NUT,0.3,2026-02-01,,,\n"
        'PO-1,2,BOLT,1e-7,2026-02-02,in_transit,SO-1,"A, B & Co"\n'
    ),
    "production_orders": (
        "production_order,item,qty,due_date,start_date,status,components_issued,sales_order\n"
        "MO-1,GEAR-1,0.1,2026-03-01,,,,\n"
    ),
    "sales_orders": (
        "sales_order,line,customer,project,item,qty,shipped_qty,due_date,priority\n"
        'SO-1,,"Kunde, GmbH",Projekt „Nord“,GEAR-1,0.3,0.1,2026-04-01,\n'
    ),
}


def test_awkward_values_round_trip(engine: Engine, tmp_path: Path) -> None:
    seen, exported = roundtrip(engine, write_bundle(tmp_path, AWKWARD))
    assert all(data == seen[0] for data in seen)
    assert exported[0] == exported[1]

    data = seen[0]
    items = {i.item: i for i in data.items}
    assert items["GEAR-1"].description == "Zahnrad, gehärtet — 12 Zähne ⚙"
    assert items["GEAR-1"].supplier == 'Müller "&" Söhne'
    assert (items["GEAR-1"].lot_qty, items["GEAR-1"].min_qty) == (0.1, 1e-7)
    assert items["NUT"].description == '6" nut, "metric"'
    assert items["ÉCROU"].supplier == "Línea\nzwei"
    assert items["ÉCROU"].unit_cost == 300.0
    assert items["BOLT"] == ItemRow(
        "BOLT", "", "buy", "mts", "ea", 0, "lfl", None, None, 0.0, 0.0, 0.0, 0.0, "", 0
    )  # decimals: the default for pieces, written out on export
    assert data.stock[0] == StockRow("BOLT", 0.0, "main", "SO-1")
    assert data.stock[1].location == 'Hall 2, shelf "B"'
    assert data.purchases[0].line == 1 and data.purchases[0].qty == 0.3
    assert data.sales == [
        SalesRow(
            "SO-1", 1, "Kunde, GmbH", "Projekt „Nord“", "GEAR-1", 0.3, 0.1, date(2026, 4, 1), 100
        )
    ]
    assert data.productions[0].start_date is None
    assert data.productions[0].components_issued is False

    # The export writes the shortest exact form of each number, quotes where CSV must.
    items_csv = exported[0]["items.csv"].decode("utf-8")
    assert 'GEAR-1,"Zahnrad, gehärtet — 12 Zähne ⚙",make,mts,ea,0,foq,0.1,,1e-07,0.25,' in (
        items_csv
    )
    assert '"6"" nut, ""metric"""' in items_csv
    assert "\n" + "BOLT,,buy,mts,ea,0,lfl,,,0,0,0,0,,0,false\n" in items_csv
    bom_csv = exported[0]["bom.csv"].decode("utf-8")
    assert "GEAR-1,BOLT,1e-07,2.5,\n" in bom_csv
    assert exported[0]["settings.csv"] == b"key,value\nplanning_date,2026-01-05\n"


def test_the_largest_stock_at_the_largest_unit_cost_is_valued(
    engine: Engine, tmp_path: Path
) -> None:
    """Opening stock is valued at qty × unit cost: the ledger's value column holds the
    product of the largest quantity and unit cost the bundle allows (PostgreSQL refused
    10^5 × 10^9 with NUMERIC(20, 6); found by the round-trip property above)."""
    bundle = write_bundle(
        tmp_path,
        {
            "settings": "key,value\nplanning_date,2026-01-05\n",
            "items": "item,type,unit_cost\nGOLD,buy,1000000000\n",
            "stock": "item,qty\nGOLD,999999999999.5\n",
        },
    )
    seen, exported = roundtrip(engine, bundle)
    assert exported[0] == exported[1]
    assert seen[0].stock[0].qty == 999999999999.5
