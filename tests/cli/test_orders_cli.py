"""The make-to-order commands as a planner types them: customer, project, order, template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.model import ProductionOrder, ProductionStatus


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
        return result.output

    return invoke


def table_row(output: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


# A small pair of templates on items of the lighting demo: a run of one body (cut to
# length, powder coated in the chosen finish), brackets every 1.2 m plus one, end caps.
TEMPLATES: list[dict[str, Any]] = [
    {
        "item": "BODY-7040",
        "parameters": [
            {"name": "length_m", "kind": "number", "unit": "m", "min": 0.5, "max": 10},
            {"name": "finish", "kind": "choice", "choices": ["white", "black"], "default": "white"},
        ],
        "lines": [
            {"component": "EXT-AL-7040", "qty": "length_m", "scrap_pct": 3},
            {
                "choice": "finish",
                "options": {"white": "PWD-RAL9016", "black": "PWD-RAL9005"},
                "qty": "0.1",
            },
        ],
    },
    {
        "item": "LR-7040",
        "parameters": [
            {"name": "length_m", "kind": "number", "unit": "m", "min": 0.5, "max": 10},
            {"name": "finish", "kind": "choice", "choices": ["white", "black"], "default": "white"},
        ],
        "lines": [
            {
                "component": "BODY-7040",
                "qty": 1,
                "params": {"length_m": "length_m", "finish": "finish"},
            },
            {"component": "BRK-MNT-7040", "qty": "ceil(length_m / 1.2) + 1"},
            {"choice": "finish", "options": {"white": "CAP-5035-W", "black": "CAP-5035-B"}},
        ],
    },
]
CUSTOMER = "Hartwell Construction"


def write_json(path: Path, content: object) -> str:
    path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


def lighting_without_templates(tmp_path: Path) -> str:
    """The lighting sample as a bundle without its templates.json: these tests define them."""
    folder = tmp_path / "lighting-bundle"
    shutil.copytree(demo_path("lighting"), folder)
    (folder / "templates.json").unlink()
    return str(folder)


def test_customers_projects_and_order_numbers(run: Invoke) -> None:
    assert "customer ACME added" in run("customer", "add", "ACME", "--name", "Acme Builders")
    assert "customer 'ACME' exists already" in run("customer", "add", "ACME", code=1)
    assert "project Tower of ACME added" in run("project", "add", "ACME", "Tower")
    assert "project 'Tower' of ACME exists already" in run(
        "project", "add", "ACME", "Tower", code=1
    )
    assert "no customer 'NOPE'" in run("project", "add", "NOPE", "Tower", code=1)

    assert run("order", "create", "--customer", "ACME", "--project", "Tower").strip() == "SO-1001"
    assert run("order", "create", "--customer", "ACME").strip() == "SO-1002"
    assert run("order", "create", "--customer", "ACME", "--number", "ORD-7").strip() == "ORD-7"
    assert run("order", "create", "--customer", "ACME").strip() == "SO-1003"
    assert "sales order SO-1001 exists already" in run(
        "order", "create", "--customer", "ACME", "--number", "SO-1001", code=1
    )
    assert "ACME has no project 'Nowhere'" in run(
        "order", "create", "--customer", "ACME", "--project", "Nowhere", code=1
    )
    assert "SO-1001 has no lines to confirm" in run("order", "confirm", "SO-1001", code=1)

    out = run("project", "show", "ACME", "Tower")
    assert "Project Tower of ACME" in out
    assert table_row(out, "SO-1001")[:3] == ["SO-1001", "draft", "0"]
    assert "SO-1002" not in out


def test_a_configured_order_from_entry_to_cancellation(
    run: Invoke, engine: Engine, tmp_path: Path
) -> None:
    run("import", lighting_without_templates(tmp_path))
    out = run("template", "load", write_json(tmp_path / "templates.json", TEMPLATES))
    assert "defined BOM-BODY-7040, BOM-LR-7040" in out

    run("project", "add", CUSTOMER, "Roof terrace")
    number = run("order", "create", "--customer", CUSTOMER, "--project", "Roof terrace").strip()
    assert number == "SO-1009"  # the demo holds SO-1001 … SO-1008
    assert (
        run(
            "order", "add-line", number, "--item", "LR-7040", "--qty", "4", "--due", "2030-03-15"
        ).strip()
        == f"{number}/1"
    )
    assert f"{number} confirmed" in run("order", "confirm", number)

    # 3.2 m black: brackets ceil(3.2 / 1.2) + 1 = 4, black caps; the body 3.2 m of profile
    # (+3 % scrap) and 0.1 kg of black powder. Lead times 3 working days each (the plant
    # works Monday to Friday), so the body is due when the run starts: Tuesday 2030-03-12,
    # and starts Thursday the 7th, across the weekend.
    out = run(
        "order", "configure", number, "1", "--param", "length_m=3.2", "--param", " finish = black "
    )
    for text in (
        f"{number}/1 LR-7040-{number}-1 × 4, due 2030-03-15 (confirmed)",
        f"BOM-{number}-1 length_m=3.2, finish=black",
        f"1 × BODY-7040-{number}-1.1",
        f"BOM-{number}-1.1",
        "4 × BRK-MNT-7040",
        "1 × CAP-5035-B",
        "3.2 × EXT-AL-7040",
        "(+3 % scrap)",
        "0.1 × PWD-RAL9005",
        "Production orders",
    ):
        assert text in out, text
    assert table_row(out, f"MO-{number[3:]}-1") == [
        "MO-1009-1",
        "LR-7040-SO-1009-1",
        "4",
        "2030-03-12",
        "2030-03-15",
        "planned",
        "",
        "",
    ]
    assert table_row(out, "MO-1009-1.1") == [
        "MO-1009-1.1",
        "BODY-7040-SO-1009-1.1",
        "4",
        "2030-03-07",
        "2030-03-12",
        "planned",
        "MO-1009-1",
        "",
    ]
    assert run("order", "show", number) == out

    # The paint shop releases the body; six runs instead of four.
    with engine.begin() as conn:
        conn.execute(
            update(ProductionOrder)
            .where(ProductionOrder.number == "MO-1009-1.1")
            .values(status=ProductionStatus.RELEASED)
        )
    assert "has released production orders (MO-1009-1.1)" in run(
        "order", "configure", number, "1", "--param", "length_m=4", code=1
    )
    out = run("order", "change", number, "1", "--qty", "6")
    assert f"{number}/1 changed; review MO-1009-1.1" in out
    out = run("order", "show", number)
    assert f"LR-7040-{number}-1 × 6" in out
    assert table_row(out, "MO-1009-1")[2] == "6"
    assert table_row(out, "MO-1009-1.1")[2::5] == ["4", "review"]

    out = run("order", "cancel-line", number, "1")
    assert f"{number}/1 cancelled; review MO-1009-1.1" in out
    out = run("order", "show", number)
    assert "(cancelled)" in out
    assert table_row(out, "MO-1009-1")[5] == "cancelled"

    out = run("order", "history", number)
    assert f"History of {number}" in out
    actions = [
        (cells[2], cells[3], cells[4])
        for line in out.splitlines()
        if len(cells := [c.strip() for c in line.strip().strip("│┃").split("│")]) == 5
        and cells[2].startswith(number)
    ]
    assert [(what, action) for what, action, _ in actions] == [
        (number, "create"),
        (f"{number}/1", "create"),
        (number, "status"),
        (f"{number}/1", "configure"),
        (f"{number}/1", "change"),
        (f"{number}/1", "cancel"),
        (number, "status"),
    ]
    changes = {action: text for _, action, text in reversed(actions)}
    assert "status: draft → confirmed" in changes["status"]
    assert "qty: 4.0 → 6" in changes["change"]
    assert "status: confirmed → cancelled" in changes["cancel"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--param", "length_m=99"), "is 99 m; it must be between 0.5 and 10 m"),
        (("--param", "length_m=2", "--param", "colour=red"), "LR-7040 has no parameter 'colour'"),
        (("--param", "finish=black"), "parameter 'length_m' has no default and was not given"),
    ],
)
def test_bad_configure_input_exits_1_and_writes_nothing(
    run: Invoke, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run("import", lighting_without_templates(tmp_path))
    run("template", "load", write_json(tmp_path / "t.json", TEMPLATES))
    number = run("order", "create", "--customer", CUSTOMER).strip()
    run("order", "add-line", number, "--item", "LR-7040", "--qty", "1", "--due", "2030-03-15")
    out = run("order", "configure", number, "1", *args, code=1)
    assert out.startswith("error: ")
    assert message in out
    assert "Traceback" not in out
    out = run("order", "show", number)
    assert "Production orders" not in out
    assert f"{number}/1 LR-7040 × 1" in out


def test_errors_exit_1_with_a_clear_message(run: Invoke, tmp_path: Path) -> None:
    run("import", lighting_without_templates(tmp_path))
    assert "no sales order 'SO-9999'" in run("order", "show", "SO-9999", code=1)
    assert "no sales order 'SO-9999'" in run("order", "confirm", "SO-9999", code=1)
    assert "no sales order 'SO-9999'" in run("order", "cancel-line", "SO-9999", "1", code=1)
    assert "no sales order 'SO-9999'" in run(
        "order", "change", "SO-9999", "1", "--qty", "2", code=1
    )
    assert "no sales order 'SO-9999'" in run(
        "order", "configure", "SO-9999", "1", "--param", "length_m=2", code=1
    )
    number = run("order", "create", "--customer", CUSTOMER).strip()
    assert "'--due' must be a date in the form YYYY-MM-DD, not '15/03/2030'" in run(
        "order",
        "add-line",
        number,
        "--item",
        "CAP-7040-W",
        "--qty",
        "1",
        "--due",
        "15/03/2030",
        code=2,
    )
    assert "qty must be a number greater than 0" in run(
        "order",
        "add-line",
        number,
        "--item",
        "CAP-7040-W",
        "--qty",
        "0",
        "--due",
        "2030-01-01",
        code=1,
    )
    assert "no item 'GHOST'" in run(
        "order", "add-line", number, "--item", "GHOST", "--qty", "1", "--due", "2030-01-01", code=1
    )
    run("order", "add-line", number, "--item", "CAP-7040-W", "--qty", "1", "--due", "2030-01-01")
    assert f"{number} has no line 2" in run("order", "change", number, "2", "--qty", "2", code=1)
    assert "qty must be a number greater than 0" in run(
        "order", "change", number, "1", "--qty", "-3", code=1
    )
    assert "CAP-7040-W is not configurable" in run(
        "order", "configure", number, "1", "--param", "length_m=2", code=1
    )


HOSTILE = {
    **TEMPLATES[1],
    "lines": [{"component": "BRK-MNT-7040", "qty": "__import__('os').system('x')"}],
}


def configurable(run: Invoke, item: str) -> bool:
    """Whether a fresh order line of ``item`` can be configured (length 2 m)."""
    number = run("order", "create", "--customer", CUSTOMER).strip()
    run("order", "add-line", number, "--item", item, "--qty", "1", "--due", "2030-03-15")
    out = run("order", "configure", number, "1", "--param", "length_m=2", code=None)
    return "is not configurable" not in out


def test_template_load_refuses_bad_files_and_hostile_formulas(run: Invoke, tmp_path: Path) -> None:
    run("import", lighting_without_templates(tmp_path))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert "cannot read a JSON template file" in run("template", "load", str(broken), code=1)
    assert "cannot read a JSON template file" in run(
        "template", "load", str(tmp_path / "missing.json"), code=1
    )
    out = run("template", "load", write_json(tmp_path / "hostile.json", HOSTILE), code=1)
    assert "LR-7040 line 1: quantity formula" in out
    assert "only these functions may be called" in out
    assert not configurable(run, "LR-7040")


def test_a_template_file_is_loaded_all_or_nothing(run: Invoke, tmp_path: Path) -> None:
    """Like ``pegboard import``: a file with one bad template defines none of them, so the
    planner can fix the file and load it again rather than find out what got in."""
    run("import", lighting_without_templates(tmp_path))
    out = run("template", "load", write_json(tmp_path / "t.json", [TEMPLATES[0], HOSTILE]), code=1)
    assert "only these functions may be called" in out
    assert not configurable(run, "BODY-7040")


def test_an_error_about_odd_text_is_still_a_clean_error(run: Invoke) -> None:
    """Error messages quote what the user typed; brackets in it are text, not Rich markup."""
    out = run("order", "show", "[/]", code=1)
    assert "error: no sales order '[/]'" in out


def test_codes_are_printed_as_typed(run: Invoke) -> None:
    assert run("customer", "add", "[b]Bob").strip() == "customer [b]Bob added"
    assert run("order", "create", "--customer", "[b]Bob", "--number", "[red]SO-X").strip() == (
        "[red]SO-X"
    )
