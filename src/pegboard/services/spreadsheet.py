"""Values bound for a spreadsheet a person opens (OWASP's CSV injection guidance).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and Google Sheets as a formula: a customer named
``=HYPERLINK(…)`` would become a link, ``@SUM(1+1)*cmd|…`` an attempt to run a
program. Such text is written with a leading ``'``, which spreadsheets show as text
and do not display. Numbers and dates stay what they are (a negative quantity is a
number, not text starting with ``-``).

This is for exports meant for people (``--csv`` reports, downloads). The bundle export
(``pegboard export``, the export zip) is not changed: it must import again exactly as
it was, and pegboard reads every cell as text, never as a formula.

A list page's download (issue #19 item 5) is a ``Sheet``: the page's title, its column
headings and its rows as typed values (numbers, dates, ``Money``, text), built once by
the page from the rows it shows, then written as CSV here (``csv_bytes``) or as XLSX by
``services.xlsx_reports.sheet_xlsx``, so both files hold the same cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pegboard.services import money

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet should get it: text that would start a formula gets a
    leading ``'``; ``None`` is empty; dates are ISO; numbers are left alone."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in values]


EXPORT_LIMIT = 100_000
"""The most rows one download holds: a filter narrows a longer list (a spreadsheet opens
a million rows, but a page's query of more than this would hold a server for minutes)."""


@dataclass(frozen=True)
class Money:
    """An amount to write in cents; ``None`` is an empty cell (not quoted, no margin)."""

    value: Decimal | None


@dataclass(frozen=True)
class Sheet:
    """A list as a spreadsheet: ``title`` names the sheet (and the file), ``header`` the
    columns, each row's cells are numbers, dates, ``Money``, booleans, text or ``None``."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]] = ()


def csv_cell(value: object) -> object:
    """A typed cell as CSV text: money in cents from the exact amount (``1249.90``),
    booleans as yes/no, the rest as ``safe_cell`` writes it."""
    if isinstance(value, Money):
        return "" if value.value is None else f"{money.cents(value.value):.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return safe_cell(value)


def csv_bytes(sheet: Sheet) -> bytes:
    """The sheet as UTF-8 CSV with a byte-order mark (so Excel reads the accents right)
    and a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in sheet.header])
    writer.writerows([csv_cell(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
