"""Top-level commands: data in and out, plan, demo."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape as esc

from pegboard.cli._common import (
    as_date,
    console,
    emit,
    err_console,
    handles_errors,
    open_engine,
    progress_bar,
    session,
)
from pegboard.cli._lazy import LazyCommand, LazyGroup
from pegboard.demo import DEMOS, demo_path

if TYPE_CHECKING:
    from pegboard.bundle.reader import Progress
    from pegboard.services.dataset import Dataset
    from pegboard.services.planning import PlanSummary

# Start-up (issue #18): the commands below are imported on first use; ``--help`` lists
# them from this table (tests/cli/test_startup.py keeps each help equal to the command's
# own). A new command group goes here, not through ``app.add_typer``, so that it costs
# the other commands nothing; the imports of this module's own commands are inside them.
LAZY: dict[str, LazyCommand] = {
    "promise": LazyCommand(
        "pegboard.cli.promise",
        "app",
        "When can ITEM × QTY be complete? (configured with --param, never saved)",
        group=False,
    ),
    "audit": LazyCommand(
        "pegboard.cli.users",
        "audit_command",
        "The audit trail, newest first: who changed what, when, before and after.",
        group=False,
    ),
    "serve": LazyCommand(
        "pegboard.cli.server",
        "serve",
        "Serve the JSON API (docs at /docs) on the configured database.",
        group=False,
    ),
    "schedule": LazyCommand(
        "pegboard.cli.schedule",
        "app",
        "Schedule the current plan's production orders at finite capacity and give the order "
        "lines the dates it sets.",
        group=False,
    ),
    "firm": LazyCommand(
        "pegboard.cli.firming",
        "firm_command",
        "Firm planned buy and make orders together, all or none: draft purchase orders (one "
        "per supplier) and firm production orders.",
        group=False,
    ),
    "report": LazyCommand("pegboard.cli.report", "app", "Reports on the current plan."),
    "calendar": LazyCommand(
        "pegboard.cli.calendar",
        "app",
        "The plant calendar: the weekdays it works and its holidays.",
    ),
    "db": LazyCommand(
        "pegboard.cli.database", "app", "The database schema: see where it is, upgrade it."
    ),
    "scenario": LazyCommand(
        "pegboard.cli.scenario",
        "app",
        "What-if copies of the whole company: create, list, delete, compare plans.",
    ),
    "capacity": LazyCommand(
        "pegboard.cli.capacity", "app", "Work centers, routings and the load on them."
    ),
    "mps": LazyCommand(
        "pegboard.cli.mps",
        "app",
        "The master production schedule: items made to a weekly schedule.",
    ),
    "cost": LazyCommand(
        "pegboard.cli.cost",
        "app",
        "Cost: estimated against actual cost, variance and margin of an order, a project or "
        "an item.",
    ),
    "order": LazyCommand(
        "pegboard.cli.orders", "order_app", "Sales orders: enter, configure, show, change."
    ),
    "customer": LazyCommand("pegboard.cli.orders", "customer_app", "Customers."),
    "project": LazyCommand(
        "pegboard.cli.orders", "project_app", "Customer projects (several orders of one job)."
    ),
    "template": LazyCommand(
        "pegboard.cli.orders", "template_app", "Engineering BOM templates with parameters."
    ),
    "bom": LazyCommand(
        "pegboard.cli.bom",
        "app",
        "Engineering BOMs line by line: show, add, change, move, remove.",
    ),
    "money": LazyCommand(
        "pegboard.cli.money",
        "app",
        "The company currency and the overhead rates estimated costs add.",
    ),
    "po": LazyCommand(
        "pegboard.cli.purchasing",
        "app",
        "Purchase orders: firm from the plan, enter, confirm, ship, receive, cancel.",
    ),
    "mo": LazyCommand(
        "pegboard.cli.production",
        "app",
        "Production orders: firm from the plan, release, issue, complete, scrap, close.",
    ),
    "ship": LazyCommand(
        "pegboard.cli.shipping", "app", "Shipments: ship sales-order lines, record deliveries."
    ),
    "stock": LazyCommand(
        "pegboard.cli.stock",
        "app",
        "Stock: position and projection of an item, adjust, transfer, reserve, check.",
    ),
    "location": LazyCommand(
        "pegboard.cli.location",
        "app",
        "Stock locations: list, add, describe (stock goes only into a known location).",
    ),
    "supplier": LazyCommand(
        "pegboard.cli.supplier",
        "app",
        "Suppliers: list, show, assign to bought items, rename or merge.",
    ),
    "user": LazyCommand("pegboard.cli.users", "app", "Users, roles and API tokens."),
    "job": LazyCommand(
        "pegboard.cli.jobs",
        "app",
        "Background jobs: plan runs, imports and policy runs; cancel one that runs.",
    ),
    "policy": LazyCommand(
        "pegboard.cli.policy",
        "app",
        "Stock policy of common (MTS) components from the open order backlog.",
    ),
}


class Root(LazyGroup):
    lazy = LAZY


app = typer.Typer(
    help="pegboard: make-to-order planning. Import a bundle, plan it, see what to buy and make.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=Root,
)


@app.callback()
def main(
    ctx: typer.Context,
    scenario_name: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="work on this what-if copy of the company (pegboard scenario list), "
            "never the live one",
            envvar="PEGBOARD_SCENARIO",
        ),
    ] = None,
) -> None:
    """pegboard: make-to-order planning. Import a bundle, plan it, see what to buy and make."""
    from pegboard.config import use_scenario
    from pegboard.errors import PegboardError

    use_scenario(scenario_name or "")
    ctx.call_on_close(lambda: use_scenario(None))  # in-process callers (tests) start clean
    if scenario_name:
        from pegboard.services import scenarios

        try:
            scenarios.require(scenario_name)
        except PegboardError as e:
            err_console.print(f"[bold red]error:[/] {esc(e.message)}", highlight=False)
            raise typer.Exit(1) from None
        err_console.print(f"[black on yellow] scenario {esc(scenario_name)} [/]", highlight=False)


@app.command()
@handles_errors
def init() -> None:
    """Create or upgrade the database schema (PEGBOARD_DATABASE_URL, default ./pegboard.db)."""
    from pegboard.config import get_settings

    open_engine(upgrade=True).dispose()
    console.print(f"database ready: {get_settings().database_url}")


def _run_job(kind: str, label: str, **params: Any) -> dict[str, Any]:
    """Run a job of ``kind`` here and now with a progress bar, recorded like the server's
    (a second plan run or import is refused); a failure is recorded, then raised."""
    from pegboard.config import get_settings
    from pegboard.services import jobs

    engine = open_engine()
    try:
        with progress_bar(label) as bar:
            return jobs.run_here(engine, kind, author=get_settings().user, progress=bar, **params)
    finally:
        engine.dispose()


def _import(
    path: Path,
    read: Callable[[Path, Progress], Dataset] | None = None,
    *,
    allow_empty: bool = False,
) -> None:
    """Replace the company with what ``read`` makes of ``path`` (a bundle), as an
    import job with progress bars (``read``: the bundle importer's ``read_bundle``)."""
    import pegboard.bundle.upload  # noqa: F401  (it registers the import job kind)

    if read is None:
        from pegboard.bundle.importer import read_bundle

        read = read_bundle
    started = time.perf_counter()
    result = _run_job("import", "import", source=path, read=read, allow_empty=allow_empty)
    rows = list(result["rows"].items())
    emit(
        f"Imported {path.name} in {time.perf_counter() - started:.1f} s",
        ("file", "rows"),
        rows,
        numeric=("rows",),
    )


@app.command("import")
@handles_errors
def import_(
    path: Annotated[Path, typer.Argument(help="bundle folder of CSV files, or an .xlsx workbook")],
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="import an items.csv without rows (it deletes every item)"
        ),
    ] = False,
    upsert: Annotated[
        bool,
        typer.Option(
            "--upsert", help="add and change rows by their key instead of replacing the company"
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="with --upsert: only say what it would change")
    ] = False,
) -> None:
    """Replace the planning data with a bundle. Nothing is written if any row is bad; an
    items.csv without rows is refused unless --allow-empty. With --upsert: add the bundle's
    new rows and change the changed ones in place, deleting nothing; with --upsert
    --dry-run: per file, the rows it would add, change and leave (docs/bundle-upsert.md)."""
    if dry_run and not upsert:
        from pegboard.errors import ValidationError

        raise ValidationError("--dry-run goes with --upsert (a replacing import has none)")
    if upsert:
        _upsert(path, dry_run=dry_run)
        return
    _import(path, allow_empty=allow_empty)


