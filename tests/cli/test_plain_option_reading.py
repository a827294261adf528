"""Option and argument values read without pydantic (issue #18, start-up): every parameter
of every command gets a plain reader, and each reader accepts and refuses what Typer's
pydantic reading did, naming the parameter and the value as typed."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer.core import TyperGroup
from typer.models import ArgumentInfo, OptionInfo
from typer.testing import CliRunner

from pegboard.cli import app
from pegboard.cli._coerce import PlainRuntimeParam, reader, without_pydantic


def _all_commands(group: TyperGroup) -> Iterator[Any]:
    ctx = typer.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield command
        if isinstance(command, TyperGroup):
            yield from _all_commands(command)


def test_every_parameter_of_every_command_is_read_plainly() -> None:
    root = without_pydantic(typer.main.get_command(app))
    assert isinstance(root, TyperGroup)
    params = [
        (command.name, param.name, param._runtime_param)
        for command in [root, *_all_commands(root)]
        for param in [*command.params, command.get_help_option(typer.Context(command))]
    ]
    assert len(params) > 300
    left_to_pydantic = [(c, p) for c, p, rt in params if not isinstance(rt, PlainRuntimeParam)]
    assert left_to_pydantic == []


class Colour(enum.Enum):
    RED = "red"
    DARK_BLUE = "dark-blue"


@pytest.mark.parametrize(
    ("annotation", "info", "text", "value"),
    [
        (int, OptionInfo(), " 42 ", 42),
        (int, OptionInfo(min=1, max=5), "5", 5),
        (int, OptionInfo(min=1, max=5, clamp=True), "9", 5),
        (int, OptionInfo(min=1, max=5, clamp=True), "-3", 1),
        (float, OptionInfo(), "2.5", 2.5),
        (str, OptionInfo(), "SO-1001", "SO-1001"),
        (bool, OptionInfo(), "yes", True),
        (bool, OptionInfo(), "off", False),
        (datetime, OptionInfo(), "2030-01-15", datetime(2030, 1, 15)),
        (datetime, OptionInfo(), "2030-01-15T10:30Z", datetime(2030, 1, 15, 10, 30, tzinfo=UTC)),
        (Colour, OptionInfo(), "dark-blue", Colour.DARK_BLUE),
        (Colour, OptionInfo(case_sensitive=False), "RED", Colour.RED),
        (Path, ArgumentInfo(), "bundle/items.csv", Path("bundle/items.csv")),
    ],
)
def test_a_plain_reader_reads_as_typer_did(
    annotation: Any, info: Any, text: str, value: Any
) -> None:
    read = reader(annotation, info)
    assert read is not None
    assert read(text) == value
    assert type(read(text)) is type(value)


@pytest.mark.parametrize(
    ("annotation", "info", "text", "words"),
    [
        (int, OptionInfo(), "ten", "must be a whole number"),
        (int, OptionInfo(), "1.5", "must be a whole number"),
        (int, OptionInfo(min=1), "0", "must be greater than or equal to 1"),
        (int, OptionInfo(max=1000), "1001", "must be less than or equal to 1000"),
        (float, OptionInfo(), "1,5", "must be a number"),
        (bool, OptionInfo(), "perhaps", "must be true or false"),
        (datetime, OptionInfo(), "15/01/2030", "must be a date YYYY-MM-DD or a time"),
        (Colour, OptionInfo(), "green", "'green' is not one of 'red', 'dark-blue'"),
    ],
)
def test_a_plain_reader_refuses_in_words(annotation: Any, info: Any, text: str, words: str) -> None:
    read = reader(annotation, info)
    assert read is not None
    with pytest.raises(ValueError, match=words):
        read(text)


def test_a_path_that_must_exist_is_checked() -> None:
    read = reader(Path, ArgumentInfo(exists=True))
    assert read is not None
    with pytest.raises(typer.BadParameter, match="does not exist"):
        read("/no/such/bundle")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["job", "list", "--limit", "0"], "'--limit' must be greater than or equal to 1, not '0'"),
        (["job", "list", "--limit", "ten"], "'--limit' must be a whole number, not 'ten'"),
        (["job", "show", "x"], "'job_id' must be a whole number, not 'x'"),
        (["audit", "--since", "last week"], "'--since' must be a date YYYY-MM-DD or a time"),
        (["mps", "show", "--weeks", "0"], "'--weeks' must be greater than or equal to 1"),
    ],
)
def test_a_refusal_names_the_parameter_and_the_value(args: list[str], line: str) -> None:
    """Refused while the command line is read, before any database is opened: one line,
    exit code 2."""
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {line}"), result.output
    assert len(result.output.strip().splitlines()) == 1
