"""The engine's public surface and its purity rule (see engine/README.md)."""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path

import pegboard.engine as engine

ENGINE_DIR = Path(engine.__file__).parent
IMPURE_MODULES = {
    "io", "os", "pathlib", "shutil", "socket", "subprocess", "sys", "tempfile", "time",
    "logging", "random", "secrets", "urllib", "http", "sqlite3", "threading", "multiprocessing",
}  # fmt: skip
IMPURE_CALLS = {"open", "print", "input", "now", "today", "utcnow", "time", "perf_counter"}


def test_all_is_sorted_and_complete() -> None:
    assert engine.__all__ == sorted(engine.__all__)
    public = {
        name
        for name, value in vars(engine).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(engine.__all__)


def _modules() -> list[Path]:
    return sorted(ENGINE_DIR.glob("*.py"))


KERNELS = ("netting_kernel.py", "sort_kernel.py", "schedule_kernel.py")
"""The engine modules that may import Numba (each keeps a plain Python reference)."""


def test_engine_imports_only_stdlib_numpy_and_itself() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = (
                    name.startswith("pegboard.engine")
                    or top == "numpy"
                    # the compiled netting loop, counting sort and placement of the load and
                    # the finite schedule; imported only to plan or schedule
                    or (top == "numba" and path.name in KERNELS)
                    or (top in sys.stdlib_module_names and top not in IMPURE_MODULES)
                )
                assert allowed, f"{path.name} imports {name}"


def test_engine_calls_no_io_or_clock() -> None:
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert name not in IMPURE_CALLS, f"{path.name}:{node.lineno} calls {name}"
