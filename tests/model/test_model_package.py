"""The model package declares each table on first use (issue #18, start-up): its table
of homes names every mapped class and where it is declared, a module alone declares the
tables its foreign keys name, and ``Base`` is the whole schema."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pegboard.model
from pegboard.model import HOMES, MODULES, Base

DECLARE_ONE = """
import importlib, json, sys
from sqlalchemy.orm import configure_mappers
importlib.import_module("pegboard.model." + sys.argv[1])
from pegboard.model.base import Base
configure_mappers()
unresolved = []
for table in Base.metadata.sorted_tables:
    for fk in table.foreign_keys:
        try:
            fk.column
        except Exception as e:
            unresolved.append(f"{table.name}: {e}")
print(json.dumps({
    "tables": sorted(Base.metadata.tables),
    "modules": sorted(m for m in sys.modules if m.startswith("pegboard.model.")),
    "unresolved": unresolved,
}))
"""


def _declare_alone(module: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", DECLARE_ONE, module], capture_output=True, text=True, check=True
    )
    answer: dict[str, list[str]] = json.loads(done.stdout)
    return answer


def test_homes_name_every_class_where_it_is_declared() -> None:
    files = {
        m.name
        for m in pkgutil.iter_modules(pegboard.model.__path__)
        if m.name not in {"_types", "base", "enums"}
    }
    assert set(MODULES) == files
    mapped = {m.class_.__name__: m.class_.__module__ for m in Base.registry.mappers}
    assert set(mapped) == set(HOMES)  # every mapped class has a home, none too many
    for name, module in HOMES.items():
        assert mapped[name] == f"pegboard.model.{module}", name
        assert getattr(pegboard.model, name) is getattr(sys.modules[mapped[name]], name)
    assert set(HOMES) | {"Base"} <= set(pegboard.model.__all__)
    assert all(hasattr(pegboard.model, name) for name in pegboard.model.__all__)


def test_each_module_alone_declares_what_its_foreign_keys_name() -> None:
    """Imported alone in a fresh process, a module's tables and those it declares with
    them have every foreign key resolved and the mappers configure; a module with no
    foreign key to another declares nothing else."""
    for module in MODULES:
        answer = _declare_alone(module)
        assert answer["unresolved"] == [], module
        assert f"pegboard.model.{module}" in answer["modules"]
    plan = _declare_alone("plan")
    assert [m for m in plan["modules"] if m.rsplit(".", 1)[1] in MODULES] == ["pegboard.model.plan"]
    assert set(plan["tables"]) == {
        "plan_run",
        "planned_order",
        "pegging",
        "plan_exception",
        "plan_exception_by_sales_order",
        "plan_line",
        "plan_production",
    }
    stock = _declare_alone("stock")
    assert "pegboard.model.users" not in stock["modules"]
    assert {"item", "production_order", "purchase_order_line", "shipment"} <= set(stock["tables"])


def test_base_from_the_package_is_the_whole_schema() -> None:
    """``from pegboard.model import Base`` in a fresh process declares every table."""
    code = (
        "import sys\n"
        "from pegboard.model import MODULES, Base\n"
        "loaded = all('pegboard.model.' + m in sys.modules for m in MODULES)\n"
        "print(len(Base.metadata.tables), loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(len(Base.metadata.tables)), "True"]


def test_the_table_modules_annotations_are_objects() -> None:
    """No model module postpones its annotations: SQLAlchemy would evaluate each
    ``Mapped[...]`` string when the class is declared (start-up time)."""
    for module in (*MODULES, "base"):
        source = Path(pegboard.model.__file__).with_name(f"{module}.py").read_text()
        assert "from __future__ import annotations" not in source, module
