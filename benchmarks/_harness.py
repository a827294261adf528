"""Shared benchmark plumbing: generated bundles (cached), measured subprocesses, tables.

Each measured phase runs as its own process, so its peak memory (max RSS from
``wait4``) is its own and not the benchmark's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
PEGBOARD = [sys.executable, "-m", "pegboard"]
FULL = {"components": 50_000, "subassemblies": 10_000, "orders": 50_000}
SHAPES = ("reference", "generate")
"""``reference``: the shared reference generator (denser: about 22 planned orders per
order line); ``generate``: ``pegboard generate``. Full size is ``FULL`` for both."""
REFERENCE_SCRIPT = ROOT.parent.parent / "shared" / "bench" / "reference_bundle.py"


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mib: float
    output: str
    cpu: float = 0.0  # the child's user + system CPU seconds (wall time is noisy on a busy machine)


def run(args: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run a command, fail loudly on error, return wall time and the child's peak memory."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(args)}\n{output}")
    return Measured(seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def scaled(fraction: float) -> dict[str, int]:
    return {k: max(1, round(v * fraction)) for k, v in FULL.items()}


def bundle(sizes: dict[str, int], seed: int = 7) -> Path:
    """Generate (once) a bundle of the given size under benchmarks/data/."""
    name = "gen-{components}-{subassemblies}-{orders}".format(**sizes) + f"-s{seed}"
    out = DATA / name
    if not (out / "items.csv").exists():
        args = [*PEGBOARD, "generate", str(out), "--seed", str(seed)]
        for key, value in sizes.items():
            args += [f"--{key}", str(value)]
        run(args)
    return out


def reference_bundle(sizes: dict[str, int], seed: int = 1) -> Path:
    """Generate (once) a bundle of the reference shape (``shared/bench/reference_bundle.py``,
    or ``$PEGBOARD_REFERENCE_SCRIPT``) under benchmarks/data/."""
    script = Path(os.environ.get("PEGBOARD_REFERENCE_SCRIPT", REFERENCE_SCRIPT))
    name = "ref-{components}-{subassemblies}-{orders}".format(**sizes) + f"-s{seed}"
    out = DATA / name
    if not (out / "items.csv").exists():
        if not script.exists():
            raise SystemExit(f"{script} not found: set PEGBOARD_REFERENCE_SCRIPT")
        args = [sys.executable, str(script), str(out), "--seed", str(seed)]
        for key, value in sizes.items():
            args += [f"--{key}", str(value)]
        run(args)
    return out


def shape_bundle(shape: str, fraction: float) -> Path:
    """The bundle of ``shape`` at ``fraction`` of the full size."""
    sizes = scaled(fraction)
    return reference_bundle(sizes) if shape == "reference" else bundle(sizes)


def shapes(value: str) -> list[str]:
    """``--shape reference|generate|both``."""
    return list(SHAPES) if value == "both" else [value]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def count_rows(folder: Path, name: str) -> int:
    path = folder / f"{name}.csv"
    if not path.exists():
        return 0
    with path.open("rb") as f:
        return max(0, sum(1 for _ in f) - 1)


def sqlite_url(tag: str) -> str:
    path = DATA / f"bench-{tag}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_url() -> str | None:
    """The throwaway cluster of scripts/pg, started on demand; None when it cannot start."""
    try:
        out = subprocess.run(
            [str(ROOT.parent / "scripts" / "pg"), "start"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print(f"PostgreSQL not available, skipped: {e}", file=sys.stderr)
        return None
    base = out.stdout.strip()
    import sqlalchemy as sa

    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS pegboard_bench WITH (FORCE)"))
        conn.execute(sa.text("CREATE DATABASE pegboard_bench"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/pegboard_bench"


def print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for name in header:
        left = {"database", "phase", "size", "shape"}
        table.add_column(name, justify="left" if name in left else "right")
    for row in rows:
        table.add_row(
            *(
                f"{v:,.2f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)
                for v in row
            )
        )
    Console(width=200).print(table)
