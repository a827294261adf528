"""Running ``pegboard`` commands in-process against a test's database, for the CLI tests
that only need the output of a command and its exit code."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard.cli import app


def cli_invoker(engine: Engine) -> Callable[..., str]:
    """``invoke(*args, code=0)``: run the command on ``engine``'s database (wide columns,
    so tables are not cut), check its exit code and that no traceback reached the user,
    and answer its output."""
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(
            app, list(args), env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "250"}
        )
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke
