"""``pegboard policy``: reorder points and order quantities of common components."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from pegboard.cli._common import (
    as_number,
    console,
    emit,
    err_console,
    esc,
    handles_errors,
    open_engine,
    progress_bar,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import CsvOption, author, styled_table

if TYPE_CHECKING:
    from pegboard.engine.policy import Figure
    from pegboard.services import jobs, wording
    from pegboard.services.policy import applying as policy_applying
    from pegboard.services.policy import explain as policy_explain
    from pegboard.services.policy import item_policy as _item_policy
    from pegboard.services.policy import runs as policy_runs
    from pegboard.services.policy import settings as policy_settings
    from pegboard.services.policy import stored as policy_stored
    from pegboard.services.policy.item_policy import ItemPolicy
else:
    _item_policy = deferred("pegboard.services.policy.item_policy")
    jobs = deferred("pegboard.services.jobs")
    wording = deferred("pegboard.services.wording")
    policy_applying = deferred("pegboard.services.policy.applying")
    policy_explain = deferred("pegboard.services.policy.explain")
    policy_runs = deferred("pegboard.services.policy.runs")
    policy_settings = deferred("pegboard.services.policy.settings")
    policy_stored = deferred("pegboard.services.policy.stored")

app = typer.Typer(
    help="Stock policy of common (MTS) components from the open order backlog.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ItemsOption = Annotated[
    str | None, typer.Option("--items", help="comma-separated item codes (default: every MTS item)")
]
WindowOption = Annotated[
    int | None, typer.Option("--window", help="days of usage to average (default: per item)")
]
LevelOption = Annotated[
    float | None,
    typer.Option("--service-level", parser=as_number, help="e.g. 0.95 (default: item/company)"),
]
SORTS = (
    "item",
    "adu",
    "lead_time",
    "safety_stock",
    "reorder_point",
    "order_qty",
    "position",
    "suggested_qty",
)
"""What ``policy show --sort`` takes: the service's ``policy.stored.SORTS``, written here so
that ``--help`` loads no service (issue #18); tests/cli/test_startup.py holds them equal."""
BAR_WIDTH = 48


def _codes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c for c in (part.strip() for part in text.split(",")) if c]


def _r(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


def _run_options(run: policy_runs.PolicyRunView) -> str:
    options = []
    if run.window_days is not None:
        options.append(f"--window {run.window_days}")
    if run.service_level is not None:
        options.append(f"--service-level {run.service_level:g}")
    return f" ({', '.join(options)})" if options else ""


def _computed(run: policy_runs.PolicyRunView) -> str:
    when = run.finished_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"policy run {run.id}, computed {when} by {run.author} as of "
        f"{run.planning_date.isoformat()}{_run_options(run)}; `pegboard policy run` refreshes it"
    )


def _print_summary(summary: policy_runs.PolicySummary) -> None:
    console.print(
        f"policy run {summary.run_id} as of {summary.planning_date.isoformat()}: "
        f"{wording.plural(summary.items, 'MTS item')}, {summary.below:,} to order "
        f"(load {summary.load_seconds:.2f} s, compute {summary.compute_seconds:.2f} s, "
        f"store {summary.store_seconds:.2f} s)",
        highlight=False,
    )


def _run(window: int | None, service_level: float | None) -> policy_runs.PolicySummary:
    """A policy run as a job of this process (refused while another runs), with a bar."""
    engine = open_engine()
    try:
        with progress_bar("policy") as bar:
            result = jobs.run_here(
                engine,
                "policy",
                author=author(),
                progress=bar,
                window_days=window,
                service_level=service_level,
            )
    finally:
        engine.dispose()
    day = date.fromisoformat(result.pop("planning_date"))
    return policy_runs.PolicySummary(**result, planning_date=day)


@app.command("run")
@handles_errors
def run(window: WindowOption = None, service_level: LevelOption = None) -> None:
    """Compute every MTS item's policy and store it (what show, explain and apply read)."""
    _print_summary(_run(window, service_level))


@app.command("show")
@handles_errors
def show(
    items: ItemsOption = None,
    below: Annotated[bool, typer.Option("--below", help="only items below reorder point")] = False,
    search: Annotated[
        str | None, typer.Option("--search", help="item code or description contains")
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option("--sort", help=f"one of {', '.join(SORTS)}; -name: descending"),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="rows at most", min=1)] = None,
    as_csv: CsvOption = False,
) -> None:
    """The latest policy run per MTS item (computed first if there is none); to order first."""
    with session() as s:
        if policy_runs.latest_run(s) is None:
            err_console.print("no policy run yet: computing one")
            _print_summary(_run(None, None))
            s.rollback()  # see the run just stored
        result = policy_stored.policy_page(
            s, below_only=below, q=search, sort=sort, limit=limit or 10_000_000, offset=0
        )
    assert result.run is not None
    rows = result.rows
    codes = _codes(items)
    if codes is not None:
        wanted = set(codes)
        rows = [p for p in rows if p.item in wanted]
    header = ("item", "order", "ADU", "σd", "L", "SS", "ROP", "Q", "position", "suggest")
    table = [
        (
            p.item + (" (buffer)" if p.buffer else ""),
            "ORDER" if p.below_rop else "",
            _r(p.adu),
            _r(p.sigma_d),
            p.lead_time,
            p.quantity(p.top_of_red if p.buffer else p.safety_stock),
            p.quantity(p.top_of_yellow if p.buffer else p.reorder_point),
            p.quantity(p.order_qty),
            _r(p.position.total),
            p.quantity(p.suggested_qty) if p.below_rop else "",
        )
        for p in rows
    ]
    if as_csv:
        emit("Stock policy", header, table, as_csv=True)
        return
    err_console.print(_computed(result.run), highlight=False)
    if not table:
        console.print("[bold]Stock policy[/]: [dim]nothing to show[/]")
        return
    numeric = ("ADU", "σd", "L", "SS", "ROP", "Q", "position", "suggest")
    console.print(
        styled_table(
            "Stock policy (ORDER: position at or below reorder point; buffers: SS = top of red, "
            "ROP = top of yellow)",
            header,
            table,
            numeric=numeric,
            whole=("order",),
            styles=["bold" if p.below_rop else "" for p in rows],
        )
    )


