"""``pegboard cost``: estimated against actual cost of an order, a project or an item.

Amounts are exact in the services and shown here in cents (``services.money.cents``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli import xlsx_file
from pegboard.cli._common import console, emit, esc, fmt, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.xlsx_file import XlsxOption

if TYPE_CHECKING:
    from pegboard.services import money, variance, xlsx_reports
    from pegboard.services.actual_cost import ActualCost
    from pegboard.services.variance import LineVariance, OrderVariance, Variance
else:
    money = deferred("pegboard.services.money")
    variance = deferred("pegboard.services.variance")
    xlsx_reports = deferred("pegboard.services.xlsx_reports")

app = typer.Typer(
    help="Cost: estimated against actual cost, variance and margin of an order, a project "
    "or an item.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CsvOption = Annotated[bool, typer.Option("--csv", help="write CSV to stdout instead of a table")]
HEADER = (
    "what",
    "status",
    "estimated",
    "actual",
    "price",
    "usage",
    "scrap",
    "labour",
    "overhead",
    "variance",
    "revenue",
    "margin",
    "figures",
)
"""``figures``: "live" (computed now), "frozen <when>" (the final cost kept when the line
was shipped or closed), or for an order or project how many of its lines are frozen."""
ELEMENTS = ("material", "labour", "overhead")


def _money(value: Decimal | None) -> Decimal | str:
    """In cents; a number, not text, so that a CSV keeps a negative variance a number."""
    return "" if value is None else money.cents(value)


def _row(
    what: str,
    status: str,
    estimated: Decimal,
    actual: ActualCost,
    v: Variance,
    revenue: Decimal | None,
    margin: Decimal | None,
    figures: str,
) -> tuple[object, ...]:
    return (
        what,
        status,
        _money(estimated),
        _money(actual.total),
        _money(v.price),
        _money(v.usage),
        _money(v.scrap),
        _money(v.labour),
        _money(v.overhead),
        _money(v.total),
        _money(revenue),
        _money(margin),
        figures,
    )


def _line_row(x: LineVariance) -> tuple[object, ...]:
    what = f"{x.ref} {x.item}"
    return _row(
        what, x.status, x.estimated.total, x.actual, x.variance, x.revenue, x.margin, x.figures
    )


def _order_row(o: OrderVariance) -> tuple[object, ...]:
    return _row(
        o.number, o.status, o.estimated.total, o.actual, o.variance, o.revenue, o.margin, o.figures
    )


def _elements(estimated: tuple[Decimal, ...], actual: ActualCost, currency: str) -> None:
    got = (actual.material, actual.labour, actual.overhead)
    parts = ", ".join(
        f"{name} {_money(e)} → {_money(a)}"
        for name, e, a in zip(ELEMENTS, estimated, got, strict=True)
    )
    console.print(f"By element (estimated → actual, {esc(currency)}): {parts}", highlight=False)
    if actual.scrap:
        console.print(f"of which scrap: {_money(actual.scrap)}", highlight=False)
    if actual.hours:
        console.print(f"hours confirmed: {fmt(float(actual.hours))}", highlight=False)


def _summary(title: str, x: OrderVariance | variance.ProjectVariance) -> None:
    e = x.estimated
    margin = "– (not quoted, or nothing made yet)" if x.margin is None else _money(x.margin)
    console.print(
        f"[bold]{esc(title)}[/]: revenue {_money(x.revenue) or '–'}, estimated cost "
        f"{_money(e.total)}, actual cost {_money(x.actual.total)}, variance "
        f"{_money(x.variance.total)}, margin {margin} ({esc(x.currency)})"
    )
    _elements((e.material, e.labour, e.overhead), x.actual, x.currency)


@app.command("order")
@handles_errors
def order(
    number: Annotated[str, typer.Argument(help="the sales order, e.g. SO-1042")],
    as_csv: CsvOption = False,
    xlsx: XlsxOption = None,
) -> None:
    """Estimated against actual cost of every line of a sales order, the variance split
    into price, usage, scrap, labour and overhead, and the margin at the quoted price."""
    xlsx_file.refuse_both(as_csv, xlsx)
    if xlsx is not None:
        with session() as s, s.begin():
            data = xlsx_reports.order_cost_xlsx(s, number)
        xlsx_file.save(xlsx, data)
        return
    with session() as s, s.begin():
        found = variance.order_variance(s, number)
    rows = [_line_row(x) for x in found.lines]
    if not as_csv:
        _summary(f"{found.number} ({found.customer})", found)
        rows.append(_order_row(found))
    emit(f"Cost of {found.number}", HEADER, rows, as_csv=as_csv, numeric=HEADER[2:-1])


@app.command("project")
@handles_errors
def project(
    customer: Annotated[str, typer.Argument(help="the customer's code")],
    code: Annotated[str, typer.Argument(help="the project's code")],
    as_csv: CsvOption = False,
    xlsx: XlsxOption = None,
) -> None:
    """Estimated against actual cost and the margin of every order of a customer project,
    and the project's."""
    xlsx_file.refuse_both(as_csv, xlsx)
    if xlsx is not None:
        with session() as s, s.begin():
            data = xlsx_reports.project_cost_xlsx(s, customer, code)
        xlsx_file.save(xlsx, data)
        return
    with session() as s, s.begin():
        found = variance.project_variance(s, customer, code)
    rows = [_order_row(o) for o in found.orders]
    if not as_csv:
        _summary(f"{customer} / {code}", found)
        rows.append(
            _row(
                "project",
                "",
                found.estimated.total,
                found.actual,
                found.variance,
                found.revenue,
                found.margin,
                found.figures,
            )
        )
    emit(f"Cost of project {code}", HEADER, rows, as_csv=as_csv, numeric=HEADER[2:-1])


@app.command("item")
@handles_errors
def item(
    code: Annotated[str, typer.Argument(help="the item's code")],
    as_csv: CsvOption = False,
) -> None:
    """What an item costs: standard cost, moving average and value of its stock, last
    purchase price, and the actual cost of its production orders."""
    with session() as s, s.begin():
        found = variance.item_cost(s, code)
    if not as_csv:
        average = "–" if found.moving_average is None else f"{found.moving_average:.4f}"
        last = "–" if found.last_purchase is None else f"{found.last_purchase:.4f}"
        console.print(
            f"[bold]{esc(found.item)}[/] ({esc(found.currency)}): unit cost "
            f"{found.unit_cost:.4f}, moving average {average}, last purchase {last}; "
            f"{fmt(found.on_hand)} in stock worth {_money(found.value)}"
        )
    header = (
        "production order",
        "status",
        "qty",
        "completed",
        "scrapped",
        "material",
        "labour",
        "overhead",
        "actual",
        "unit",
    )
    rows: Sequence[Sequence[object]] = [
        (
            p.number,
            p.status,
            p.qty,
            p.completed,
            p.scrapped,
            _money(p.actual.material),
            _money(p.actual.labour),
            _money(p.actual.overhead),
            _money(p.actual.total),
            _money(p.unit_cost),
        )
        for p in found.productions
    ]
    emit(
        f"Production orders of {found.item}",
        header,
        rows,
        as_csv=as_csv,
        numeric=header[2:],
        empty="no production orders",
    )
