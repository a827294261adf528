"""The adapters are thin (design.md, issue #14): web, API and CLI call services for every
action and build no queries of their own.

``scripts/lint`` enforces it on the imports (the import-linter contract "The adapters
build no queries" in pyproject.toml); this test looks at what every adapter module
holds once imported: no table of ``pegboard.model`` and nothing of SQLAlchemy but the
types ``pegboard.db`` hands on. The contract excuses nothing but the domain's words
(``pegboard.model.enums``): no adapter module is a debt any more.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, get_args, get_origin

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


def _contract() -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract: dict[str, Any] = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["name"] == "The adapters build no queries"
    )
    return contract


@pytest.mark.parametrize("package", ADAPTERS)
def test_an_adapter_holds_no_table_and_no_query_construct(package: str) -> None:
    found = {module.__name__: bad for module in _modules(package) if (bad := _offences(module))}
    assert found == {}, f"adapter modules that reach past the services: {found}"


def test_the_contract_excuses_only_the_domain_words() -> None:
    """No adapter module is excused (the API's list endpoints sort and page through
    ``services.paging`` by the names a user asks for): every ignored import is one of
    ``pegboard.model.enums``, one rule per adapter package."""
    ignored = _contract()["ignore_imports"]
    assert sorted(ignored) == sorted(f"{p}.** -> pegboard.model.enums" for p in ADAPTERS)
