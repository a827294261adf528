"""Modules a command module loads on first use (issue #18, start-up).

``pegboard report --help`` needs only the ``report`` commands' names, options and helps,
which Typer reads from the functions' signatures: the services behind them, SQLAlchemy
and the models (a third of a second and more) are needed only once a command runs. A
command module therefore names each service module it calls as
``reports = deferred("pegboard.services.reports")`` (the real import stays under
``TYPE_CHECKING`` for mypy), and the module is imported at the first attribute read,
inside the command. tests/cli/test_startup.py holds each group's ``--help`` to it (and
lists the few groups whose help still needs a service module, with the reason).
"""

from __future__ import annotations

from typing import Any

from pegboard.cli._loading import load


class Deferred:
    """A stand-in for the module ``name``, imported when first read from."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(load(self._name), attr)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"


def deferred(name: str) -> Any:
    """The module ``name``, imported on first use."""
    return Deferred(name)
