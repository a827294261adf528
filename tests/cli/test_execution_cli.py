"""Execution from the command line, as a planner types it: firm the plan into purchase and
production orders, receive, release, issue, complete, ship, deliver, and plan again."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from _clock import DEMO_DAY, pin_today
from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.model import Item, StockBalance


class Invoke(Protocol):
    def __call__(self, *args: str, code: int | None = 0) -> str: ...


@pytest.fixture
def run(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    # Rich fixes the width when the console is made if COLUMNS is set then (pytest-xdist sets
    # it to 80); tables are checked cell by cell here, so give them the room they ask for.
    monkeypatch.setenv("COLUMNS", "250")  # rich reads it on each print

    def invoke(*args: str, code: int | None = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        if code is not None:
            assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def table_row(output: str, first: str, after: str = "") -> list[str]:
    """The cells of the first table row whose first cell is ``first`` (after the line
    containing ``after``, when given)."""
    lines = output.splitlines()
    if after:
        lines = lines[next(n for n, line in enumerate(lines) if after in line) :]
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


POSITION = (
    "on hand",
    "reserved",
    "free",
    "on order",
    "in transit",
    "in production",
    "sales demand",
    "safety stock",
)


def position(run: Invoke, item: str) -> dict[str, str]:
    """The figures of ``stock show``'s position table."""
    out = run("stock", "show", item)
    return {name: table_row(out, name, after="Position")[1] for name in POSITION}


def planned(run: Invoke, kind: str, item: str) -> list[str]:
    return [r["order"] for r in csv_rows(run("report", kind, "--csv")) if r["item"] == item]


LIGHTING = str(demo_path("lighting"))


@pin_today(DEMO_DAY)  # the default ship date is today, which the steps below must precede
def test_the_loop_from_plan_to_delivery_and_the_next_plan(run: Invoke) -> None:
    run("import", LIGHTING)
    out = run("stock", "show", "SUS-CAN-300")
    assert "no plan yet" in out
    assert table_row(out, "main") == ["main", "free", "4"]
    run("plan")
    assert "SO-1008/1" in run("report", "late")

    # Buy: the canopy SO-1001 and SO-1005 need before the end of the week.
    (canopy,) = planned(run, "buy", "SUS-CAN-300")
    out = run("po", "firm", "--until", "2026-11-30")
    assert "Purchase orders created (1)" in out
    (draft,) = csv_rows(run("po", "list", "--status", "draft", "--csv"))
    po = draft["purchase order"]
    # due Thursday 2026-12-10, when the canopy CAN-SO-1001-2 starts: 3 working days before
    # the pendant PC-SO-1001-2 starts (Tuesday the 15th, 4 working days before Monday the 21st)
    assert table_row(out, po)[1:5] == ["Kessler Metallbau", "1", "SUS-CAN-300", "2026-12-10"]
    assert f"{canopy} was firmed already as" in run("po", "firm", canopy, code=1)
    assert f"{po} is draft: cannot mark it in transit; confirm it first" in run(
        "po", "ship", po, "--arrival", "2026-11-27", code=1
    )
    assert f"{po} confirmed" in run("po", "confirm", po)
    out = run("po", "ship", po, "--ship-date", "2026-11-24", "--arrival", "2026-11-27")
    assert f"{po} line 1 in transit, arriving 2026-11-27" in out
    line = table_row(run("po", "show", po), "1")
    assert line[1:7] == ["SUS-CAN-300", "3", "0", "3", "2026-11-27", "in_transit"]
    assert position(run, "SUS-CAN-300")["in transit"] == "3"

    out = run("po", "receive", po, "1=2", "--location", "goods-in")
    assert table_row(out, "1")[1:] == ["SUS-CAN-300", "2", "2", "3", "in_transit"]
    assert f"{po} is confirmed" in out
    out = run("po", "receive", po)
    assert table_row(out, "1")[1:] == ["SUS-CAN-300", "1", "3", "3", "received"]
    assert f"{po} is closed" in out

    # Make: the late lobby change order SO-1008, its body first.
    body, fixture = planned(run, "make", "BODY-SO-1008-1"), planned(run, "make", "FX-SO-1008-1")
    assert len(body) == len(fixture) == 1
    out = run("mo", "firm", *fixture, *body)
    assert "Production orders created (2)" in out
    mos = {r["item"]: r for r in csv_rows(run("mo", "list", "--sales-order", "SO-1008", "--csv"))}
    assert {r["status"] for r in mos.values()} == {"planned"}
    mo_body = mos["BODY-SO-1008-1"]["production order"]
    mo_fx = mos["FX-SO-1008-1"]["production order"]
    assert table_row(out, mo_body)[1:] == [
        "BODY-SO-1008-1",
        "2",
        "2026-11-23",
        "2026-11-23",
        "SO-1008",
        mo_fx,
    ]

    out = run("mo", "show", mo_body)
    assert f"{mo_body} BODY-SO-1008-1 × 2 (planned)" in out
    assert f"for SO-1008; feeds {mo_fx}" in out
    # 2.4 m of profile per body, +3 % scrap, for two bodies.
    assert table_row(out, "EXT-AL-7040")[1:4] == ["4.944", "0", "4.944"]

    # The fixture is released first: everything is there but its body, which is short.
    out = run("mo", "release", mo_fx)
    assert f"{mo_fx} released" in out
    assert table_row(out, "BODY-SO-1008-1")[1:] == ["2", "0", "2", "0", "0", "2"]
    assert table_row(out, "SA-LEDMOD-2240")[1:] == ["2", "0", "2", "2", "4", ""]
    assert "short: BODY-SO-1008-1 2" in out

    run("mo", "release", mo_body)
    out = run("mo", "issue", mo_body)
    assert table_row(out, "EXT-AL-7040") == ["EXT-AL-7040", "4.944"]
    assert f"{mo_body}: 2 of 2 completed (done)" in run("mo", "complete", mo_body, "2")
    # The bodies went straight to the released fixture order.
    out = run("mo", "show", mo_fx)
    assert table_row(out, "BODY-SO-1008-1")[1:] == ["2", "0", "2", "2", "2", ""]
    assert "short:" not in out

    out = run("mo", "issue", mo_fx, "SA-LEDMOD-2240=1")
    assert table_row(out, "SA-LEDMOD-2240") == ["SA-LEDMOD-2240", "1"]
    assert f"{mo_fx}: 2 of 2 completed (done)" in run("mo", "complete", mo_fx, "2")
    out = run("mo", "show", mo_fx)
    assert f"{mo_fx} FX-SO-1008-1 × 2 (done)" in out
    for item in ("BODY-SO-1008-1", "SA-LEDMOD-2240", "DIF-OPAL-7040"):
        assert table_row(out, item)[3] == "0", item  # nothing outstanding: backflushed
    out = run("stock", "show", "FX-SO-1008-1")
    assert table_row(out, "main") == ["main", "SO-1008", "2"]
    assert position(run, "FX-SO-1008-1")["sales demand"] == "2"

    # Ship and deliver.
    out = run("ship", "line", "SO-1008/1", "2", "--date", "2026-11-24", "--tracking", "DHL123")
    assert "2 of SO-1008/1 shipped" in out
    shipment = out.split(":")[0].strip()
    (row,) = csv_rows(run("ship", "list", "--sales-order", "SO-1008", "--csv"))
    assert row == {
        "shipment": shipment,
        "line": "SO-1008/1",
        "item": "FX-SO-1008-1",
        "qty": "2.0",
        "status": "in_transit",
        "shipped": "2026-11-24",
        "delivered": "",
        "tracking": "DHL123",
    }
    assert f"{shipment} delivered" in run("ship", "deliver", shipment, "--date", "2026-11-26")
    assert f"{shipment} is delivered already" in run("ship", "deliver", shipment, code=1)
    assert table_row(run("ship", "list", "--status", "delivered"), shipment)[4:7] == [
        "delivered",
        "2026-11-24",
        "2026-11-26",
    ]

    # The next plan sees all of it.
    run("plan")
    assert "SO-1008/1" not in run("report", "late")
    assert planned(run, "make", "FX-SO-1008-1") == []
    assert planned(run, "make", "BODY-SO-1008-1") == []
    assert planned(run, "buy", "SUS-CAN-300") == []

    fx = position(run, "FX-SO-1008-1")
    assert (fx["on hand"], fx["in production"], fx["sales demand"]) == ("0", "0", "0")
    out = run("stock", "show", "FX-SO-1008-1")
    assert "Stock by location: none in stock" in out
    assert "nothing is planned to come in or go out of FX-SO-1008-1" in out
    moves = csv_rows(run("stock", "moves", "FX-SO-1008-1", "--csv"))
    assert [(m["kind"], m["qty"], m["reference"]) for m in moves] == [
        ("shipment", "-2.0", shipment),
        ("completion", "2.0", mo_fx),
    ]

    canopy = position(run, "SUS-CAN-300")
    assert (canopy["on hand"], canopy["on order"], canopy["in transit"]) == ("7", "0", "0")
    out = run("stock", "show", "SUS-CAN-300")
    assert table_row(out, "goods-in") == ["goods-in", "free", "2"]
    assert table_row(out, "main") == ["main", "free", "5"]
    assert "Projected stock of SUS-CAN-300 (plan run 2, from 2026-11-23)" in out
    assert po not in out
    assert "SUS-CAN-300: projected stock" in out  # the chart
    assert "on hand" in out and "█" in out

    assert "stock ledger and balances agree" in run("stock", "check")