def _upsert(path: Path, *, dry_run: bool) -> None:
    """pegboard import --upsert [--dry-run]: per file the rows added, changed and left
    (written as an import job, or only counted), then the first changes."""
    from pegboard.bundle.upload import upsert_preview
    from pegboard.bundle.upsert import SHOWN, describe, from_result

    if dry_run:
        with session() as s:
            previews = upsert_preview(s, path)
        title = f"Upsert of {path.name} (dry run: nothing written)"
    else:
        import pegboard.bundle.upload  # noqa: F401  (it registers the import job kind)

        result = _run_job("import", "upsert", source=path, upsert=True)
        previews = [from_result(f) for f in result["upsert"]]
        title = f"Upserted {path.name}"
    rows = [(p.file, p.added, p.changed, p.unchanged) for p in previews]
    emit(
        title,
        ("file", "added", "changed", "unchanged"),
        rows,
        numeric=("added", "changed", "unchanged"),
    )
    for line in describe(previews):
        typer.echo(line)
    if any(p.changed > SHOWN or p.added > SHOWN for p in previews):
        typer.echo(f"(the first {SHOWN} rows of each file are listed)")


@app.command()
@handles_errors
def export(
    out_dir: Annotated[
        Path | None, typer.Argument(help="folder to write the bundle to (CSV files)")
    ] = None,
    xlsx: Annotated[
        Path | None,
        typer.Option(help="write the data as one .xlsx workbook instead (a sheet per file)"),
    ] = None,
) -> None:
    """Write the planning data, and the current plan if there is one, as CSV files; or,
    with --xlsx FILE, the data as one workbook that pegboard import reads back."""
    from pegboard.bundle.upload import export_workbook
    from pegboard.bundle.upload import snapshot as export_snapshot
    from pegboard.errors import ValidationError

    if (out_dir is None) == (xlsx is None):
        raise ValidationError("give a folder to export to, or --xlsx FILE (not both)")
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            raise ValidationError(f"--xlsx {xlsx}: the file name must end in .xlsx")
        with session() as s:
            written = export_workbook(s, xlsx)
        written.remove()
        counts = written.counts
        emit(f"Exported to {xlsx}", ("sheet", "rows"), list(counts.items()), numeric=("rows",))
        return
    assert out_dir is not None
    with session() as s:
        counts = export_snapshot(s, out_dir)
    emit(f"Exported to {out_dir}", ("file", "rows"), list(counts.items()), numeric=("rows",))


