"""``pegboard order``, ``customer``, ``project``, ``template``: the make-to-order workflow."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.tree import Tree

from pegboard import clock
from pegboard.cli._common import (
    ParamOption,
    as_date,
    as_number,
    console,
    emit,
    esc,
    fmt,
    handles_errors,
    parse_params,
    session,
)
from pegboard.cli._deferred import deferred
from pegboard.config import get_settings
from pegboard.errors import ValidationError
from pegboard.model.enums import SalesOrderStatus

if TYPE_CHECKING:
    from pegboard.services import (
        audit,
        cost_estimates,
        costing,
        customers,
        money,
        order_bom,
        order_changes,
        order_tree,
        sales,
        templates,
    )
    from pegboard.services.order_tree import BomView, LineTree
else:
    audit = deferred("pegboard.services.audit")
    cost_estimates = deferred("pegboard.services.cost_estimates")
    costing = deferred("pegboard.services.costing")
    customers = deferred("pegboard.services.customers")
    money = deferred("pegboard.services.money")
    order_bom = deferred("pegboard.services.order_bom")
    order_changes = deferred("pegboard.services.order_changes")
    order_tree = deferred("pegboard.services.order_tree")
    sales = deferred("pegboard.services.sales")
    templates = deferred("pegboard.services.templates")

order_app = typer.Typer(help="Sales orders: enter, configure, show, change.", no_args_is_help=True)
customer_app = typer.Typer(help="Customers.", no_args_is_help=True)
project_app = typer.Typer(
    help="Customer projects (several orders of one job).", no_args_is_help=True
)
template_app = typer.Typer(help="Engineering BOM templates with parameters.", no_args_is_help=True)


def _author() -> str:
    return get_settings().user


@customer_app.command("add")
@handles_errors
def customer_add(code: str, name: Annotated[str, typer.Option()] = "") -> None:
    """Add a customer."""
    with session() as s:
        sales.create_customer(s, code=code, name=name, author=_author())
    console.print(f"customer {esc(code)} added")


@customer_app.command("rename")
@handles_errors
def customer_rename(code: str, name: str) -> None:
    """Give a customer a new name (its code stays; an empty name is the code)."""
    with session() as s:
        shown = customers.rename_customer(s, code, name=name, author=_author())
    console.print(f"customer {esc(code)} is now named {esc(shown)}")


@project_app.command("rename")
@handles_errors
def project_rename(customer: str, code: str, name: str) -> None:
    """Give a customer's project a new name (its code stays)."""
    with session() as s:
        shown = customers.rename_project(s, customer, code, name=name, author=_author())
    console.print(f"project {esc(code)} of {esc(customer)} is now named {esc(shown)}")


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
    """A project's orders: status, promised and projected dates, quoted revenue, estimated
    cost and margin, and the project's (its dates rolled up: how many orders are late)."""
    with session() as s, s.begin():
        rows = sales.project_overview(s, customer, code)
        cost = cost_estimates.project_figures(s, customer, code)
    costs = {o.number: o for o in cost.orders}
    emit(
        f"Project {code} of {customer} ({cost.currency})",
        (
            "order",
            "status",
            "lines",
            "promised",
            "projected",
            "days late",
            "revenue",
            "est. cost",
            "margin",
            "margin %",
        ),
        [
            (
                r.number,
                r.status,
                r.lines,
                r.due,
                r.projected or "",
                r.late_days,
                _cell(costs[r.number].revenue),
                _cell(costs[r.number].cost),
                _cell(costs[r.number].margin),
                _cell(costs[r.number].margin_pct),
            )
            for r in rows
        ],
        numeric=("lines", "days late", "revenue", "est. cost", "margin", "margin %"),
    )
    console.print(f"Dates: {esc(sales.project_dates(rows).summary())}")
    console.print(
        f"Project: revenue {_money(cost.revenue)}, estimated cost {_money(cost.cost)}, "
        f"margin {_money(cost.margin)} ({_pct(cost.margin_pct)} %); premium of "
        f"customization {_money(cost.premium)} {cost.currency}"
        + ("" if all(o.status != "cancelled" for o in cost.orders) else "; cancelled not counted")
    )


def _money(value: Decimal | None) -> str:
    """An exact amount shown in cents (``–``: none)."""
    return "–" if value is None else f"{money.cents(value):,.2f}"


def _cell(value: Decimal | None) -> Decimal | str:
    """An amount in a table or CSV cell: a number in cents, so that a CSV keeps it a
    number (``1568.00``, not the text ``1,568.00``); the table shows it grouped."""
    return "–" if value is None else money.cents(value)


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{money.cents(value):.2f}"