def test_stock_show_draws_the_projection(run: Invoke) -> None:
    run("import", LIGHTING)
    run("plan")
    out = run("stock", "show", "LED-BRD-24V-560")
    assert position(run, "LED-BRD-24V-560") == {
        "on hand": "140",
        "reserved": "0",
        "free": "140",
        "on order": "100",
        "in transit": "0",
        "in production": "0",
        "sales demand": "0",
        "safety stock": "60",
    }
    rows = [
        cells
        for line in out.split("Projected stock of")[1].splitlines()
        if len(cells := [c.strip() for c in line.strip().strip("│").split("│")]) == 5
        and cells[0][:2] == "20"
    ]
    assert rows, out
    assert "-0" not in [cell for cells in rows for cell in cells]
    chart = out.split("LED-BRD-24V-560: projected stock (┆ safety stock 60)")[1].splitlines()
    bars = {line.split()[0]: line for line in chart if "│" in line}
    # One bar per date, and the longest bar is the highest projected stock.
    assert [d for d in bars if d != "on"] == [r[0] for r in rows]
    highest = max(rows, key=lambda r: float(r[3]))
    assert bars[highest[0]].count("█") == max(b.count("█") for b in bars.values())


def test_manual_stock_moves(run: Invoke, engine: Engine) -> None:
    run("import", LIGHTING)
    assert "CAP-7040-W at main: 55 now" in run(
        "stock", "adjust", "CAP-7040-W", "-5", "--reason", "count"
    )
    assert "a reason is required" in run(
        "stock", "adjust", "CAP-7040-W", "1", "--reason", " ", code=1
    )
    # locations are master data: the van is refused until an admin adds it
    assert "unknown location 'van'" in run(
        "stock", "transfer", "CAP-7040-W", "10", "--from", "main", "--to", "van", code=1
    )
    run("location", "add", "van")
    assert "moved 10 CAP-7040-W from main to van" in run(
        "stock", "transfer", "CAP-7040-W", "10", "--from", "main", "--to", "van"
    )
    assert "reserved 4 CAP-7040-W for SO-1001" in run(
        "stock", "reserve", "CAP-7040-W", "4", "--sales-order", "SO-1001"
    )
    out = run("stock", "show", "CAP-7040-W")
    assert table_row(out, "van") == ["van", "free", "10"]
    assert ["main", "SO-1001", "4"] in [
        table_row(out, "main", after=line) for line in out.splitlines() if "main" in line
    ]
    assert "released 4 CAP-7040-W from SO-1001" in run(
        "stock", "unreserve", "CAP-7040-W", "--sales-order", "SO-1001"
    )
    assert "SO-1001 holds 0 of CAP-7040-W; cannot release 1" in run(
        "stock", "unreserve", "CAP-7040-W", "--sales-order", "SO-1001", "--qty", "1", code=1
    )
    kinds = [m["kind"] for m in csv_rows(run("stock", "moves", "CAP-7040-W", "--csv"))]
    assert kinds[:3] == ["release", "release", "reservation"]
    assert "stock ledger and balances agree" in run("stock", "check")

    # A balance that no longer matches its ledger rows is found and named.
    with engine.begin() as conn:
        item_id = conn.scalar(select(Item.id).where(Item.code == "CAP-7040-W"))
        conn.execute(
            update(StockBalance)
            .where(StockBalance.item_id == item_id, StockBalance.location == "van")
            .values(qty=11)
        )
    out = run("stock", "check", code=1)
    assert table_row(out, "CAP-7040-W")[:2] == ["CAP-7040-W", "van"]
    assert table_row(out, "CAP-7040-W")[-2:] == ["10", "11"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("po", "receive", "PO-31015", "1=abc"), "line 1 qty must be a number, not 'abc'"),
        (("po", "receive", "PO-31015", "one=2"), "line must be a whole number, not 'one'"),
        (("po", "receive", "PO-31015", "1"), "quantities are LINE=QTY, not '1'"),
        (
            ("po", "ship", "PO-31015", "--arrival", "soon"),
            "'--arrival' must be a date in the form YYYY-MM-DD, not 'soon'",
        ),
        (("po", "new", "--supplier", "X", "CAP-7040-W:lots:2026-12-01"), "must be a number"),
        (("po", "new", "--supplier", "X", "CAP-7040-W:5"), "a line is ITEM:QTY:DUE"),
        (("mo", "complete", "MO-2201", "abc"), "'qty' must be a number, not 'abc'"),
        (("ship", "line", "SO-1008/1", "two"), "'qty' must be a number, not 'two'"),
        (("ship", "line", "SO-1008", "1"), "name the line as SALES-ORDER/LINE"),
        (("ship", "line", "SO-1008/x", "1"), "line must be a whole number, not 'x'"),
        (
            ("ship", "line", "SO-1008/1", "1", "--date", "tomorrow"),
            "'--date' must be a date in the form YYYY-MM-DD, not 'tomorrow'",
        ),
        (("stock", "adjust", "CAP-7040-W", "abc", "--reason", "r"), "'qty' must be a number"),
    ],
)
def test_malformed_input_exits_2_with_a_clear_error(
    run: Invoke, args: tuple[str, ...], message: str
) -> None:
    """Input the command cannot read is a usage error: one line, exit code 2."""
    run("import", LIGHTING)
    out = run(*args, code=2)
    assert out.startswith("error: ") and len(out.strip().splitlines()) == 1, out
    assert message in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("po", "receive", "PO-31015", "1=-3"), "PO-31015/1 qty must be greater than 0"),
        (
            ("po", "receive", "PO-31015", "1=40"),
            "makes 40 of 20 ordered, over the 5% tolerance (at most 21 more)",
        ),
        (("po", "receive", "PO-31015", "2=1"), "PO-31015 has no line 2"),
        (("po", "receive", "PO-9999"), "no purchase order 'PO-9999'"),
        (("po", "show", "PO-9999"), "no purchase order 'PO-9999'"),
        (
            ("po", "ship", "PO-31015", "--ship-date", "2026-12-01", "--arrival", "2026-11-30"),
            "arrival 2026-11-30 is before the ship date 2026-12-01",
        ),
        (("po", "list", "--status", "open"), "unknown status 'open'"),
        (("po", "firm", "PL-000001"), "there is no plan yet: run `pegboard plan` first"),
        (("mo", "complete", "MO-2201", "50"), "at most 20 more can be completed, not 50"),
        (("mo", "issue", "MO-2201", "GHOST=1"), "GHOST is not a component of MO-2201"),
        (("mo", "scrap", "MO-2201", "1", "--reason", " "), "scrap needs a reason"),
        (("mo", "release", "MO-2201"), "MO-2201 is released: cannot release it"),
        (("mo", "show", "MO-9"), "no production order 'MO-9'"),
        (("ship", "line", "SO-1008/1", "5"), "SO-1008/1: 2 ordered, 0 shipped; cannot ship 5"),
        (("ship", "deliver", "SH-000009"), "no shipment 'SH-000009'"),
        (("stock", "adjust", "CAP-7040-W", "0", "--reason", "r"), "qty must not be 0"),
        (("stock", "reserve", "CAP-7040-W", "1e6", "--sales-order", "SO-1001"), "not enough"),
        (("stock", "show", "GHOST"), "no item 'GHOST'"),
    ],
)
def test_bad_input_is_a_clear_error(run: Invoke, args: tuple[str, ...], message: str) -> None:
    run("import", LIGHTING)
    out = run(*args, code=1)
    assert out.startswith("error: "), out
    assert message in out


