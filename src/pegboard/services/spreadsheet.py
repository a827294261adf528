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
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

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
