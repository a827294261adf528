"""Every command of the command line, fed malformed input, answers with one line and exit
code 2, never a traceback or a usage dump.

The commands are found by walking the Typer app, so a command added later is covered
without touching this file: each one gets an unknown option, its required arguments left
out, and every date, number and id parameter (found by its type) given text that is not
one. Compound values parsed by hand (``ITEM:QTY:DUE``, ``SO-1001/2``, ``LINE=QTY``,
``name=value``) are listed below, since their type is plain text.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from pegboard.cli import app

MALFORMED: dict[type, tuple[str, ...]] = {
    date: ("15/12/2026", "2026-02-30", "tomorrow"),
    datetime: ("15/12/2026", "yesterday"),
    float: ("abc", "1,5", "nan"),
    int: ("x", "1.5"),
}
"""Text that is not a value of the type: a date the wrong way round, a day that does not
exist, a decimal comma, a number that is not finite, an id that is not a whole number."""

VALID: dict[type, str] = {date: "2030-01-15", datetime: "2030-01-15", float: "1", int: "1"}

Invoke = Callable[[list[str]], tuple[int, str]]
"""Run the command line with these arguments: its exit code and its output."""

HAND_PARSED = [
    ("po", "new", "--supplier", "S", "ITEM:1"),
    ("po", "new", "--supplier", "S", "ITEM:many:2030-01-15"),
    ("po", "new", "--supplier", "S", "ITEM:1:15/01/2030"),
    ("po", "receive", "PO-1", "1=x"),
    ("po", "receive", "PO-1", "one=1"),
    ("po", "receive", "PO-1", "1"),
    ("po", "receive", "PO-1", "1=1", "1=2"),
    ("mo", "issue", "MO-1", "ITEM"),
    ("mo", "issue", "MO-1", "ITEM=lots"),
    ("ship", "line", "SO-1", "1"),
    ("ship", "line", "SO-1/first", "1"),
    ("order", "configure", "SO-1", "1", "--param", "length_m"),
    ("promise", "ITEM", "1", "--param", "=4"),
    ("promise", "ITEM", "1", "--reserve"),
]


def _commands(
    group: TyperGroup, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    # through Click's own listing: the root loads its sub-commands on first use
    ctx = typer.Context(group)
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if isinstance(command, TyperGroup):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(_commands(typer.main.get_command(app)))  # type: ignore[arg-type]


def _leaf(param: Any) -> Any:
    """The type of one value: ``list[int]`` → ``int``."""
    annotation = param.type_descriptor.annotation
    args = typing.get_args(annotation)
    return args[0] if typing.get_origin(annotation) is list and args else annotation


def _valid(param: Any) -> str:
    leaf = _leaf(param)
    if isinstance(leaf, type) and issubclass(leaf, Enum):
        return str(next(iter(leaf)).value)
    return VALID.get(leaf, "X-1")


def _call(path: tuple[str, ...], params: list[Any], bad: Any = None, value: str = "") -> list[str]:
    """The command with every required parameter given a valid value, and ``bad`` given
    ``value``."""
    args, options = list(path), []
    for param in params:
        if param.name == "help" or (not param.required and param is not bad):
            continue
        text = value if param is bad else _valid(param)
        if param.param_type_name == "argument":
            args.append(text)
        else:
            options += [param.opts[0], text]
    return args + options


@pytest.fixture(scope="module")
def invoke(tmp_path_factory: pytest.TempPathFactory) -> Invoke:
    """Run the CLI in-process against a throwaway SQLite file (should parsing ever let a
    command through, it touches nothing that matters)."""
    folder = tmp_path_factory.mktemp("malformed")
    env = {"PEGBOARD_DATABASE_URL": f"sqlite:///{folder / 'pegboard.db'}", "COLUMNS": "100"}
    runner = CliRunner()

    def run(args: list[str]) -> tuple[int, str]:
        result = runner.invoke(app, args, env=env)
        return result.exit_code, result.output

    return run


def _one_line_error(invoke: Invoke, args: list[str]) -> str:
    """Run ``args``; the output must be one line starting ``error:``, the exit code 2."""
    code, output = invoke(args)
    assert "Traceback" not in output, (args, output)
    assert code == 2, (args, code, output)
    lines = output.strip().splitlines()
    assert len(lines) == 1, (args, output)
    assert lines[0].startswith("error: "), (args, output)
    return lines[0]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_refuses_malformed_input_in_one_line(
    invoke: Invoke, path: tuple[str, ...], command: Any
) -> None:
    params = [p for p in command.params if p.name != "help"]
    args = [*_call(path, params), "--no-such-option"]
    assert "--no-such-option" in _one_line_error(invoke, args)
    if any(p.required for p in params):
        _one_line_error(invoke, list(path))
    for param in params:
        for value in MALFORMED.get(_leaf(param), ()):
            args = _call(path, params, param, value)
            line = _one_line_error(invoke, args)
            assert repr(value) in line, (args, line)  # the value as typed
            assert param.get_error_hint() in line, (args, line)  # and the field


@pytest.mark.parametrize("args", HAND_PARSED, ids=" ".join)
def test_values_parsed_by_hand_refuse_malformed_input_in_one_line(
    invoke: Invoke, args: tuple[str, ...]
) -> None:
    _one_line_error(invoke, list(args))


def test_the_walk_finds_the_typed_parameters() -> None:
    """The walk above sees dates, numbers and ids: were it blind, it would pass vacuously."""
    typed = {
        (" ".join(path), p.name)
        for path, command in COMMANDS
        for p in command.params
        if _leaf(p) in MALFORMED
    }
    assert {
        ("report buy", "until"),
        ("order add-line", "due"),
        ("order configure", "line"),
        ("stock adjust", "qty"),
        ("po ship", "line"),
        ("user revoke", "token_id"),
        ("audit", "since"),
    } <= typed
    assert len(COMMANDS) > 60


def test_report_buy_with_a_day_month_year_date(invoke: Invoke) -> None:
    """The reported case: ``pegboard report buy --until 15/12/2026``."""
    code, output = invoke(["report", "buy", "--until", "15/12/2026"])
    assert output.strip() == (
        "error: '--until' must be a date in the form YYYY-MM-DD, not '15/12/2026' "
        "(see root report buy --help)"
    ), output
    assert code == 2
