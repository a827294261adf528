"""Write a dataset (and a plan) as a bundle folder of CSV files.

Numbers are written in their shortest exact form (``12``, ``0.25``), so
import -> export -> import reproduces every value bit for bit.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from pegboard.bundle import schema
from pegboard.services.dataset import Dataset


def format_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return str(value)


def _decimal_text(value: Decimal) -> str:
    """Amounts in cents as they are (``1249.90``); other exact numbers (unit costs of 4
    decimals) in their shortest plain form: ``0.1000`` is ``0.1``, ``300.0000`` is ``300``."""
    if value.as_tuple().exponent == -2:
        return str(value)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([format_value(v) for v in row])
            count += 1
    return count


def dataset_tables(data: Dataset) -> list[tuple[schema.FileSpec, Iterable[Sequence[object]]]]:
    """Every input file of the bundle format with its rows, in the order they are written
    (the CSV folder and the workbook alike)."""
    return [
        (schema.SETTINGS, sorted(data.settings.items())),
        (schema.HOLIDAYS, sorted(data.holidays)),
        (schema.ITEMS, data.items),
        (schema.BOM, data.bom),
        (schema.LOCATIONS, data.all_locations()),
        (schema.STOCK, data.stock),
        (schema.PURCHASE_ORDERS, data.purchases),
        (schema.PRODUCTION_ORDERS, data.productions),
        (schema.SALES_ORDERS, data.sales),
        (schema.WORK_CENTERS, data.work_centers),
        (schema.WORK_CENTER_CLOSED_DAYS, data.closed_days),
        (schema.ROUTINGS, data.routings),
        (schema.MPS, data.mps),
    ]


def write_dataset(data: Dataset, folder: Path) -> dict[str, int]:
    """Write every input file of the bundle format; returns rows written per file."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = dataset_tables(data)
    counts = {}
    for spec, rows in tables:
        header = [c.name for c in spec.columns]
        counts[spec.filename] = write_csv(folder / spec.filename, header, rows)
    templates = folder / "templates.json"
    if data.templates:
        text = json.dumps(data.templates, indent=2, ensure_ascii=False, sort_keys=True)
        templates.write_text(text + "\n", encoding="utf-8")
        counts[templates.name] = len(data.templates)
    else:
        templates.unlink(missing_ok=True)
    return counts


def write_plan(
    folder: Path,
    planned: Iterable[Sequence[object]],
    pegging: Iterable[Sequence[object]],
    exceptions: Iterable[Sequence[object]],
    order_dates: Iterable[Sequence[object]] = (),
) -> dict[str, int]:
    """Write the plan files of the bundle format next to the data."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "order_dates.csv": write_csv(
            folder / "order_dates.csv", schema.ORDER_DATES_COLUMNS, order_dates
        ),
        "planned_orders.csv": write_csv(
            folder / "planned_orders.csv", schema.PLANNED_ORDERS_COLUMNS, planned
        ),
        "pegging.csv": write_csv(folder / "pegging.csv", schema.PEGGING_COLUMNS, pegging),
        "exceptions.csv": write_csv(
            folder / "exceptions.csv", schema.EXCEPTIONS_COLUMNS, exceptions
        ),
    }