@app.command()
@handles_errors
def generate(
    out_dir: Annotated[Path, typer.Argument(help="folder to write the bundle to")],
    components: Annotated[int, typer.Option(min=1)] = 200,
    subassemblies: Annotated[int, typer.Option(min=1)] = 40,
    orders: Annotated[int, typer.Option(min=1)] = 100,
    seed: int = 1,
) -> None:
    """Write a synthetic make-to-order company as a bundle (the same seed gives the same files)."""
    from pegboard.bundle.generate import generate_bundle

    with progress_bar("generating") as progress:
        counts = generate_bundle(
            out_dir,
            components=components,
            subassemblies=subassemblies,
            orders=orders,
            seed=seed,
            progress=lambda done, total: progress("rows", done, total),
        )
    emit(f"Generated {out_dir}", ("file", "rows"), list(vars(counts).items()), numeric=("rows",))


def _plan(planning_date: date | None) -> PlanSummary:
    from pegboard.services.planning import PlanSummary

    result = _run_job("plan", "plan", planning_date=planning_date)
    summarised = result.pop("load_summary_seconds", None)  # the job's step after the plan
    summary = PlanSummary(**result | {"planning_date": date.fromisoformat(result["planning_date"])})
    emit(
        f"Plan of {summary.planning_date.isoformat()} (run {summary.run_id})",
        ("", "count", "seconds"),
        [
            ("items", summary.items, ""),
            ("sales-order lines", summary.demands, ""),
            ("planned orders", summary.planned_orders, ""),
            ("pegging rows", summary.pegging_rows, ""),
            ("exceptions", summary.exceptions, ""),
            (
                "load / engine / store",
                "",
                f"{summary.load_seconds:.2f} / "
                f"{summary.engine_seconds:.2f} / {summary.store_seconds:.2f}",
            ),
            (
                "capacity summary",
                "",
                "not worked out" if summarised is None else f"{summarised:.2f}",
            ),
        ],
        numeric=("count", "seconds"),
    )
    return summary


