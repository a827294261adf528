"""No surface tells a person a fractional quantity of an item counted in pieces (issue #13,
item 4; planning rule 7).

The plan keeps dependent demand and the share of a pooled planned order traced to each
sales order unrounded (2.2 drivers, 29.4 of a lot of 65): that is what the engine
computes and what the plan export writes. What a planner or a salesperson reads — the
shortage message, what to buy or make, what a promise requires — is rounded up to the
item's decimals. These tests run each sample company through ``pegboard demo`` and read
every command and API answer that lists quantities of items, and a promise whose
components need half pieces, and fail on any fractional quantity of a ``decimals = 0``
item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.api import create_app
from pegboard.cli import app
from pegboard.demo import DEMOS
from pegboard.model import Customer as CustomerRow
from pegboard.model import Item, Project, Role, SalesOrder
from pegboard.services import users
from pegboard.services.company_data import replace_company
from pegboard.services.dataset import BomRow, Dataset, ItemRow
from pegboard.services.planning import run_plan

FRACTION = r"-?\d[\d,]*\.\d+"
NUMBER_CELL = re.compile(rf"^{FRACTION}$")
TOLD = re.compile(rf"({FRACTION}) to (?:buy|make)|needs ({FRACTION})")
TREE = re.compile(rf"(?:^|[\s─])([A-Z0-9][\w.\-/]*) ({FRACTION}) ←")
API_TEXT = re.compile(rf"({FRACTION}) to (?:buy|make)")
WORDS = re.compile(r"[A-Z0-9][\w.\-/]*")
RATIOS = {"qty_per", "scrap_pct", "configuration", "params"}
"""Not quantities of the item: a BOM line's ratio per parent (1.5 bolts a kit), its scrap
and the parameters of a configuration (length_m = 14.56)."""


def _shows_fraction(line: str, pieces: set[str]) -> bool:
    cells = [c.strip() for c in re.split(r"[│┃]", line)]
    in_row = any(NUMBER_CELL.match(c) or TOLD.search(c) for c in cells if c not in pieces)
    return bool(
        (pieces & set(cells) and in_row)
        or (pieces & set(WORDS.findall(line)) and TOLD.search(line))
        or any(m[0] in pieces for m in TREE.findall(line))
    )


def fractional_pieces_in_text(text: str, pieces: set[str]) -> list[str]:
    """Lines of a command's output that show a fractional quantity of a piece item: a
    table row of a piece item with a fractional number or "Q to buy" / "needs Q" in it,
    a pegging tree's "ITEM Q ←"."""
    return [line for line in text.splitlines() if _shows_fraction(line, pieces)]


def fractional_pieces_in_json(answer: Any, pieces: set[str], item: str | None = None) -> list[str]:
    """Every number (and "Q to buy" message) in an API answer that belongs to an object
    about a piece item (its ``component`` or ``item`` field, or the item the URL names)
    and has a fraction; BOM ratios and parameters (``RATIOS``) are not quantities."""
    bad: list[str] = []
    if isinstance(answer, dict):
        own = answer.get("component", answer.get("item"))
        item = own if isinstance(own, str) else item
        for key, value in answer.items():
            if key in RATIOS:
                continue
            if item in pieces and isinstance(value, float) and value != int(value):
                bad.append(f"{item} {key}={value}")
            if item in pieces and isinstance(value, str) and API_TEXT.search(value):
                bad.append(f"{item} {key}={value!r}")
            bad += fractional_pieces_in_json(value, pieces, item)
    elif isinstance(answer, list):
        for value in answer:
            bad += fractional_pieces_in_json(value, pieces, item)
    return bad


