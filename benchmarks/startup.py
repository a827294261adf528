"""Benchmark: how long a CLI command takes to start, each run a fresh process.

    python benchmarks/startup.py [--runs 7] [--src /tmp/pb-before/src]

Measures ``pegboard --help``, ``pegboard plan --help``, the ``--help`` of ``report``,
``order``, ``mps`` and ``policy``, ``pegboard report late`` and ``pegboard order show
SO-1001`` (on the lighting demo, loaded once by ``pegboard demo --no-serve`` into a
database in a temporary folder) and prints, per command, the median wall time and the
median CPU time (user + system of the child) over ``--runs`` runs. CPU time is the figure to
trust on a busy machine; wall time is shown beside it. The commands of a round run
one after another, round after round, so a change in load touches all of them.

``--src`` puts another checkout's ``src`` first on ``PYTHONPATH`` (a ``git worktree``
of an older commit: the "before" column of a comparison), with the same interpreter.
Target (issue #18, 2-core machine): every command ≤ 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from _harness import PEGBOARD, median, print_table, run

COMMANDS: list[tuple[str, list[str]]] = [
    ("pegboard --help", ["--help"]),
    ("pegboard plan --help", ["plan", "--help"]),
    ("pegboard report --help", ["report", "--help"]),
    ("pegboard order --help", ["order", "--help"]),
    ("pegboard mps --help", ["mps", "--help"]),
    ("pegboard policy --help", ["policy", "--help"]),
    ("pegboard report late (demo)", ["report", "late"]),
    ("pegboard order show SO-1001 (demo)", ["order", "show", "SO-1001"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--src", type=Path, help="another checkout's src to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pegboard-startup-") as tmp:
        env = {"PEGBOARD_DATABASE_URL": f"sqlite:///{Path(tmp) / 'demo.db'}"}
        if args.src is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(args.src.resolve()), os.environ.get("PYTHONPATH", "")) if p
            )
        run([*PEGBOARD, "demo", "--no-serve"], env)
        wall: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
        cpu: dict[str, list[float]] = {label: [] for label, _ in COMMANDS}
        for _ in range(args.runs):
            for label, command in COMMANDS:
                measured = run([*PEGBOARD, *command], env)
                wall[label].append(measured.seconds)
                cpu[label].append(measured.cpu)
    print_table(
        f"CLI start-up, median of {args.runs} fresh processes"
        + (f" ({args.src})" if args.src else ""),
        ["command", "wall s", "CPU s"],
        [
            [label, f"{median(wall[label]):.2f}", f"{median(cpu[label]):.2f}"]
            for label, _ in COMMANDS
        ],
    )


if __name__ == "__main__":
    main()
