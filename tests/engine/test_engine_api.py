"""The engine's public surface and its purity rule (see engine/README.md)."""

from __future__ import annotations

import ast
import subprocess
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
    """Every name of ``__all__`` is there (loaded on first use), and nothing else public
    but the lazy loading's own typing names."""
    assert engine.__all__ == sorted(engine.__all__)
    for name in engine.__all__:
        assert not isinstance(getattr(engine, name), types.ModuleType), name
    public = {
        name
        for name, value in vars(engine).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - {"annotations", "Any", "TYPE_CHECKING"} <= set(engine.__all__)


def test_the_load_does_not_import_the_planning_run() -> None:
    """``engine.capacity`` (the load) loads neither the planning run nor its types."""
    code = (
        "import sys\n"
        "import pegboard.engine.capacity\n"
        "print(sorted(m for m in sys.modules if m in ('pegboard.engine.run', "
        "'pegboard.engine.types', 'pegboard.engine.levels')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


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