def test_the_checks_see_a_fractional_piece() -> None:
    """The checks themselves: what the shortage report printed before (2.2 to buy)."""
    pieces = {"DRV-1", "SA-2"}
    assert fractional_pieces_in_text("│ shortage │ DRV-1 │ PL-1 │ SO-1 │ 29.4 to buy │", pieces)
    assert fractional_pieces_in_text("│ DRV-1 │ buy │ 50 │ needs 4.5 (a lot) │", pieces)
    assert fractional_pieces_in_text("│ 2026-12-01 │ SA-2 │ 2.5 │", pieces)
    assert fractional_pieces_in_text("│   ├── DRV-1 29.4 ← planned order PL-1", pieces)
    assert not fractional_pieces_in_text("│ shortage │ WIRE │ PL-1 │ SO-1 │ 29.4 to buy │", pieces)
    assert not fractional_pieces_in_text("│ shortage │ DRV-1 │ PL-1 │ SO-1 │ 30 to buy │", pieces)
    assert fractional_pieces_in_json({"rows": [{"item": "SA-2", "qty": 2.2}]}, pieces)
    assert fractional_pieces_in_json([{"item": "DRV-1", "message": "2.2 to make"}], pieces)
    assert fractional_pieces_in_json({"qty": 0.5}, pieces, "DRV-1")
    assert fractional_pieces_in_json(
        {"item": "X", "lines": [{"component": "SA-2", "qty": 0.5}]}, pieces
    )
    assert not fractional_pieces_in_json({"item": "WIRE", "qty": 2.2}, pieces)
    assert not fractional_pieces_in_json({"component": "SA-2", "qty_per": 1.5}, pieces)


class Reader:
    """The CLI and the API on one database, with an admin's token."""

    def __init__(self, engine: Engine, client: TestClient) -> None:
        self.url = engine.url.render_as_string(hide_password=False)
        self.client = client
        with db.session_scope(engine) as s:
            users.create_user(
                s, name="auditor", password="correct horse battery", role=Role.ADMIN, author="t"
            )
        with db.session_scope(engine) as s:
            _, secret = users.create_token(s, user="auditor", name="audit", author="t")
        self.headers = {"Authorization": f"Bearer {secret}"}

    def cli(self, *args: str) -> str:
        result = CliRunner().invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": self.url, "COLUMNS": "250"}
        )
        assert result.exit_code == 0, (args, result.output)
        return result.output

    def get(self, path: str) -> Any:
        answer = self.client.get(path, headers=self.headers)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        answer = self.client.post(path, json=body, headers=self.headers)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    def pages(self, path: str) -> Iterator[Any]:
        """Every page of a paged list (``limit``/``offset``)."""
        offset = 0
        while True:
            page = self.get(f"{path}{'&' if '?' in path else '?'}limit=500&offset={offset}")
            yield page
            offset += 500
            if offset >= int(page.get("total", 0)):
                return


@pytest.fixture
def reader(engine: Engine) -> Iterator[Reader]:
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield Reader(engine, client)


def _pieces(engine: Engine) -> set[str]:
    with db.session_scope(engine) as s:
        return set(s.scalars(select(Item.code).where(Item.decimals == 0)))


@pytest.mark.parametrize("company", DEMOS)
def test_the_sample_company_shows_whole_pieces_everywhere(
    company: str, engine: Engine, reader: Reader
) -> None:
    with pin_today(DEMO_DAY):
        reader.cli("demo", "--no-serve", "--company", company)
    pieces = _pieces(engine)
    with db.session_scope(engine) as s:
        orders = list(s.scalars(select(SalesOrder.number).order_by(SalesOrder.number)))
        projects = s.execute(
            select(CustomerRow.code, Project.code).join(
                CustomerRow, CustomerRow.id == Project.customer_id
            )
        ).all()
    exceptions = [r for page in reader.pages("/api/plan/exceptions") for r in page["items"]]
    short = sorted({r["item"] for r in exceptions if r["kind"] == "shortage"} & pieces)
    # the sample plans pieces whose shares per order have fractions (pooled lots)
    assert short and orders and projects

    outputs = {
        " ".join(args): reader.cli(*args)
        for args in [
            ("report", "late"),
            ("report", "shortages"),
            ("report", "exceptions"),
            ("report", "buy"),
            ("report", "make"),
            ("report", "actions"),
            *(("report", "pegging", n) for n in orders),
            *(("order", "show", n) for n in orders),
            *(("project", "show", c, p) for c, p in projects),
            *(("report", "where-used-supply", i) for i in short[:5]),
        ]
    }
    assert "to buy" in outputs["report shortages"]
    answers = {
        "/api/plan/exceptions": exceptions,
        "/api/plan/planned-orders": list(reader.pages("/api/plan/planned-orders")),
        "/api/plan/pegging": list(reader.pages("/api/plan/pegging")),
        **{
            f"/api/reports/{name}": reader.get(f"/api/reports/{name}")
            for name in ("late", "shortages", "buy", "make", "actions")
        },
        **{path: reader.get(path) for n in orders for path in _order_paths(n)},
        **{path: reader.get(path) for i in short[:5] for path in _item_paths(i)},
    }
    bad = [f"{cmd}: {line}" for cmd, out in outputs.items() for line in _text(out, pieces)]
    bad += [f"{path}: {b}" for path, a in answers.items() for b in _json(a, pieces, path)]
    assert bad == [], "\n".join(bad)


