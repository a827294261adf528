"""The root's static table of lazy commands (issue #18) says what the commands say."""

from __future__ import annotations

import subprocess
import sys

import typer
import typer.main

from pegboard.cli import app
from pegboard.cli._lazy import first_paragraph
from pegboard.cli.app import LAZY


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
