"""Reading a bundle for an upsert: its rows checked together with the company's.

An upsert's bundle need not be complete: a bom.csv may name items only the database
holds, a sales line a customer's order already there, and a file may leave columns out
(``item,unit_cost`` only): a row the company holds keeps its values of those columns.
So every rule of an import is checked on the company as the upsert would leave it: each
file's parsed rows plus the company's rows whose key the file does not give (marked with
line ``COMPANY_LINE``). A problem found on such a row (an item made ``buy`` that a BOM
in the database still uses) is reported on the file without a line, saying the row is
the company's. What the upsert writes is the bundle's own rows (``given``), taken from
the checked whole by key.
"""

from __future__ import annotations

from typing import Any

from pegboard.bundle import schema
from pegboard.bundle.parse import ParsedTable
from pegboard.errors import BundleProblem
from pegboard.services.dataset import Dataset
from pegboard.services.upsert_diff import ATTRIBUTES, KEYS, Places, Row, tables

COMPANY_LINE = 0
"""The line of a row the company holds and the bundle does not give (no file line is 0)."""


def _at(name: str) -> list[int]:
    names = [c.name for c in next(s for s in schema.INPUT_FILES if s.name == name).columns]
    return [names.index(k) for k in KEYS[name]]


def merge_company(parsed: dict[str, ParsedTable], company: Dataset) -> Places:
    """Add to each parsed file the company's rows whose key it does not give; returns the
    keys each file gives, each with its place (``bom.csv, line 3``)."""
    now = tables(company)
    given: Places = {}
    for name, table in parsed.items():
        at = _at(name)
        keys = {
            tuple(row[i] for i in at): f"{table.label}, line {line}"
            for line, row in zip(table.lines, table.rows, strict=True)
        }
        given[name] = keys
        held = {tuple(row[i] for i in at): row for row in now.get(name, ((), []))[1]}
        if table.absent:
            table.rows = [
                _kept(row, held.get(tuple(row[i] for i in at)), table.absent) for row in table.rows
            ]
        for key, row in held.items():
            if key not in keys:
                table.rows.append(row)
                table.lines.append(COMPANY_LINE)
    return given


def _kept(row: Row, held: Row | None, absent: tuple[int, ...]) -> Row:
    """A row of a file without some columns: for a row the company holds, those columns
    keep the company's values (an upsert changes what the file says, not what it leaves
    out); a new row keeps the columns' defaults, as an import gives them."""
    if held is None:
        return row
    return tuple(held[i] if i in absent else value for i, value in enumerate(row))


def merge_templates(
    bundle: list[dict[str, Any]], company: Dataset
) -> tuple[list[dict[str, Any]], dict[Row, str]]:
    """The bundle's templates and the company's others; the keys the bundle gives."""
    keys = {(str(t.get("item", "")),): f"template {t.get('item', '')}" for t in bundle}
    others = [t for t in company.templates if (str(t.get("item", "")),) not in keys]
    return [*bundle, *others], keys


def located(problem: BundleProblem) -> BundleProblem:
    """A problem on a row of the company's said so, since it has no line in the file."""
    if problem.line != COMPANY_LINE:
        return problem
    reason = f"{problem.reason} (a row the company holds, which the file does not give)"
    return BundleProblem(problem.file, None, problem.column, problem.value, reason)


def given_rows(merged: Dataset, keys: Places) -> Dataset:
    """The rows of ``merged`` the bundle gives (by each file's key): what an upsert writes."""
    out = Dataset()
    out.settings = {k: v for k, v in merged.settings.items() if (k,) in keys.get("settings", ())}
    out.templates = [
        t for t in merged.templates if (str(t.get("item", "")),) in keys.get("templates", ())
    ]
    for name, attribute in ATTRIBUTES.items():
        wanted = keys.get(name, {})
        rows = [r for r in getattr(merged, attribute) if _key(name, r) in wanted]
        setattr(out, attribute, rows)
    return out


def _key(name: str, row: Any) -> Row:
    return tuple(getattr(row, k) for k in KEYS[name])
