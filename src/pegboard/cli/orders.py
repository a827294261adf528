"""``pegboard order``, ``customer``, ``project``, ``template``: the make-to-order workflow."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.tree import Tree

from pegboard import clock
from pegboard.cli._common import (
    BadInput,
    as_date,
    as_number,
    console,
    emit,
    esc,
    fmt,
    handles_errors,
    session,
)
from pegboard.config import get_settings
from pegboard.errors import ValidationError
from pegboard.model import SalesOrderStatus
from pegboard.services import audit, order_bom, order_changes, sales, templates
from pegboard.services.order_bom import BomView, LineTree

order_app = typer.Typer(help="Sales orders: enter, configure, show, change.", no_args_is_help=True)
customer_app = typer.Typer(help="Customers.", no_args_is_help=True)
project_app = typer.Typer(
    help="Customer projects (several orders of one job).", no_args_is_help=True
)
template_app = typer.Typer(help="Engineering BOM templates with parameters.", no_args_is_help=True)


def _author() -> str:
    return get_settings().user


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``--param name=value`` pairs; the configurator checks each value (a blank one too)."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"--param takes name=value, not {pair!r}")
        values[name.strip()] = value.strip()
    return values


@customer_app.command("add")
@handles_errors
def customer_add(code: str, name: Annotated[str, typer.Option()] = "") -> None:
    """Add a customer."""
    with session() as s:
        sales.create_customer(s, code=code, name=name, author=_author())
    console.print(f"customer {esc(code)} added")


@project_app.command("add")
@handles_errors
def project_add(customer: str, code: str, name: Annotated[str, typer.Option()] = "") -> None:
    """Add a project to a customer."""
    with session() as s:
        sales.create_project(s, customer=customer, code=code, name=name, author=_author())
    console.print(f"project {esc(code)} of {esc(customer)} added")


@project_app.command("show")
@handles_errors
def project_show(customer: str, code: str) -> None:
    """A project's orders: status, promised and projected dates."""
    with session() as s, s.begin():
        rows = sales.project_overview(s, customer, code)
    emit(
        f"Project {code} of {customer}",
        ("order", "status", "lines", "promised", "projected", "days late"),
        [(r.number, r.status, r.lines, r.due, r.projected or "", r.late_days) for r in rows],
        numeric=("lines", "days late"),
    )


@order_app.command("create")
@handles_errors
def order_create(
    customer: Annotated[str, typer.Option(help="customer id")],
    project: Annotated[str | None, typer.Option(help="project of that customer")] = None,
    number: Annotated[str | None, typer.Option(help="default: the next SO-n")] = None,
) -> None:
    """Create a draft sales order and print its number."""
    with session() as s:
        created = sales.create_order(
            s, customer=customer, project=project, number=number, author=_author()
        )
    console.print(esc(created))


@order_app.command("add-line")
@handles_errors
def order_add_line(
    number: str,
    item: Annotated[str, typer.Option()],
    qty: Annotated[float, typer.Option(parser=as_number)],
    due: Annotated[date, typer.Option(parser=as_date, help="YYYY-MM-DD")],
    priority: Annotated[int, typer.Option()] = 100,
) -> None:
    """Add a line (a plain item or a configurable product)."""
    with session() as s:
        line = sales.add_line(
            s, number, item=item, qty=qty, due=due, priority=priority, author=_author()
        )
    console.print(esc(f"{number}/{line}"))


@order_app.command("confirm")
@handles_errors
def order_confirm(number: str) -> None:
    """Confirm a draft order: from now on the plan sees it."""
    with session() as s:
        sales.set_status(s, number, SalesOrderStatus.CONFIRMED, author=_author())
    console.print(esc(f"{number} confirmed"))


@order_app.command("configure")
@handles_errors
def order_configure(
    number: str,
    line: int,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="name=value, repeatable")
    ] = None,
    discard_edits: Annotated[
        bool,
        typer.Option(
            "--discard-edits", help="re-configuring drops the order BOM's hand edits: do it"
        ),
    ] = False,
) -> None:
    """Configure a line: order BOM tree and production orders, dated back from the due date.
    Re-configuring a line whose order BOM was edited by hand is refused, naming the edits,
    unless --discard-edits."""
    values = parse_params(param or [])
    with session() as s:
        tree = order_bom.configure_line(
            s,
            number,
            line,
            values,
            author=_author(),
            today=clock.today(),
            discard_edits=discard_edits,
        )
    print_line_tree(tree)


@order_app.command("show")
@handles_errors
def order_show(number: str) -> None:
    """The order's lines with their order BOM trees and production orders."""
    with session() as s, s.begin():
        lines = order_bom.order_tree(s, number, today=clock.today())
    for tree in lines:
        print_line_tree(tree)


@order_app.command("change")
@handles_errors
def order_change(
    number: str,
    line: int,
    qty: Annotated[float | None, typer.Option(parser=as_number)] = None,
    due: Annotated[date | None, typer.Option(parser=as_date, help="YYYY-MM-DD")] = None,
) -> None:
    """Change a line's quantity or due date; released production orders are flagged."""
    with session() as s:
        flagged = order_changes.change_line(
            s,
            number,
            line,
            qty=qty,
            due=due,
            author=_author(),
            today=clock.today(),
        )
    console.print(
        f"{number}/{line} changed" + (f"; review {', '.join(flagged)}" if flagged else "")
    )