@app.command()
@handles_errors
def plan(
    planning_date: Annotated[
        date | None,
        typer.Option(
            "--date", parser=as_date, help="plan as of this day (default: settings, else today)"
        ),
    ] = None,
    finite: Annotated[
        bool,
        typer.Option(
            "--finite",
            help="then schedule the production orders at finite capacity (pegboard schedule): "
            "the order lines take its dates",
        ),
    ] = False,
) -> None:
    """Plan every open order and replace the current plan; print what needs attention."""
    summary = _plan(planning_date)
    if finite:
        _schedule()
    _attention(summary.planning_date)


def _schedule() -> None:
    """The finite schedule of the plan just made, with its counts."""
    from pegboard.cli.schedule import print_summary
    from pegboard.config import get_settings
    from pegboard.services.schedule_run import run_schedule

    with session() as s:
        print_summary(run_schedule(s, author=get_settings().user).as_result())


def _attention(planning_date: date, limit: int = 12) -> None:
    """Late lines, shortages, this week's releases and actions: what a planner looks at first."""
    from pegboard.cli import report
    from pegboard.services import reports

    week = planning_date + timedelta(days=7)
    with session() as s, s.begin():
        late = reports.late_orders(s, limit=limit)
        report.print_late(late, total=reports.count_late(s))
        report.print_exceptions(
            _title("Shortages", limit, reports.count_exceptions(s, reports.SHORTAGE)),
            reports.shortages(s, limit=limit),
        )
        buy_total = reports.count_planned(s, "buy", until=week)
        report.print_planned(
            _title(f"Buy by {week.isoformat()}", limit, buy_total),
            reports.buy_list(s, until=week, limit=limit),
            by="supplier",
        )
        make_total = reports.count_planned(s, "make", until=week)
        report.print_planned(
            _title(f"Make by {week.isoformat()}", limit, make_total),
            reports.make_list(s, until=week, limit=limit),
            by="item",
        )
        report.print_exceptions(
            _title("Actions on open orders", limit, reports.count_exceptions(s, reports.ACTIONS)),
            reports.actions(s, limit=limit),
        )


def _title(label: str, limit: int, total: int) -> str:
    return f"{label} ({total:,})" if total <= limit else f"{label} (first {limit} of {total:,})"


DEMO_USER = "planner"


