"""Reports as XLSX workbooks a planner opens in a spreadsheet (issues #16 item 7, #19 item 5):
the cost report of a sales order and of a customer project, and the late-orders report.

One function per report builds the workbook's bytes from the service's own rows, so the
CLI (``--xlsx FILE``), the API (``….xlsx``) and the pages' download links give the same
file. The cells are typed so that a spreadsheet can add them up and sort them:

* money is a number cell in cents of the company currency, written from the exact
  ``Decimal`` (``services.money.cents``), never a float parsed back from text, with a
  ``#,##0.00`` format; quantities are numbers, dates are date cells shown ``yyyy-mm-dd``,
  moments (when a line's cost was frozen) date-time cells in UTC shown
  ``yyyy-mm-dd hh:mm`` (a cell holds no zone: the column heading says UTC);
* text is always a string cell, never a formula: a customer named ``=HYPERLINK(…)`` is
  written as that exact text with the cell's "quote prefix" set (what a spreadsheet does
  when one types ``'=…``), so it is neither evaluated on opening nor on editing the cell
  (``services.spreadsheet`` has the reasons, for CSV);
* the header row is bold and frozen, the columns are as wide as their widest value, the
  sheet is titled after the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.model import Customer, SalesOrder
from pegboard.services import money, reports, variance
from pegboard.services.actual_cost import ActualCost
from pegboard.services.reports import LineStatus
from pegboard.services.spreadsheet import FORMULA_STARTS, Money, Sheet

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
WHOLE_FORMAT = "#,##0"
FRACTION_FORMAT = "#,##0.0###"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60
"""Characters: a longer cell (a late line's chain) wraps nothing, it is cut off on screen."""
BAD_TITLE_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))

Cells = Sequence[object]


def _write(cell: Cell, value: object) -> None:
    if isinstance(value, Money):
        if value.value is not None:
            cell.value = money.cents(value.value)
            cell.number_format = MONEY_FORMAT
    elif isinstance(value, bool) or value is None:
        cell.value = "" if value is None else ("yes" if value else "no")
        cell.data_type = "s"
    elif isinstance(value, int | float | Decimal):
        cell.value = value
        whole = value == int(value)
        cell.number_format = WHOLE_FORMAT if whole else FRACTION_FORMAT
    elif isinstance(value, datetime):
        cell.value = _utc_naive(value)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        _write_text(cell, str(value))


def _utc_naive(moment: datetime) -> datetime:
    """The moment in UTC without its zone, to the second: a spreadsheet cell has no zone
    (openpyxl refuses an aware datetime) and keeps fractions of a day, not microseconds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _write_text(cell: Cell, text: str) -> None:
    """Always a string cell: openpyxl would make text starting with ``=`` a formula."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _shown_width(value: object) -> int:
    if isinstance(value, Money):
        return 0 if value.value is None else len(f"{money.cents(value.value):,}")
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.4f}".rstrip("0").rstrip("."))
    if isinstance(value, int | Decimal):
        return len(f"{value:,}")
    return len(str(value or ""))


def sheet_title(text: str) -> str:
    """A valid sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return text.translate(BAD_TITLE_CHARS)[:31] or "report"


def workbook_bytes(title: str, header: Sequence[str], rows: Iterable[Cells]) -> bytes:
    """One sheet titled ``title``: a bold frozen header row, then ``rows`` typed as the
    module's docstring says, columns fitted to their widest value."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = sheet_title(title)
    widths = [len(h) for h in header]
    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        _write_text(cell, name)
        cell.font = bold
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _write(sheet.cell(row=r, column=column), value)
            widths[column - 1] = max(widths[column - 1], _shown_width(value))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_xlsx(sheet: Sheet) -> bytes:
    """A list page's ``Sheet`` as a workbook (the same cells its CSV holds)."""
    return workbook_bytes(sheet.title, sheet.header, sheet.rows)


# --- the cost reports ----------------------------------------------------------------------


def cost_header(currency: str) -> tuple[str, ...]:
    """The amounts in the company currency, then whether they are frozen, as the CLI's
    ``figures`` says it (``live``, ``frozen``, ``k of n lines frozen``), and for a line
    frozen at shipping or closing when (a date-time cell; empty when live, and on totals)."""
    amounts = (
        "estimated",
        "actual",
        "price variance",
        "usage variance",
        "scrap variance",
        "labour variance",
        "overhead variance",
        "variance",
        "revenue",
        "margin",
    )
    return (
        "order",
        "line",
        "item",
        "customer",
        "project",
        "status",
        *tuple(f"{a} ({currency})" for a in amounts),
        "figures",
        "frozen at (UTC)",
    )


