"""Benchmark: cost of customization (issue #16) on a ``pegboard generate`` company.

    python benchmarks/cost.py [--fraction 1.0] [--repeat 5] [--db PATH]

Targets (2-core machine, full size):

* the estimated cost of a configured line with about 100 nodes (its order BOMs, the
  master BOMs of the sub-assemblies below them and every component line): <= 50 ms;
* the actual-cost roll-up of every open sales order (``variance.open_orders_actual``):
  <= 10 s;
* the cost report (estimated against actual, variance, margin) of one project
  (``variance.project_variance``, what GET /api/cost/projects/… and the project's cost
  tab serve): <= 300 ms, for the median and the largest project. The report sums the
  lines' stored estimates (``services.cost_estimates``): the warm-up call stores them
  when they are missing, so the timed calls read them; the last row times the largest
  project with nothing stored (each call after deleting them), as after an upgrade or a
  company-wide change of prices.

The company is imported once into ``benchmarks/data/bench-cost-<fraction>.db`` (kept,
reused; delete it to start again). Each figure is timed in process (the service call,
as a request's server time without HTTP), after one warm-up call; wall and CPU
(process time) medians are shown: wall time means little on a loaded machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import DATA, PEGBOARD, print_table, run, shape_bundle
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from pegboard import db
from pegboard.model import LineCostEstimate, SalesOrder, SalesOrderLine
from pegboard.services import costing, money, variance

TARGETS_MS = {"line": 50.0, "open orders": 10_000.0, "project": 300.0}
CANDIDATE_ORDERS = 30
"""Orders with the most order-BOM lines, whose lines are searched for the largest tree."""


def prepare(fraction: float, path: Path | None) -> Engine:
    target = path or DATA / f"bench-cost-{fraction:g}.db"
    if not target.exists():
        source = shape_bundle("generate", fraction)
        run([*PEGBOARD, "import", str(source)], {"PEGBOARD_DATABASE_URL": f"sqlite:///{target}"})
    return db.make_engine(f"sqlite:///{target}")


def nodes(tree: costing.NodeCost) -> int:
    """The nodes of a costed tree: the top, each made node below it and every line."""
    return 1 + sum(1 + (nodes(x.child) - 1 if x.child is not None else 0) for x in tree.lines)


def largest_line(session: Session) -> tuple[str, int, int]:
    """(order, line, nodes) of the largest tree among the lines of the orders with the
    most order-BOM lines."""
    numbers = session.scalars(
        text(
            "SELECT so.number FROM bom b JOIN bom_line l ON l.bom_id = b.id "
            "JOIN sales_order so ON so.id = b.sales_order_id WHERE b.kind = 'order' "
            "GROUP BY so.number ORDER BY count(*) DESC, so.number LIMIT :n"
        ),
        {"n": CANDIDATE_ORDERS},
    ).all()
    pairs = session.execute(
        select(SalesOrder, SalesOrderLine)
        .join(SalesOrderLine, SalesOrderLine.sales_order_id == SalesOrder.id)
        .where(SalesOrder.number.in_(numbers))
    ).all()
    found = costing.line_estimates(
        session, [(o, r) for o, r in pairs], money.costing_settings(session)
    )
    best = max(found, key=lambda e: (nodes(e.tree), e.ref))
    number, line = best.ref.rsplit("/", 1)
    return number, int(line), nodes(best.tree)


def median_project(session: Session, *, largest: bool = False) -> tuple[str, str, int]:
    """(customer, project, lines) of the median project by number of lines (or the largest)."""
    rows = session.execute(
        text(
            "SELECT c.code, p.code, count(l.id) FROM project p "
            "JOIN customer c ON c.id = p.customer_id "
            "JOIN sales_order so ON so.project_id = p.id "
            "JOIN sales_order_line l ON l.sales_order_id = so.id "
            "GROUP BY c.code, p.code ORDER BY count(l.id), c.code, p.code"
        )
    ).all()
    customer, project, lines = rows[-1] if largest else rows[len(rows) // 2]
    return str(customer), str(project), int(lines)


def timed(session: Session, call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``call`` after a warm-up; each call in its
    own read transaction, as a request's."""
    call()
    session.rollback()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        session.rollback()
    return statistics.median(walls), statistics.median(cpus)


def cold(session: Session, customer: str, project: str, repeat: int) -> tuple[float, float]:
    """The project's report when none of its lines' estimates is stored (a database just
    upgraded to 0025, or the first report after a company-wide change of prices or
    rates): every line estimated level by level, then stored. Each call starts with the
    stored estimates deleted (committed), so it measures the computing and the storing."""
    walls, cpus = [], []
    for _ in range(repeat):
        session.execute(delete(LineCostEstimate))
        session.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        variance.project_variance(session, customer, project)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        session.rollback()
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    engine = prepare(args.fraction, args.db)
    rows = []
    with db.session_factory(engine)() as session:
        number, line, size = largest_line(session)
        session.rollback()
        wall, cpu = timed(session, lambda: costing.line_cost(session, number, line), args.repeat)
        rows.append(["line", f"{number}/{line}: {size} nodes", wall, cpu])
        count = len(variance.open_orders_actual(session))
        session.rollback()
        wall, cpu = timed(session, lambda: variance.open_orders_actual(session), args.repeat)
        rows.append(["open orders", f"actual cost of {count:,} open orders", wall, cpu])
        for largest in (False, True):
            customer, project, lines = median_project(session, largest=largest)
            session.rollback()
            wall, cpu = timed(
                session,
                lambda c=customer, p=project: variance.project_variance(session, c, p),
                args.repeat,
            )
            what = "largest" if largest else "median"
            rows.append(["project", f"{what}: {customer} / {project}, {lines} lines", wall, cpu])
        wall, cpu = cold(session, customer, project, args.repeat)
        rows.append(["project", f"largest, nothing stored: {customer} / {project}", wall, cpu])
    engine.dispose()
    print_table(
        f"Cost of customization at {args.fraction:g} of full size, medians of {args.repeat} (ms)",
        ["measure", "what", "wall", "CPU", "target", "wall ≤ target", "CPU ≤ target"],
        [
            [
                name,
                what,
                f"{wall:,.1f}",
                f"{cpu:,.1f}",
                f"{TARGETS_MS[name]:,.0f}",
                "yes" if wall <= TARGETS_MS[name] else "NO",
                "yes" if cpu <= TARGETS_MS[name] else "NO",
            ]
            for name, what, wall, cpu in rows
        ],
    )


if __name__ == "__main__":
    main()