def _qty(value: Decimal) -> str:
    return fmt(float(value))


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
    price: Annotated[
        str | None, typer.Option(help="quoted price of one unit, in cents at most: 1249.90")
    ] = None,
    discount: Annotated[str | None, typer.Option(help="discount on it in percent: 12.5")] = None,
) -> None:
    """Add a line (a plain item or a configurable product), with its quoted price."""
    with session() as s:
        line = sales.add_line(
            s,
            number,
            item=item,
            qty=qty,
            due=due,
            priority=priority,
            unit_price=price,
            discount_pct=discount,
            author=_author(),
        )
    console.print(esc(f"{number}/{line}"))


@order_app.command("confirm")
@handles_errors
def order_confirm(number: str) -> None:
    """Confirm a draft order: from now on the plan sees it."""
    with session() as s:
        sales.set_status(s, number, SalesOrderStatus.CONFIRMED, author=_author())
    console.print(esc(f"{number} confirmed"))


@order_app.command("status")
@handles_errors
def order_status(number: str, status: SalesOrderStatus) -> None:
    """Move the order (and its open lines) on, as POST /api/sales/{number}/status and the
    order page do: confirm, cancel, mark shipped or close; a line it ships or closes keeps
    its final cost from then on. Moves that are not allowed are refused."""
    with session() as s:
        sales.set_status(s, number, status, author=_author())
    console.print(esc(f"{number} {status.value}"))


@order_app.command("configure")
@handles_errors
def order_configure(
    number: str,
    line: int,
    param: ParamOption = None,
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
    values = parse_params(param)
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
        lines = order_tree.order_tree(s, number, today=clock.today())
    for tree in lines:
        print_line_tree(tree)


@order_app.command("cost")
@handles_errors
def order_cost(
    number: str,
    line: Annotated[int | None, typer.Argument(help="a line; omit for the whole order")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="the levels as CSV")] = False,
) -> None:
    """Estimated cost of a line, rolled up level by level through its order BOM and
    routings (material, labour and machine, overhead), against its quoted price: the
    margin and the premium of its customization. Without a line: every line and the
    order's totals."""
    with session() as s, s.begin():
        if line is None:
            order = costing.order_cost(s, number)
        else:
            estimate = costing.line_cost(s, number, line)
    if line is None:
        _print_order_cost(order, as_csv=as_csv)
        return
    _print_line_cost(estimate, as_csv=as_csv)


_ELEMENTS = ("material", "labour", "overhead", "total")


def _level_rows(tree: costing.NodeCost) -> list[tuple[object, ...]]:
    return [
        (
            node.level,
            node.item,
            _qty(node.qty),
            node.label,
            node.routing or "",
            _qty(node.hours),
            _cell(node.total.material),
            _cell(node.total.labour),
            _cell(node.total.overhead),
            _cell(node.total.total),
        )
        for node in tree.walk()
    ]


def _cost_branch(tree: Tree, node: costing.NodeCost) -> None:
    for op in node.operations:
        tree.add(
            f"[dim]op {op.sequence} {esc(op.work_center)}: {_qty(op.hours)} h × "
            f"{_money(op.rate)} = {_money(op.amount)}[/]"
        )
    for line in node.lines:
        scrap = f" (+{_qty(line.scrap_pct)} % scrap)" if line.scrap_pct else ""
        if line.child is None:
            tree.add(
                f"{_qty(line.qty)} × [bold]{esc(line.component)}[/]{scrap} @ "
                f"{_money(line.unit_cost)} ({esc(line.source)}) = {_money(line.amount)}"
            )
            continue
        branch = tree.add(_node_label(line.child, scrap))
        _cost_branch(branch, line.child)


def _node_label(node: costing.NodeCost, scrap: str = "") -> str:
    t = node.total
    return (
        f"{_qty(node.qty)} × [bold]{esc(node.item)}[/]{scrap} [cyan]{esc(node.label)}[/]"
        + (f" routing {esc(node.routing)}" if node.routing else "")
        + f": material {_money(t.material)} + labour {_money(t.labour)} + overhead "
        f"{_money(t.overhead)} = [bold]{_money(t.total)}[/]"
    )


