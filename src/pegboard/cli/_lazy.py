"""Sub-commands loaded on first use, so that a command starts in a fraction of a second.

``pegboard --help`` lists every command from a static table of names and one-line helps
(``LazyCommand``); a command's module, and through it the services, SQLAlchemy, numpy
and whatever else it uses, is imported only when that command runs or shows its own
help. A test keeps each table entry equal to the real command's help (issue #18).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, ClassVar

import typer
import typer.main
from typer._click.core import Command, Context
from typer._click.exceptions import UsageError
from typer.core import TyperCommand
from typer.models import CommandInfo, TyperInfo

from pegboard.cli._coerce import without_pydantic
from pegboard.cli._common import OneLineErrors
from pegboard.cli._loading import load


def first_paragraph(help_text: str) -> str:
    """What the root's help lists of a command: its help's first paragraph, on one line."""
    return " ".join(help_text.split("\n\n", 1)[0].split())


@dataclass(frozen=True)
class LazyCommand:
    """A sub-command ``name`` of the root: ``module:attr`` is a Typer app (``group``, a
    command group such as ``report``), a Typer app whose commands are the root's own
    (``promise``), or a plain function registered as a command (``audit``, ``serve``).
    ``help`` is the first paragraph of its help, as ``--help`` lists it."""

    module: str
    attr: str
    help: str
    group: bool = True

    def load(self, name: str, *, pretty_exceptions_short: bool) -> Command:
        target: Any = getattr(load(self.module), self.attr)
        if self.group:  # as ``app.add_typer(target, name=name)`` would make it
            return typer.main.get_group_from_info(
                TyperInfo(target, name=name),
                pretty_exceptions_short=pretty_exceptions_short,
                suggest_commands=True,
                rich_markup_mode=None,
            )
        if isinstance(target, typer.Typer):  # an app of root commands: take the one named
            info = next(c for c in target.registered_commands if c.name == name)
        else:
            info = CommandInfo(name=name, callback=target)
        return typer.main.get_command_from_info(
            info, pretty_exceptions_short=pretty_exceptions_short, rich_markup_mode=None
        )

    def stub(self, name: str) -> Command:
        """A stand-in that lists the command in the root's help without importing it."""
        return TyperCommand(name=name, help=self.help)


class LazyGroup(OneLineErrors):
    """The root command: its own commands (``init``, ``plan``, …) and the ``LAZY`` ones,
    listed in the order commands first, then groups, as Typer lists them."""

    lazy: ClassVar[Mapping[str, LazyCommand]] = {}

    def _lazy_names(self, *, group: bool) -> list[str]:
        return [n for n, c in self.lazy.items() if c.group is group and n not in self.commands]

    def list_commands(self, ctx: Context) -> list[str]:
        eager = list(self.commands)
        return self._lazy_names(group=False) + eager + self._lazy_names(group=True)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        without_pydantic(self)  # the root's options and its own commands read plainly
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = without_pydantic(
                self.lazy[cmd_name].load(cmd_name, pretty_exceptions_short=True)
            )
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Context, formatter: Any) -> None:
        # the root's help lists the lazy commands from their stubs, loading none of them
        loaded = dict(self.commands)
        self.commands = {
            name: loaded.get(name) or self.lazy[name].stub(name) for name in self.list_commands(ctx)
        }
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.commands = loaded

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        # as Typer's, but a mistyped command is matched against every name, loaded or not
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as e:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if self.suggest_commands and matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                e.message = f"{e.message.rstrip('.')}. Did you mean {suggestions}?"
            raise
