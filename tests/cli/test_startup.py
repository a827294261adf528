"""The root's static table of lazy commands (issue #18) says what the commands say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import typer
import typer.main
from sqlalchemy import Engine
from typer.testing import CliRunner

from _clock import TEST_TODAY
from pegboard.cli import app
from pegboard.cli._lazy import first_paragraph
from pegboard.cli.app import LAZY
from pegboard.model import MODULES


def test_each_table_entry_is_the_commands_own_help() -> None:
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    for name, entry in LAZY.items():
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        assert command is not None, name
        assert command.name == name
        assert first_paragraph(command.help or "") == entry.help, name
        assert entry.group is isinstance(command, typer.core.TyperGroup), name
        for limit in (30, 45, 80):
            assert entry.stub(name).get_short_help_str(limit) == command.get_short_help_str(limit)


def test_the_root_lists_every_command_once() -> None:
    root = typer.main.get_command(app)
    names = root.list_commands(typer.Context(root))  # type: ignore[attr-defined]
    assert len(names) == len(set(names))
    assert set(LAZY) < set(names)
    assert {"init", "import", "export", "generate", "plan", "demo"} < set(names)


def test_help_loads_no_command_module_nor_the_database() -> None:
    """``pegboard --help`` in a fresh process imports neither a command's module nor
    SQLAlchemy, alembic, numpy or the services."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from pegboard.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'report' in result.output\n"
        "heavy = ('sqlalchemy', 'alembic', 'numpy', 'pydantic_settings', 'pegboard.services',\n"
        "         'pegboard.bundle', 'pegboard.cli.report', 'pegboard.cli.orders')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_report_loads_neither_the_engine_nor_alembic() -> None:
    """``pegboard report …`` reads the stored plan: no engine, numpy or migrations."""
    code = (
        "import sys\n"
        "import pegboard.cli.report\n"
        "heavy = ('numpy', 'pegboard.engine', 'alembic', 'pegboard.bundle', 'fastapi')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


RUN_AND_LIST_MODULES = """
import gc, json, sys
from datetime import date, datetime, timezone
import time_machine
from typer.testing import CliRunner
from pegboard.cli import app
day = datetime.combine(date.fromisoformat(sys.argv[1]), datetime.min.time(), timezone.utc)
with time_machine.travel(day.replace(hour=12), tick=False):
    results = [CliRunner().invoke(app, args) for args in json.loads(sys.argv[2])]
base = sys.modules.get("pegboard.model.base")
print(json.dumps({
    "codes": [r.exit_code for r in results],
    "outputs": [r.output for r in results],
    "modules": sorted(sys.modules),
    "collector": [gc.isenabled(), gc.get_freeze_count() > 0],
    "tables": sorted(base.Base.metadata.tables) if base else [],
}))
"""
"""Run commands in a fresh process (today pinned, as in every test) and list what they
loaded: the import discipline of start-up, held without timing anything."""


def _run_fresh(commands: list[list[str]], env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, TEST_TODAY.isoformat(), json.dumps(commands)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def _loaded(modules: list[str], heavy: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m in heavy or m.startswith(tuple(h + "." for h in heavy))]


HELP_MUST_NOT_LOAD = (
    "sqlalchemy",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "numpy",
    "fastapi",
    "alembic",
    "pegboard.db",
    "pegboard.model.base",  # the tables; the model package's enums are plain words
    *(f"pegboard.model.{module}" for module in MODULES),
    "pegboard.services",
    "pegboard.engine",
)


def test_the_root_commands_help_loads_neither_pydantic_nor_the_database() -> None:
    """``pegboard --help`` and ``pegboard plan --help`` (each of the root's own commands)
    load Typer, Rich and the command table: no SQLAlchemy, pydantic, numpy or FastAPI."""
    root = typer.main.get_command(app)
    own = sorted(root.commands)  # type: ignore[attr-defined]
    assert {"plan", "import", "demo", "init"} <= set(own)
    answer = _run_fresh([["--help"], *[[name, "--help"] for name in own]])
    assert answer["codes"] == [0] * (len(own) + 1), answer["outputs"]
    assert "Usage: root plan [OPTIONS]" in answer["outputs"][1 + own.index("plan")]
    assert _loaded(answer["modules"], HELP_MUST_NOT_LOAD) == []


def test_every_command_groups_help_loads_neither_pydantic_nor_the_database() -> None:
    """``pegboard report --help``, ``pegboard report late --help`` … (the command modules
    defer their services to the first call: cli/_deferred.py; the model package gives its
    enums without declaring a table), each group in a fresh process."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    for name in sorted(LAZY):
        command = root.get_command(ctx, name)  # type: ignore[attr-defined]
        subs = sorted(command.commands) if isinstance(command, typer.core.TyperGroup) else []
        commands = [[name, "--help"], *[[name, sub, "--help"] for sub in subs]]
        answer = _run_fresh(commands)
        assert answer["codes"] == [0] * len(commands), (name, answer["outputs"])
        assert _loaded(answer["modules"], HELP_MUST_NOT_LOAD) == [], name


def test_the_helps_own_copies_of_service_values_are_the_services() -> None:
    """Values a help shows, written in the command module so that its help loads no
    service: each equal to the service's own."""
    from pegboard.cli import mps as mps_commands
    from pegboard.cli import policy as policy_commands
    from pegboard.services import mps
    from pegboard.services.policy import stored

    assert mps_commands.MAX_WEEKS == mps.MAX_WEEKS
    assert tuple(stored.SORTS) == policy_commands.SORTS


def test_the_fences_own_copy_of_the_longest_days_is_the_datasets() -> None:
    """The time fence's limit, written in ``services.mps_fence`` so that the late report's
    chain loads no dataset module, is every day-counting setting's."""
    from pegboard.services import dataset, mps_fence

    assert mps_fence.MAX_FENCE_DAYS == dataset.MAX_DAYS


REPORT_MUST_NOT_LOAD = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "fastapi",
    "starlette",
    "jinja2",
    "matplotlib",
    "numba",
    "numpy",
    "openpyxl",
    "alembic",
    "pegboard.engine",
    "pegboard.web",
    "pegboard.api",
    "pegboard.bundle",
    "pegboard.model.jobs",
    "pegboard.model.location",
    "pegboard.model.policy",
    "pegboard.model.shop_floor",
    "pegboard.model.users",
    "pegboard.model.audit",
    "pegboard.model.pinned",
    "pegboard.model.stock",
    "pegboard.services.audit",
    "pegboard.services.pins",
    "pegboard.services.dataset",
)
"""Besides the heavy libraries, the tables a report does not read are not declared (the
model package declares a module on first use), nor the services only writers or other
reports call: the audit trail (written by the fence's setter), pinned operations (read by
the operations list, not the late chain's held notes), stock balances (read by the
where-used trace)."""


REPORT_LATE_TABLES = {
    # what the late report and its plan-age warning read
    "plan_run",
    "plan_line",
    "pegging",
    "planned_order",
    "plan_production",
    "production_order",
    "purchase_order",
    "purchase_order_line",
    "sales_order_line",
    "item",
    "scheduled_order",
    "schedule_run",
    "work_center",
    "company_setting",
    "cost_revision",
    # named by their foreign keys: sales_order_line -> sales_order -> customer, project;
    # production_order -> bom
    "sales_order",
    "customer",
    "project",
    "bom",
    # sharing a module with one it reads (model/bom.py, plan.py)
    "bom_line",
    "plan_exception",
    "plan_exception_by_sales_order",
}
"""The tables ``report late`` declares: those it reads, those their foreign keys name, and
the few that share a model module with them; not the routings, template parameters,
stored line costs, shipments, production components, the schedule's operations,
holidays, document numbers or work centers' closed days (each in a module of its own:
the model package declares a module on first use)."""


ORDER_SHOW_MUST_NOT_LOAD = (
    *REPORT_MUST_NOT_LOAD,
    "pegboard.services.order_bom",
    "pegboard.services.configurator",
    "pegboard.services.templates",
    "pegboard.services.order_routing",
    "pegboard.services.line_work",
    "pegboard.services.calendar",
    "pegboard.model.routing",
    "pegboard.model.bom_template",
)
"""``order show`` reads through ``services.order_tree``, the read side of ``order_bom``:
not the configurator, templates, routings, the audit trail, stock or the calendar that
configuring and changing an order need."""

ORDER_SHOW_TABLES = {
    # what it reads
    "sales_order",
    "sales_order_line",
    "item",
    "bom",
    "bom_line",
    "production_order",
    "plan_line",
    # named by their foreign keys (sales_order -> customer, project), sharing a module
    # with one it reads (company.py, plan.py), or watched by every service (cost_revision)
    "customer",
    "project",
    "company_setting",
    "plan_run",
    "planned_order",
    "pegging",
    "plan_exception",
    "plan_exception_by_sales_order",
    "plan_production",
    "cost_revision",
}


CAPACITY_WEEKS_TABLES = {
    # what the load and its kept weeks read
    "load_summary",
    "load_week",
    "plan_run",
    "planned_order",
    "production_order",
    "routing",
    "routing_operation",
    "work_center",
    "work_center_closed_day",
    "holiday",
    "company_setting",
    "cost_revision",
    "bom",
    "item",
    # named by their foreign keys (production_order, bom -> sales_order_line ->
    # sales_order -> customer, project), sharing a model module with one it reads (bom.py,
    # plan.py, routing.py), declared by services.plan_results (current_run's module: the
    # purchase orders) or the calendar service's audit trail (written on a closed day)
    "bom_line",
    "sales_order",
    "sales_order_line",
    "customer",
    "project",
    "purchase_order",
    "purchase_order_line",
    "pegging",
    "plan_line",
    "plan_exception",
    "plan_exception_by_sales_order",
    "plan_production",
    "template_operation",
    "audit_entry",
}
"""The tables ``capacity weeks`` declares: 28 of the 53 (not the users, jobs, stock,
schedule, costing or policy tables). Importing ``services._bulk`` declared all 53 when
it imported the model's ``Base`` at run time (it names it in annotations only)."""


def test_report_late_loads_the_database_and_nothing_else_heavy(engine: Engine) -> None:
    """``pegboard report late`` on the planned demo, in a fresh process: it reads the plan
    through SQLAlchemy and prints it, loading no web, API, pydantic, numpy, Numba, charts,
    spreadsheets, migrations or tables it does not read (a bad option value is read
    without pydantic too). ``pegboard order show`` reads its order's lines, BOM trees and
    production orders without what configuring or changing an order needs; ``pegboard
    capacity weeks`` declares only the tables of the load and its kept weeks."""
    url = engine.url.render_as_string(hide_password=False)
    env = {"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"}
    demo = CliRunner().invoke(app, ["demo", "--no-serve"], env=env)
    assert demo.exit_code == 0, demo.output
    answer = _run_fresh([["report", "late"], ["report", "buy", "--until", "soon"]], env)
    assert answer["codes"] == [0, 2], answer["outputs"]
    assert "Late sales-order lines" in answer["outputs"][0]
    assert "'--until' must be a date in the form YYYY-MM-DD, not 'soon'" in answer["outputs"][1]
    assert "sqlalchemy" in answer["modules"]
    assert _loaded(answer["modules"], REPORT_MUST_NOT_LOAD) == []
    assert set(answer["tables"]) == REPORT_LATE_TABLES
    # loaded with the collector paused (cli/_loading.py), which is back on after
    assert answer["collector"] == [True, True]
    order = _run_fresh([["order", "show", "SO-1001"]], env)
    assert order["codes"] == [0], order["outputs"]
    assert "SO-1001" in order["outputs"][0]
    assert _loaded(order["modules"], ORDER_SHOW_MUST_NOT_LOAD) == []
    assert set(order["tables"]) == ORDER_SHOW_TABLES
    weeks = _run_fresh([["capacity", "weeks"]], env)
    assert weeks["codes"] == [0], weeks["outputs"]
    assert "Load per week" in weeks["outputs"][0]
    assert set(weeks["tables"]) == CAPACITY_WEEKS_TABLES
