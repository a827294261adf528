"""``pegboard promise``: when can we deliver a configured item?

    pegboard promise LR-7040 4 --param length_m=14.56 --param finish=black --date 2027-01-04
    pegboard promise LR-7040 4 --param length_m=14.56 --reserve --customer "Hartwell Construction"

Prints the answer in one line, the critical path (the chain of items that sets
the date), what must be ordered and by when (today's marked) and the stock and
receipts used; ``--json`` prints the whole promise as JSON instead.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.tree import Tree

from pegboard.cli._common import (
    BadInput,
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
from pegboard.cli.stock import author

if TYPE_CHECKING:
    from pegboard.services import money
    from pegboard.services import promise as promising
    from pegboard.services.promise import OrderToPlace, Promise
else:
    money = deferred("pegboard.services.money")
    promising = deferred("pegboard.services.promise")

app = typer.Typer(rich_markup_mode=None)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):  # money: exact, as text
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def as_json(p: Promise, order: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = _plain(dataclasses.asdict(p))
    out["params"] = dict(p.params)
    out["due"] = p.due.isoformat()
    out["summary"] = p.summary
    if order is not None:
        out["sales_order"] = order
    return out


def _note(o: OrderToPlace) -> str:
    flag = "TODAY" if o.today else ("sets date" if o.critical else "")
    if o.qty > o.requirement:
        excess = f"needs {fmt(o.requirement)} (a lot)"
        return f"{flag}; {excess}" if flag else excess
    return flag


def print_promise(p: Promise) -> None:
    colour = "green" if p.met is not False else "red"
    console.print(f"[bold {colour}]{esc(p.summary)}[/]", highlight=False)
    params = ", ".join(f"{k}={v}" for k, v in p.params)
    as_of = p.plan_as_of.strftime("%Y-%m-%d %H:%M") if p.plan_as_of else "?"
    console.print(
        f"[dim]planning date {p.planning_date.isoformat()}; stock and receipts as of the "
        f"plan of {as_of}{'; ' + esc(params) if params else ''}[/]",
        highlight=False,
    )
    if p.critical_path:
        tree: Tree | None = None
        root: Tree | None = None
        for step in p.critical_path:
            label = (
                f"[bold]{esc(step.item)}[/] × {fmt(step.qty)} → {step.date.isoformat()}  "
                f"[dim]{esc(step.reason)}[/]"
            )
            tree = Tree(label) if tree is None else tree.add(label)
            root = root or tree
        console.print("[bold]Critical path[/] (what sets the date)")
        console.print(root)
    wanted = p.met is True
    emit(
        "To order",
        ["order by", *(["for wanted"] if wanted else []), "item", "kind", "qty", "due", "note"],
        [
            (
                o.order_by,
                *([o.order_by_wanted] if wanted else []),
                o.item,
                o.kind,
                o.qty,
                o.due,
                _note(o),
            )
            for o in p.orders
        ],
        numeric=["qty"],
        empty="nothing: stock and receipts cover it",
    )
    emit(
        "Available to promise used",
        ["item", "from", "date", "qty"],
        [(u.item, u.source, u.date, u.qty) for u in p.atp],
        numeric=["qty"],
        empty="none",
    )
    _print_quote(p)
    console.print(f"[dim]{esc(p.note)}[/]", highlight=False)


def _cents(value: Decimal | None) -> str:
    return "–" if value is None else f"{money.cents(value):,.2f}"


def _print_quote(p: Promise) -> None:
    q = p.quote
    if q is None:
        console.print("Estimated cost: cannot be estimated", highlight=False)
        return
    line = (
        f"Estimated cost {_cents(q.cost)} {q.currency} ({_cents(q.unit_cost)} a unit: material "
        f"{_cents(q.material)}, labour {_cents(q.labour)}, overhead {_cents(q.overhead)})"
    )
    if q.unit_price is not None:
        line += (
            f"; at {_cents(q.unit_price)} a unit: revenue {_cents(q.revenue)}, margin "
            f"{_cents(q.margin)} ({_cents(q.margin_pct)} %)"
        )
    console.print(f"[bold]{line}[/]", highlight=False)


@app.command("promise")
@handles_errors
def promise(
    item: str,
    qty: Annotated[float, typer.Argument(parser=as_number)],
    param: ParamOption = None,
    wanted: Annotated[
        date | None, typer.Option("--date", parser=as_date, help="wanted date YYYY-MM-DD")
    ] = None,
    reserve: Annotated[
        bool, typer.Option("--reserve", help="enter it as a confirmed sales order")
    ] = False,
    customer: Annotated[str | None, typer.Option(help="customer (with --reserve)")] = None,
    project: Annotated[str | None, typer.Option(help="project (with --reserve)")] = None,
    price: Annotated[
        str | None,
        typer.Option(help="a unit price to quote: the margin at it (with --reserve: the line's)"),
    ] = None,
    as_json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """When can ITEM × QTY be complete? (configured with --param, never saved)"""
    amount = qty
    values = parse_params(param)
    order: str | None = None
    if reserve:
        if not customer:
            raise BadInput("--reserve needs --customer")
        with session() as s:
            result, order = promising.reserve(
                s,
                item,
                amount,
                params=values,
                customer=customer,
                project=project,
                wanted=wanted,
                unit_price=price,
                author=author(),
            )
    else:
        if customer or project:
            raise BadInput("--customer and --project go with --reserve")
        with session() as s, s.begin():
            result = promising.promise(
                s, item, amount, params=values, wanted=wanted, unit_price=price
            )
    if as_json_out:
        typer.echo(json.dumps(as_json(result, order), ensure_ascii=False, indent=2))
        return
    print_promise(result)
    if order is not None:
        console.print(
            f"[bold]{order}[/] entered and confirmed, due {result.due.isoformat()}; "
            "run `pegboard plan` to plan it",
            highlight=False,
        )