def _figures(
    estimated: Decimal,
    actual: ActualCost,
    v: variance.Variance,
    revenue: Decimal | None,
    margin: Decimal | None,
) -> tuple[Money, ...]:
    amounts = (estimated, actual.total, v.price, v.usage, v.scrap, v.labour, v.overhead, v.total)
    return (*tuple(Money(a) for a in amounts), Money(revenue), Money(margin))


def _customer_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    found = session.execute(select(Customer.code, Customer.name).where(Customer.code.in_(codes)))
    return dict(found.all())


def _order_rows(o: variance.OrderVariance, customer: str) -> list[tuple[object, ...]]:
    """Each line, then the order's total (line left empty)."""
    project = o.project or ""
    rows: list[tuple[object, ...]] = [
        (
            o.number,
            x.ref,
            x.item,
            customer,
            project,
            x.status,
            *_figures(x.estimated.total, x.actual, x.variance, x.revenue, x.margin),
            "live" if x.frozen_at is None else "frozen",
            x.frozen_at,
        )
        for x in o.lines
    ]
    total = _figures(o.estimated.total, o.actual, o.variance, o.revenue, o.margin)
    rows.append((o.number, "", "", customer, project, o.status, *total, o.figures, None))
    return rows


def order_cost_xlsx(session: Session, number: str) -> bytes:
    """The cost report of a sales order (``pegboard cost order``): estimated against actual
    cost, the variance split, revenue and margin of each line, then of the order."""
    found = variance.order_variance(session, number)
    name = _customer_names(session, [found.customer]).get(found.customer, found.customer)
    return workbook_bytes(
        f"Cost {found.number}", cost_header(found.currency), _order_rows(found, name)
    )


def project_cost_xlsx(session: Session, customer: str, project: str) -> bytes:
    """The cost report of a customer project (``pegboard cost project``): each order's lines
    and total, then the project's total (cancelled orders listed, not counted)."""
    found = variance.project_variance(session, customer, project)
    name = _customer_names(session, [found.customer]).get(found.customer, found.customer)
    rows: list[tuple[object, ...]] = []
    for o in found.orders:
        rows.extend(_order_rows(o, name))
    total = _figures(
        found.estimated.total, found.actual, found.variance, found.revenue, found.margin
    )
    totals = (name, found.project, found.status, *total, found.figures, None)
    rows.append(("project total", "", "", *totals))
    return workbook_bytes(f"Cost {found.project}", cost_header(found.currency), rows)


# --- the late-orders report ----------------------------------------------------------------

LATE_HEADER = (
    "order line",
    "customer",
    "item",
    "qty",
    "due",
    "projected",
    "days late",
    "chain",
)


def _order_customers(session: Session, numbers: Iterable[str]) -> dict[str, str]:
    found = session.execute(
        select(SalesOrder.number, Customer.name)
        .join(Customer, Customer.id == SalesOrder.customer_id)
        .where(SalesOrder.number.in_(set(numbers)))
    )
    return dict(found.all())


def _chain_text(line: LineStatus) -> str:
    if not line.supplies:
        return ""
    latest = max(line.supplies, key=lambda n: (n.available, n.supply))
    return " <- ".join(
        f"{n.item} {n.supply} {n.available.isoformat()}" + (f" (late: {n.held})" if n.held else "")
        for n in reports.critical_chain(latest)
    )


def late_xlsx(session: Session) -> bytes:
    """Every late sales-order line of the current plan (``pegboard report late``), with its
    customer and the chain of supplies that sets its date."""
    return sheet_xlsx(late_sheet(session))


def late_sheet(session: Session) -> Sheet:
    """The late lines as a sheet (the workbook's and the CSV download's cells)."""
    lines = reports.late_orders(session)
    customers = _order_customers(session, (line.demand.rpartition("/")[0] for line in lines))
    rows = [
        (
            line.demand,
            customers.get(line.demand.rpartition("/")[0], ""),
            line.item,
            line.qty,
            line.due,
            line.projected,
            line.late_days,
            _chain_text(line),
        )
        for line in lines
    ]
    return Sheet("Late orders", LATE_HEADER, rows)


def filename(*parts: str) -> str:
    """A download's file name from codes (``cost-SO-1042.xlsx``): only letters, digits,
    ``-``, ``_`` and ``.`` kept, so a header cannot be broken by a code."""
    text = "-".join(parts)
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in text)
    return f"{safe}.xlsx"