def _order_paths(number: str) -> list[str]:
    return [
        f"/api/sales-orders/{number}",
        f"/api/sales-orders/{number}/tree",
        f"/api/plan/sales-orders/{number}/pegging",
    ]


def _item_paths(item: str) -> list[str]:
    return [f"/api/reports/where-used-supply/{item}", f"/api/stock/{item}/projection"]


def _text(out: str, pieces: set[str]) -> list[str]:
    return fractional_pieces_in_text(out, pieces)


def _json(answer: Any, pieces: set[str], path: str) -> list[str]:
    item = path.split("/api/stock/")[1].split("/")[0] if "/api/stock/" in path else None
    return fractional_pieces_in_json(answer, pieces, item)


PD = date(2026, 11, 23)


def _kit_company(engine: Engine) -> None:
    """KIT (make) = 1.5 BOLT (pieces, min 50, multiple 25) + 1 PLATE (pieces, 10 % scrap)
    + 0.35 m WIRE: 3 KIT need 4.5 BOLT and 3.3 PLATE (5 and 4 to tell), and 1.05 m WIRE."""

    def row(code: str, type_: str, uom: str, lead: int, min_qty: float, multiple: float) -> ItemRow:
        strategy = "mto" if type_ == "make" else "mts"
        return ItemRow(
            code, code.lower(), type_, strategy, uom, lead, "lfl", None, None, min_qty, multiple,
            0, 1, "",
        )  # fmt: skip

    data = Dataset(
        settings={"planning_date": PD.isoformat()},
        items=[
            row("KIT", "make", "ea", 1, 0, 0),
            row("BOLT", "buy", "ea", 4, 50, 25),
            row("PLATE", "buy", "pc", 3, 0, 0),
            row("WIRE", "buy", "m", 2, 0, 0),
        ],
        bom=[
            BomRow("KIT", "BOLT", 1.5, 0.0, ""),
            BomRow("KIT", "PLATE", 1.0, 10.0, ""),
            BomRow("KIT", "WIRE", 0.35, 0.0, ""),
        ],
    )
    with db.session_scope(engine) as s:
        replace_company(s, data, author="import")
        run_plan(s, author="planner", today=PD)


def test_a_promise_needing_half_pieces_tells_whole_pieces(engine: Engine, reader: Reader) -> None:
    _kit_company(engine)
    pieces = _pieces(engine)
    assert pieces == {"KIT", "BOLT", "PLATE"}
    shown = reader.cli("promise", "KIT", "3")
    answer = reader.post("/api/promise", {"item": "KIT", "qty": 3})
    as_json = reader.cli("promise", "KIT", "3", "--json")
    assert fractional_pieces_in_text(shown, pieces) == []
    assert fractional_pieces_in_json(answer, pieces) == []
    assert "needs 5 (a lot)" in shown  # 4.5 BOLT, in a lot of 50
    lines = {line["item"]: line for line in answer["lines"]}
    assert (lines["BOLT"]["qty"], lines["PLATE"]["qty"], lines["WIRE"]["qty"]) == (5, 4, 1.05)
    orders = {o["item"]: (o["qty"], o["requirement"]) for o in answer["orders"]}
    assert orders == {"KIT": (3, 3), "BOLT": (50, 5), "PLATE": (4, 4), "WIRE": (1.05, 1.05)}
    assert '"requirement": 4.5' not in as_json and '"qty": 3.3' not in as_json
