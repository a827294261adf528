"""Write a dataset as one ``.xlsx`` workbook that ``bundle.reader`` reads back.

One sheet per input file of the bundle format, named like the file without
``.csv`` (the reader's convention), plus a ``templates`` sheet holding
templates.json: one template per row, its JSON definition in a cell, so the
workbook carries everything a folder bundle does.

Cells are typed so a spreadsheet can sort and sum them: whole numbers and
quantities as numbers, dates as dates, true/false as booleans. An exact
amount (``Decimal``: prices, costs) is a number when a spreadsheet's double
holds it exactly (at most 15 significant digits, every amount pegboard
stores), shown with its own decimals (``1249.90`` as ``0.00``); an amount
with more digits is written as text so no digit is lost. Text is always a
text cell: a value starting with ``=`` stays the text it is and is never a
formula, and nothing in the workbook is ever a formula. Text holding a control character
a workbook cannot hold (a stray \\x1c) is refused, named by sheet, row and column,
rather than dropped: the workbook must give back what it was given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pegboard.bundle.schema import TEMPLATES_SHEET
from pegboard.bundle.writer import dataset_tables, format_value
from pegboard.errors import ValidationError
from pegboard.services.dataset import Dataset

TEMPLATES_HEADER = ("item", "definition")
"""The templates sheet: the template's item (for reading it) and its JSON definition."""
MAX_CELL_TEXT = 32_767
"""Characters a spreadsheet cell holds (Excel's limit)."""
_EXACT_DIGITS = 15
_DATE_FORMAT = "yyyy-mm-dd"


def _decimal_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "0." + "0" * places if places else "0"


def _cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    """One typed cell; text is forced to a text cell (never a formula)."""
    if isinstance(value, Decimal):
        if value.is_finite() and len(value.as_tuple().digits) <= _EXACT_DIGITS:
            cell = WriteOnlyCell(sheet, value=float(value))
            cell.number_format = _decimal_format(value)
            return cell
        value = format_value(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    if value is None or isinstance(value, bool | int | float):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # "=HYPERLINK(...)" stays text
    return cell


def _write_sheet(
    book: Workbook, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    sheet = book.create_sheet(name)
    sheet.append([_cell(sheet, h) for h in header])
    count = 0
    for line, row in enumerate(rows, start=2):
        for column, value in zip(header, row, strict=False):
            if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                raise ValidationError(
                    f"sheet {name}, row {line}, column {column}: {value[:40]!r} holds a control "
                    "character a workbook cannot hold; export the CSV bundle instead, or "
                    "correct the text",
                    field=column,
                )
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    return count


def template_rows(templates: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each definition as ``(item, json)``; a definition longer than a cell holds is refused
    (a spreadsheet would cut it) with the template named."""
    rows = []
    for definition in templates:
        text = json.dumps(definition, ensure_ascii=False, sort_keys=True)
        item = str(definition.get("item", ""))
        if len(text) > MAX_CELL_TEXT:
            raise ValidationError(
                f"template {item}: its definition is {len(text):,} characters, more than a "
                f"spreadsheet cell holds ({MAX_CELL_TEXT:,}); export the CSV bundle instead"
            )
        rows.append((item, text))
    return rows


def write_workbook(data: Dataset, path: Path) -> dict[str, int]:
    """Write every input file of the bundle as a sheet of one workbook at ``path``;
    returns rows written per sheet (``templates`` only when there are any)."""
    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    try:
        for spec, rows in dataset_tables(data):
            header = [c.name for c in spec.columns]
            counts[spec.name] = _write_sheet(book, spec.name, header, rows)
        if data.templates:
            rows = template_rows(data.templates)
            counts[TEMPLATES_SHEET] = _write_sheet(book, TEMPLATES_SHEET, TEMPLATES_HEADER, rows)
    except BaseException:
        for sheet in book.worksheets:  # a refused export leaves no open temporary files
            sheet.close()
        raise
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return counts