@app.command()
@handles_errors
def demo(
    company: Annotated[str, typer.Option(help=f"one of: {', '.join(DEMOS)}")] = "lighting",
    serve: Annotated[bool, typer.Option(help="then serve the web UI and API until Ctrl-C")] = True,
    port: Annotated[int, typer.Option(help="port to serve on (127.0.0.1)")] = 8000,
) -> None:
    """Load a sample company into the database, plan it and schedule it at finite capacity,
    show what matters today, add the login "planner" and serve the web UI on
    http://127.0.0.1:8000/ (--no-serve: don't)."""
    from rich.panel import Panel

    from pegboard import clock
    from pegboard.bundle.demo import demo_dataset
    from pegboard.cli import server
    from pegboard.config import get_settings

    console.print(
        Panel(f"pegboard demo: the {company} sample company → {get_settings().database_url}")
    )
    folder = demo_path(company)
    open_engine(upgrade=True).dispose()
    _import(folder, lambda _path, progress: demo_dataset(company, clock.today(), progress))
    _demo_configured_order(folder)
    summary = _plan(None)
    _schedule()  # as `pegboard plan --finite`: the demo shows what capacity does to dates
    _attention(summary.planning_date)
    password = _demo_login()
    console.print(
        "\nNext: [bold]pegboard report pegging SO-…[/], [bold]pegboard report late[/], "
        "[bold]pegboard order show SO-…[/], [bold]pegboard export out/[/]"
    )
    console.print(
        f"\nWeb UI: http://127.0.0.1:{port}/  (API docs: /docs)\n"
        f"Log in as [bold]{DEMO_USER}[/] with password [bold]{password}[/]",
        highlight=False,
    )
    if serve:
        console.print("Serving until Ctrl-C.")
        server.serve(host="127.0.0.1", port=port, workers=1)


def _demo_login() -> str:
    """Give the demo user (a planner) a fresh random password and return it: created if
    missing, else its password reset (and its role planner, switched on)."""
    from pegboard.config import get_settings
    from pegboard.errors import NotFoundError
    from pegboard.model.enums import Role
    from pegboard.services import users as user_service

    password = secrets.token_urlsafe(12)
    author = get_settings().user
    with session() as s:
        try:
            user_service.get_user(s, DEMO_USER)
        except NotFoundError:
            user_service.create_user(
                s, name=DEMO_USER, password=password, role=Role.PLANNER, author=author
            )
        else:
            user_service.update_user(
                s,
                name=DEMO_USER,
                role=Role.PLANNER,
                active=True,
                password=password,
                author=author,
            )
    return password


def _demo_configured_order(folder: Path) -> None:
    """Enter the sample's example order and configure it, as a planner would."""
    from pegboard import clock
    from pegboard.cli import orders
    from pegboard.config import get_settings
    from pegboard.model.enums import SalesOrderStatus
    from pegboard.services import order_bom, sales
    from pegboard.services.company_data import configured_planning_date

    example = folder / "example_order.json"
    if not example.exists():
        return
    author = get_settings().user
    order = json.loads(example.read_text(encoding="utf-8"))
    with session() as s:
        with s.begin():
            today = configured_planning_date(s) or clock.today()
        number = sales.create_order(
            s, customer=order["customer"], project=order.get("project"), author=author
        )
        lines = [
            (
                sales.add_line(
                    s,
                    number,
                    item=line["item"],
                    qty=float(line["qty"]),
                    due=today + timedelta(days=int(line["due_in_days"])),
                    unit_price=line.get("unit_price"),  # quoted: its cost tab shows the margin
                    discount_pct=line.get("discount_pct"),
                    author=author,
                ),
                line["params"],
            )
            for line in order["lines"]
        ]
        sales.set_status(s, number, SalesOrderStatus.CONFIRMED, author=author)
        for n, params in lines:
            orders.print_line_tree(
                order_bom.configure_line(s, number, n, params, author=author, today=today)
            )
