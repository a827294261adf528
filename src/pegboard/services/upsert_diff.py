"""What an upsert of a bundle changes, row by row: the rows it adds and those it changes.

An upsert adds the bundle's rows whose key the company does not hold and changes those
whose key it holds; it never deletes (a row of the company the bundle leaves out stays).
Each file's key is what names one row of it in the bundle format (``KEYS``, documented
in docs/bundle-upsert.md). Rows are compared as the bundle reader and the database give
them (``Dataset`` rows, in canonical form), so ``1.0`` against ``1`` is no change. The
preview counts this diff; ``services.company_upsert`` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pegboard.services.dataset import Dataset

Row = tuple[Any, ...]
Places = dict[str, dict[Row, str]]
"""Per file, each key the bundle gives and where it is (``bom.csv, line 3``), so that a
refusal found while writing names the line."""

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

ATTRIBUTES = {
    "holidays": "holidays",
    "items": "items",
    "bom": "bom",
    "locations": "locations",
    "stock": "stock",
    "purchase_orders": "purchases",
    "production_orders": "productions",
    "sales_orders": "sales",
    "work_centers": "work_centers",
    "work_center_closed_days": "closed_days",
    "routings": "routings",
    "mps": "mps",
}
"""The ``Dataset`` list holding each file's rows (settings and templates are apart)."""


@dataclass
class FileDiff:
    """One file's rows an upsert adds and changes (``before``, ``after``), and how many
    it leaves as they are."""

    file: str
    names: Sequence[str]
    added: list[Row] = field(default_factory=list)
    changed: list[tuple[Row, Row]] = field(default_factory=list)
    unchanged: int = 0

    def key(self, row: Row) -> Row:
        return tuple(row[list(self.names).index(k)] for k in KEYS[self.file])


def tables(data: Dataset) -> dict[str, tuple[Sequence[str], list[Row]]]:
    """Each file's field names and rows, as plain tuples (files without rows left out)."""
    out: dict[str, tuple[Sequence[str], list[Row]]] = {
        "settings": (("key", "value"), sorted(data.settings.items())),
        "templates": (("item", "definition"), template_rows(data.templates)),
    }
    for name, attribute in ATTRIBUTES.items():
        rows: Sequence[Any] = getattr(data, attribute)
        if rows:
            out[name] = (type(rows[0])._fields, [tuple(r) for r in rows])
    return out


def template_rows(templates: list[dict[str, Any]]) -> list[Row]:
    """A template as one row: its item and its definition as sorted JSON."""
    return [
        (str(t.get("item", "")), json.dumps(t, sort_keys=True, ensure_ascii=False))
        for t in templates
    ]


def keyed(names: Sequence[str], rows: list[Row], key: tuple[str, ...]) -> dict[Row, Row]:
    at = [list(names).index(k) for k in key]
    return {tuple(row[i] for i in at): row for row in rows}


def diff(company: Dataset, bundle: Dataset, files: Sequence[str] | None = None) -> list[FileDiff]:
    """Per file the bundle holds rows of (or each of ``files``): the
    rows an upsert of ``bundle`` into ``company`` adds and changes."""
    now = tables(company.canonical())
    given = tables(bundle.canonical())
    out = []
    for name, key in KEYS.items():
        if name not in given and (files is None or name not in files):
            continue
        names, rows = given.get(name, ((), []))
        result = FileDiff(name, names)
        before = keyed(now[name][0], now[name][1], key) if name in now else {}
        for row_key, row in keyed(names, rows, key).items():
            old = before.get(row_key)
            if old is None:
                result.added.append(row)
            elif old != row:
                result.changed.append((old, row))
            else:
                result.unchanged += 1
        out.append(result)
    return out
