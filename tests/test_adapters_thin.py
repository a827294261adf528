"""The adapters are thin (design.md, issue #14): web, API and CLI call services for every
action and build no queries of their own.

``scripts/lint`` enforces it on the imports (the import-linter contract "The adapters
build no queries" in pyproject.toml); this test looks at what every adapter module
holds once imported: no table of ``pegboard.model`` and nothing of SQLAlchemy but the
types ``pegboard.db`` hands on. The API modules the contract still lists as debts are
the only ones allowed one, and the web none at all.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Annotated, get_args, get_origin

import pytest

from pegboard import db

ROOT = Path(__file__).resolve().parents[1]
ADAPTERS = ("pegboard.web", "pegboard.api", "pegboard.cli")
TYPES = {id(t) for t in (db.Engine, db.Session, db.sessionmaker, db.DataError)}
"""What an adapter may hold of SQLAlchemy: the types ``pegboard.db`` hands on."""


def _modules(package: str) -> list[ModuleType]:
    root = importlib.import_module(package)
    found = [root]
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        found.append(importlib.import_module(info.name))
    return found


def _offences(module: ModuleType) -> list[str]:
    """The names in ``module`` bound to a model table or a SQLAlchemy construct."""
    bad = []
    for name, held in vars(module).items():
        # a dependency alias (``Annotated[Session, Depends(...)]``) holds its type
        value = get_args(held)[0] if get_origin(held) is Annotated else held
        origin = getattr(value, "__module__", None) or ""
        if inspect.ismodule(value):
            origin = value.__name__
        if id(value) in TYPES:
            continue
        of_sqlalchemy = origin == "sqlalchemy" or origin.startswith("sqlalchemy.")
        a_table = (
            origin.startswith("pegboard.model")
            and origin != "pegboard.model.enums"
            and (inspect.isclass(value) or inspect.ismodule(value))
        )
        if of_sqlalchemy or a_table:
            bad.append(f"{name} ({origin})")
    return bad


def _debts() -> set[str]:
    """The adapter modules the import contract still excuses (each a debt)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"] == "The adapters build no queries"
    )
    return {
        rule.split("->")[0].strip()
        for rule in contract["ignore_imports"]
        if not rule.strip().endswith("pegboard.model.enums")
    }


@pytest.mark.parametrize("package", ADAPTERS)
def test_an_adapter_holds_no_table_and_no_query_construct(package: str) -> None:
    debts = _debts()
    found = {
        module.__name__: bad
        for module in _modules(package)
        if (bad := _offences(module)) and module.__name__ not in debts
    }
    assert found == {}, f"adapter modules that reach past the services: {found}"


def test_the_web_has_no_debts() -> None:
    """The web's part of the contract holds with no exceptions."""
    assert not any(d.startswith("pegboard.web") for d in _debts())


def test_every_debt_is_still_owed() -> None:
    """A debt paid is struck from the list (import-linter also refuses an ignore rule
    that matches no import)."""
    modules = {m.__name__: m for package in ADAPTERS for m in _modules(package)}
    for debt in _debts():
        assert debt in modules, debt
