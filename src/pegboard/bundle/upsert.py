"""What an import in upsert mode would change: rows added, changed and unchanged per file.

An upsert adds the bundle's rows whose key the company does not hold and changes those
whose key it holds; it never deletes (a row of the company the bundle leaves out stays).
Each file's key is what names one row of it in the bundle format (``KEYS``, documented
in docs/bundle-upsert.md). The preview compares the rows as the bundle reader and the
database give them (``Dataset`` rows), so a number spelled ``1.0`` against ``1`` is
unchanged, and lists, for the first rows that change, which fields change and how.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pegboard.services.dataset import Dataset

Row = tuple[Any, ...]

KEYS: dict[str, tuple[str, ...]] = {
    "settings": ("key",),
    "holidays": ("date",),
    "items": ("item",),
    "bom": ("sales_order", "parent", "component"),
    "locations": ("location",),
    "stock": ("item", "location", "sales_order"),
    "purchase_orders": ("purchase_order", "line"),
    "production_orders": ("production_order",),
    "sales_orders": ("sales_order", "line"),
    "work_centers": ("work_center",),
    "work_center_closed_days": ("work_center", "date"),
    "routings": ("item", "sales_order", "sequence"),
    "mps": ("item", "date"),
    "templates": ("item",),
}
"""Per file (named like its sheet), the fields that name one row."""

SHOWN = 5
"""Changed rows whose fields a preview lists, per file."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class RowChange:
    key: tuple[Any, ...]
    fields: list[FieldChange]


@dataclass
class FilePreview:
    """One file's counts, and the fields of its first ``SHOWN`` changed rows."""

    file: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    first_changes: list[RowChange] = field(default_factory=list)
    first_added: list[tuple[Any, ...]] = field(default_factory=list)


def _tables(data: Dataset) -> dict[str, tuple[Sequence[str], list[Row]]]:
    """Each file's field names and rows, as plain tuples."""

    def named(rows: Sequence[Any]) -> list[Row]:
        return [tuple(r) for r in rows]

    def fields(row_type: Callable[..., Any] | None, default: Sequence[str]) -> Sequence[str]:
        return getattr(row_type, "_fields", default)

    tables: dict[str, tuple[Sequence[str], list[Row]]] = {
        "settings": (("key", "value"), sorted(data.settings.items())),
        "templates": (("item", "definition"), _template_rows(data.templates)),
    }
    pairs: list[tuple[str, Sequence[Any]]] = [
        ("holidays", data.holidays),
        ("items", data.items),
        ("bom", data.bom),
        ("locations", data.locations),
        ("stock", data.stock),
        ("purchase_orders", data.purchases),
        ("production_orders", data.productions),
        ("sales_orders", data.sales),
        ("work_centers", data.work_centers),
        ("work_center_closed_days", data.closed_days),
        ("routings", data.routings),
        ("mps", data.mps),
    ]
    for name, rows in pairs:
        if rows:
            tables[name] = (fields(type(rows[0]), ()), named(rows))
    return tables


def _template_rows(templates: list[dict[str, Any]]) -> list[Row]:
    return [
        (str(t.get("item", "")), json.dumps(t, sort_keys=True, ensure_ascii=False))
        for t in templates
    ]


def _keyed(names: Sequence[str], rows: list[Row], key: tuple[str, ...]) -> dict[Row, Row]:
    at = [list(names).index(k) for k in key]
    return {tuple(row[i] for i in at): row for row in rows}


def preview(
    company: Dataset, bundle: Dataset, files: Sequence[str] | None = None
) -> list[FilePreview]:
    """Per file the bundle holds rows of (or each of ``files``): how many of its rows an
    upsert would add, change and leave as they are, and the first changes' fields."""
    now = _tables(company.canonical())
    given = _tables(bundle.canonical())
    out = []
    for name, key in KEYS.items():
        if name not in given and (files is None or name not in files):
            continue
        names, rows = given.get(name, ((), []))
        result = FilePreview(name)
        if rows:
            before = _keyed(now[name][0], now[name][1], key) if name in now else {}
            for row_key, row in _keyed(names, rows, key).items():
                _count(result, names, before.get(row_key), row, row_key)
        out.append(result)
    return out


def _count(result: FilePreview, names: Sequence[str], old: Row | None, new: Row, key: Row) -> None:
    if old is None:
        result.added += 1
        if len(result.first_added) < SHOWN:
            result.first_added.append(key)
        return
    changes = [
        FieldChange(name, a, b) for name, a, b in zip(names, old, new, strict=True) if a != b
    ]
    if not changes:
        result.unchanged += 1
        return
    result.changed += 1
    if len(result.first_changes) < SHOWN:
        result.first_changes.append(RowChange(key, changes))


def describe(previews: list[FilePreview]) -> list[str]:
    """The first changes as lines a person reads: ``items GEAR: unit_cost 12 -> 13.5``."""
    lines = []
    for p in previews:
        for change in p.first_changes:
            what = ", ".join(f"{f.field} {f.before!s} -> {f.after!s}" for f in change.fields)
            lines.append(f"{p.file} {'/'.join(str(k) for k in change.key)}: {what}")
        for key in p.first_added:
            lines.append(f"{p.file} {'/'.join(str(k) for k in key)}: added")
    return lines