def test_a_cancelled_purchase_order_receives_nothing(run: Invoke) -> None:
    run("import", LIGHTING)
    po = run(
        "po",
        "new",
        "--supplier",
        "Polymer Parts Ltd",
        "CAP-7040-W:50:2026-12-10",
        "CAP-5035-W:25:2026-12-12:SO-1001",
    ).strip()
    out = run("po", "show", po)
    assert f"{po} Polymer Parts Ltd (draft)" in out
    assert table_row(out, "2")[1:] == [
        "CAP-5035-W",
        "25",
        "0",
        "25",
        "2026-12-12",
        "open",
        "SO-1001",
    ]
    assert f"{po}: cancelled line 2; the order is draft" in run("po", "cancel", po, "--line", "2")
    assert f"{po}: cancelled line 1; the order is cancelled" in run("po", "cancel", po)
    out = run("po", "receive", po, code=1)
    assert f"error: {po} is cancelled: cannot receive goods" in out
    assert f"{po} is cancelled: cannot cancel lines" in run("po", "cancel", po, code=1)
    assert table_row(run("po", "list", "--status", "cancelled"), po)[2] == "cancelled"


def test_scrap_close_and_cancel_production(run: Invoke) -> None:
    run("import", LIGHTING)
    run("plan")
    out = run("mo", "firm", "--until", "2026-11-30")
    assert "Production orders created (6)" in out
    mos = {
        r["item"]: r["production order"]
        for r in csv_rows(run("mo", "list", "--status", "planned", "--csv"))
    }
    head = mos["SA-PND-HEAD-120"]
    assert f"{head} released" in run("mo", "release", head)
    out = run("mo", "scrap", head, "1", "--reason", "cracked shade")
    assert f"{head}: 0 of 17 completed, 1 scrapped (in_progress)" in out
    assert f"{head} is in_progress: cannot cancel it" in run("mo", "cancel", head, code=1)
    assert f"{head} closed" in run("mo", "close", head)
    assert f"{head} is closed: cannot report completion" in run("mo", "complete", head, "1", code=1)
    canopy = mos["CAN-SO-1005-1"]
    assert f"{canopy} cancelled" in run("mo", "cancel", canopy)
    statuses = {r["production order"]: r["status"] for r in csv_rows(run("mo", "list", "--csv"))}
    assert (statuses[head], statuses[canopy]) == ("closed", "cancelled")
    assert "stock ledger and balances agree" in run("stock", "check")