def _figures(title: str, figures: tuple[Figure, ...], p: ItemPolicy) -> None:
    def value(f: Figure) -> float | str:
        if f.value is not None and f.name in _item_policy.QUANTITY_FIGURES:
            return p.quantity(f.value)
        return _r(f.value)

    emit(title, ("figure", "value", "why"), [(f.name, value(f), f.formula) for f in figures])


def _zone_bar(p: ItemPolicy) -> None:
    z = p.zones
    if z is None or z.top_of_green <= 0:
        return
    scale = BAR_WIDTH / z.top_of_green
    red = round(z.red * scale)
    yellow = round(z.top_of_yellow * scale) - red
    green = BAR_WIDTH - red - yellow
    bar = Text()
    bar.append("R" * red, style="red")
    bar.append("Y" * yellow, style="yellow")
    bar.append("G" * green, style="green")
    console.print(bar)
    marker = min(max(round(z.net_flow * scale), 0), BAR_WIDTH)
    console.print(" " * marker + f"^ net flow position {z.net_flow:,.2f}", highlight=False)


@app.command("explain")
@handles_errors
def explain(item: str) -> None:
    """An item's inputs and every formula with its figures (and its zones, for a buffer),
    from the latest policy run."""
    with session() as s:
        e = policy_explain.explain(s, item)
    p = e.policy
    if e.run is not None:
        console.print(_computed(e.run), style="dim", highlight=False)
    state = "ORDER" if p.below_rop else "no order"
    console.print(
        f"[bold]{esc(p.item)}[/] {esc(p.description)} ({esc(p.unit)}, {p.type}, mts"
        f"{', DDMRP buffer' if p.buffer else ''}): {state}",
        highlight=False,
    )
    _figures("Inputs", p.inputs, p)
    _figures("Reorder point", p.formulas, p)
    if p.zones is not None:
        _figures("Buffer zones", p.zones.figures, p)
        _zone_bar(p)
    busy = [(e.start.fromordinal(e.start.toordinal() + k), q) for k, q in enumerate(e.daily) if q]
    emit("Daily need in the window", ("day", "need"), busy, numeric=("need",), empty="none")


@app.command("set")
@handles_errors
def set_(
    item: str,
    ordering_cost: Annotated[
        float | None, typer.Option("--ordering-cost", parser=as_number, help="cost of one order")
    ] = None,
    holding_pct: Annotated[
        float | None,
        typer.Option("--holding-pct", parser=as_number, help="yearly, % of unit cost"),
    ] = None,
    service_level: Annotated[
        float | None, typer.Option("--service-level", parser=as_number)
    ] = None,
    buffer: Annotated[
        bool | None, typer.Option("--buffer/--no-buffer", help="a DDMRP strategic buffer")
    ] = None,
) -> None:
    """Set an item's ordering cost, holding %, service level or buffer flag (they count
    from the next `pegboard policy run`)."""
    changes: dict[str, object] = {}
    for name, value in (
        ("ordering_cost", ordering_cost),
        ("holding_pct", holding_pct),
        ("service_level", service_level),
        ("buffer", buffer),
    ):
        if value is not None:
            changes[name] = value
    with session() as s:
        view = policy_settings.set_item_policy(s, item, changes, author=author())
    emit(
        f"Policy settings of {view.item}",
        ("ordering cost", "holding %", "service level", "buffer"),
        [
            (
                "default" if view.ordering_cost is None else view.ordering_cost,
                "default" if view.holding_pct is None else view.holding_pct,
                "default" if view.service_level is None else view.service_level,
                "yes" if view.buffer else "no",
            )
        ],
    )
    console.print("run `pegboard policy run` to recompute with them", style="dim")


def _change_rows(rows: list[ItemPolicy]) -> list[tuple[object, ...]]:
    return [
        (p.item, c.field, "" if c.before is None else c.before, round(c.after, 6))
        for p in rows
        for c in p.changes
    ]


@app.command("apply")
@handles_errors
def apply(
    items: ItemsOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Write safety stock, min qty and (foq) lot qty from the latest policy run to the items."""
    codes = _codes(items)
    with session() as s:
        run = policy_runs.latest_run(s)
        preview = policy_stored.preview(s, codes)
        if not preview:
            console.print("nothing to change")
            return
        if run is not None:
            console.print(_computed(run), style="dim", highlight=False)
        header = ("item", "field", "before", "after")
        emit("Changes", header, _change_rows(preview), numeric=("before", "after"))
        if not yes and not typer.confirm(f"write these to {wording.plural(len(preview), 'item')}?"):
            console.print("nothing written")
            raise typer.Exit(1)
        changed = policy_applying.apply(s, [p.item for p in preview], author=author())
    console.print(f"{wording.plural(len(changed), 'item')} changed")