def _print_line_cost(e: costing.LineEstimate, *, as_csv: bool) -> None:
    header = (
        "level",
        "item",
        "qty",
        "from",
        "routing",
        "hours",
        "material",
        "labour",
        "overhead",
        "total",
    )
    numeric = ("level", "qty", "hours", "material", "labour", "overhead", "total")
    if as_csv:
        emit("", header, _level_rows(e.tree), as_csv=True)
        return
    root = Tree(f"[bold]{esc(e.ref)}[/] estimated cost in {e.currency}: " + _node_label(e.tree))
    _cost_branch(root, e.tree)
    console.print(root)
    if e.note:
        console.print(f"[yellow]{esc(e.note)}[/]")
    emit(
        f"{e.ref} per level (each with the levels below it)",
        header,
        _level_rows(e.tree),
        numeric=numeric,
    )
    t = e.tree.total
    console.print(
        f"Cost elements: material {_money(t.material)} (scrap {_money(e.tree.scrap)}), labour "
        f"and machine {_money(t.labour)} ({_qty(e.tree.total_hours)} h), overhead "
        f"{_money(t.overhead)}; estimated cost {_money(e.cost)}, "
        f"{_money(e.tree.unit_cost)} a unit"
    )
    if e.unit_price is None:
        console.print("Quoted price: none yet (order change --price), so no margin")
    else:
        discount = f" less {_qty(e.discount_pct)} %" if e.discount_pct else ""
        console.print(
            f"Quoted price: {_qty(e.qty)} × {_money(e.unit_price)}{discount} = "
            f"{_money(e.revenue)} {e.currency}; margin {_money(e.margin)} "
            f"({_pct(e.margin_pct)} %)"
        )
    _print_premium(e)


def _print_premium(e: costing.LineEstimate) -> None:
    p = e.premium
    if p is None:
        console.print(f"Premium of customization: none ({esc(e.premium_note)})")
        return
    values = ", ".join(f"{k}={v}" for k, v in p.default_values.items())
    console.print(
        f"Premium of customization: {_money(p.amount)} over the default configuration at "
        f"the same size ({esc(values)}: {_money(p.default.cost)})"
    )
    for o in p.options:
        console.print(
            f"  {esc(o.parameter)} = {esc(o.value)} (default {esc(o.default)}): {_money(o.premium)}"
        )
    if p.options or p.rest:
        console.print(f"  hand edits, order routings, options together: {_money(p.rest)}")
    if e.revenue is not None:
        margin = e.revenue - p.default.cost
        console.print(
            f"  at the quoted price the default configuration would leave {_money(margin)} "
            f"({_pct(costing.margin_pct(e.revenue, p.default.cost))} %)"
        )


def _print_order_cost(o: costing.OrderCost, *, as_csv: bool) -> None:
    rows = [
        (
            x.ref,
            x.item,
            _qty(x.qty),
            x.status,
            _cell(x.unit_price),
            _qty(x.discount_pct),
            _cell(x.revenue),
            _cell(x.tree.total.material),
            _cell(x.tree.total.labour),
            _cell(x.tree.total.overhead),
            _cell(x.cost),
            _cell(x.margin),
            _cell(x.margin_pct),
            _cell(x.premium.amount) if x.premium else "",
        )
        for x in o.lines
    ]
    header = (
        "line",
        "item",
        "qty",
        "status",
        "unit price",
        "discount %",
        "revenue",
        "material",
        "labour",
        "overhead",
        "est. cost",
        "margin",
        "margin %",
        "premium",
    )
    numeric = header[2:3] + header[4:]
    emit(f"{o.number} ({o.customer}) in {o.currency}", header, rows, as_csv=as_csv, numeric=numeric)
    if as_csv:
        return
    e = o.elements
    console.print(
        f"Order: revenue {_money(o.revenue)}, estimated cost {_money(o.cost)} (material "
        f"{_money(e.material)}, labour {_money(e.labour)}, overhead {_money(e.overhead)}), "
        f"margin {_money(o.margin)} ({_pct(o.margin_pct)} %)"
    )
    if o.unquoted:
        console.print(f"[yellow]not quoted yet: {', '.join(o.unquoted)}[/]")


@order_app.command("change")
@handles_errors
def order_change(
    number: str,
    line: int,
    qty: Annotated[float | None, typer.Option(parser=as_number)] = None,
    due: Annotated[date | None, typer.Option(parser=as_date, help="YYYY-MM-DD")] = None,
    price: Annotated[str | None, typer.Option(help="new quoted price of one unit")] = None,
    discount: Annotated[str | None, typer.Option(help="new discount in percent")] = None,
) -> None:
    """Change a line's quantity or due date (released production orders are flagged), or
    its quoted price and discount."""
    with session() as s:
        flagged = order_changes.change_line(
            s,
            number,
            line,
            qty=qty,
            due=due,
            unit_price=price,
            discount_pct=discount,
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


def _projection(line: LineTree) -> str:
    """What the stored plan says of the line's date, so `order show` answers "on time?"."""
    if line.projected is None:
        return ""
    if line.late_days <= 0:
        return f", projected {line.projected.isoformat()} (on time)"
    days = f"{line.late_days} day{'s' if line.late_days != 1 else ''}"
    return f", projected [red]{line.projected.isoformat()}[/] ({days} late)"


def print_line_tree(line: LineTree) -> None:
    root = Tree(
        f"[bold]{esc(line.ref)}[/] {esc(line.item)} × {fmt(line.qty)}, "
        f"due {line.due.isoformat()} ({line.status}){_projection(line)}"
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