@order_app.command("cancel-line")
@handles_errors
def order_cancel_line(number: str, line: int) -> None:
    """Cancel a line, its unreleased production orders and its reservations."""
    with session() as s:
        flagged = order_changes.cancel_line(s, number, line, author=_author())
    console.print(
        f"{number}/{line} cancelled" + (f"; review {', '.join(flagged)}" if flagged else "")
    )


@order_app.command("bom-edit")
@handles_errors
def order_bom_edit(
    bom: Annotated[str, typer.Argument(help="order BOM number, e.g. BOM-SO-1042-1")],
    position: Annotated[
        int | None, typer.Option(help="line to change or remove; omit to add")
    ] = None,
    component: Annotated[str | None, typer.Option()] = None,
    qty: Annotated[
        float | None, typer.Option(parser=as_number, help="quantity per parent unit")
    ] = None,
    scrap: Annotated[float | None, typer.Option(parser=as_number, help="scrap percentage")] = None,
    remove: Annotated[bool, typer.Option("--remove")] = False,
) -> None:
    """Edit an order BOM by hand, for this order only (recorded with who and when)."""
    with session() as s:
        view = order_bom.edit_bom_line(
            s,
            bom,
            position=position,
            component=component,
            qty_per=qty,
            scrap_pct=scrap,
            remove=remove,
            author=_author(),
        )
    tree = Tree(f"[cyan]{esc(view.number)}[/] {esc(view.item)}")
    _bom_branch(tree, view)
    console.print(tree)


@order_app.command("copy-bom")
@handles_errors
def order_copy_bom(
    bom: Annotated[str, typer.Argument(help="order BOM to copy")],
    to: Annotated[str, typer.Option(help="target sales order")],
    line: Annotated[int, typer.Option(help="target line")],
) -> None:
    """Give another sales-order line the same order BOM (with its own production orders)."""
    with session() as s:
        tree = order_bom.copy_order_bom(s, bom, to, line, author=_author(), today=clock.today())
    print_line_tree(tree)


@order_app.command("save-template")
@handles_errors
def order_save_template(
    bom: Annotated[str, typer.Argument(help="order BOM to keep")],
    item: Annotated[str, typer.Argument(help="code of the new product")],
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Keep an order BOM as a new product with its own engineering BOM, for other customers."""
    with session() as s:
        code = order_bom.save_as_template(s, bom, item, description=description, author=_author())
    console.print(f"saved {bom} as {code}")


def _bom_branch(tree: Tree, bom: BomView) -> None:
    for line in bom.lines:
        label = f"{line.qty_shown} × [bold]{esc(line.component)}[/] {esc(line.description)}"
        if line.scrap_pct:
            label += f" (+{line.scrap_shown} % scrap)"
        branch = tree.add(label)
        if line.child is not None:
            branch.label = f"{label}  [cyan]{esc(line.child.number)}[/]"
            _bom_branch(branch, line.child)


def print_line_tree(line: LineTree) -> None:
    root = Tree(
        f"[bold]{esc(line.ref)}[/] {esc(line.item)} × {fmt(line.qty)}, "
        f"due {line.due.isoformat()} ({line.status})"
    )
    if line.bom is not None:
        config = ", ".join(f"{k}={fmt(v)}" for k, v in line.bom.configuration.items())
        bom_root = root.add(f"[cyan]{esc(line.bom.number)}[/] {esc(config)}")
        _bom_branch(bom_root, line.bom)
    console.print(root)
    if line.production_orders:
        emit(
            "Production orders",
            ("order", "item", "qty", "start", "due", "status", "parent", "flag"),
            [
                (
                    p.number,
                    p.item,
                    p.qty,
                    p.start,
                    p.due,
                    p.status,
                    p.parent or "",
                    "start in the past"
                    if p.start_in_past
                    else ("review" if p.needs_review else ""),
                )
                for p in line.production_orders
            ],
            numeric=("qty",),
        )


@template_app.command("load")
@handles_errors
def template_load(
    path: Annotated[Path, typer.Argument(help="JSON file: one template or a list")],
) -> None:
    """Define engineering BOM templates from a JSON file (formulas are checked, never executed)."""
    try:
        definitions = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValidationError(f"{path}: cannot read a JSON template file ({e})") from None
    if isinstance(definitions, dict):
        definitions = [definitions]
    with session() as s:
        numbers = templates.define_templates(s, definitions, author=_author())
    console.print(f"defined {', '.join(numbers)}")


def _changes(before: dict[str, object] | None, after: dict[str, object] | None) -> str:
    """``key: old → new`` for what changed; new values alone for a creation."""
    before, after = before or {}, after or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new or new in (None, [], {}):
            continue
        text = json.dumps(new, ensure_ascii=False) if not isinstance(new, str) else new
        parts.append(f"{key}: {old} → {text}" if key in before else f"{key}: {text}")
    return "; ".join(parts)


@order_app.command("history")
@handles_errors
def order_history(number: str) -> None:
    """Every recorded change of an order, its lines and its order BOMs, oldest first."""
    with session() as s, s.begin():
        entries = audit.history(s, sales_order=number, limit=1000)
    emit(
        f"History of {number}",
        ("when", "who", "what", "action", "changes"),
        [
            (
                e.at.strftime("%Y-%m-%d %H:%M"),
                e.author,
                e.entity_ref,
                e.action,
                _changes(e.before, e.after),
            )
            for e in reversed(entries)
        ],
    )