def test_every_command_has_help(run: Invoke) -> None:
    for group, commands in {
        "po": ("firm", "new", "list", "show", "confirm", "ship", "receive", "cancel"),
        "mo": ("firm", "list", "show", "release", "issue", "complete", "scrap", "close", "cancel"),
        "ship": ("line", "deliver", "list"),
        "stock": ("show", "adjust", "transfer", "reserve", "unreserve", "moves", "check"),
    }.items():
        listing = run(group, "--help")
        for command in commands:
            assert command in listing, (group, command)
            out = run(group, command, "--help")
            assert f" {group} {command} [OPTIONS]" in out
            assert "Traceback" not in out


def test_csv_lists_are_plain_csv(run: Invoke, tmp_path: Path) -> None:
    run("import", LIGHTING)
    rows = csv_rows(run("po", "list", "--csv"))
    assert {r["purchase order"] for r in rows} >= {"PO-31012", "PO-31024"}
    assert next(r for r in rows if r["purchase order"] == "PO-31012")["open lines"] == "2"
    rows = csv_rows(run("mo", "list", "--status", "released", "--csv"))
    assert [r["production order"] for r in rows] == ["MO-2201", "MO-2202"]
    assert run("ship", "list", "--csv").strip() == (
        "shipment,line,item,qty,status,shipped,delivered,tracking"
    )
