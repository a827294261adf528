"""The upsert's writing context: the transaction's session, its author, ids by code, and
the audit of every added and changed row (``services.company_upsert``'s writers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.services import audit
from pegboard.services.upsert_diff import KEYS, FileDiff, Places, Row

ENTITIES = {
    "settings": "setting",
    "holidays": "calendar",
    "items": "item",
    "locations": "location",
    "sales_orders": "sales_order_line",
    "bom": "bom",
    "work_centers": "work_center",
    "work_center_closed_days": "work_center",
    "routings": "routing",
    "mps": "mps",
    "purchase_orders": "purchase_order_line",
    "production_orders": "production_order",
    "templates": "bom",
    "stock": "stock",
}
"""The audit's entity of each file's rows: the one its own commands write."""


def named(d: FileDiff, row: Row) -> dict[str, Any]:
    return dict(zip(d.names, row, strict=True))


class Writer:
    """The transaction's session, the author, and the codes' ids as rows are added."""

    def __init__(self, session: Session, author: str, places: Places | None = None) -> None:
        self.session = session
        self.author = author
        self.places = places or {}

    def place(self, file: str, row: dict[str, Any]) -> str:
        """Where the row is in the bundle (``bom.csv, line 3``)."""
        return self.places.get(file, {}).get(tuple(row[k] for k in KEYS[file]), file)

    def refuse(self, file: str, row: dict[str, Any], field: str, why: str) -> ValidationError:
        """A row the database's state refuses, named by its place in the bundle."""
        value = "/".join(str(row[k]) for k in KEYS[file])
        place = self.place(file, row)
        return ValidationError(
            f"{place}: {value}: {why}", field=field, file=file, value=value, where=place
        )

    def ids(self, column: Any, ident: Any, codes: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(codes))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = self.session.execute(select(column, ident).where(column.in_(chunk)))
            found.update((code, ident_) for code, ident_ in rows)
        return found

    def free_number(self, column: Any, base: str) -> str:
        """``base``, or ``base#2``, ``#3``… when taken (numbers are for people and may
        coincide, as the importer numbers them)."""
        taken = set(self.session.scalars(select(column).where(column.like(f"{base}%"))))
        number, n = base, 1
        while number in taken:
            n += 1
            number = f"{base}#{n}"
        return number

    def audit_row(self, d: FileDiff, old: Row | None, new: Row) -> None:
        after = named(d, new)
        before = named(d, old) if old is not None else None
        if before is not None:
            changed = {k for k in after if after[k] != before[k]}
            before = {k: before[k] for k in changed}
            after = {k: after[k] for k in changed}
        audit.record(
            self.session,
            author=self.author,
            entity=ENTITIES[d.file],
            ref="/".join(str(k) for k in d.key(new)),
            action="upsert add" if old is None else "upsert change",
            before=before,
            after=after,
        )

    def audit_table(self, d: FileDiff) -> None:
        audit.record(
            self.session,
            author=self.author,
            entity="bundle",
            ref=d.file,
            action="upsert",
            after={"added": len(d.added), "changed": len(d.changed), "unchanged": d.unchanged},
        )

    def each(self, d: FileDiff) -> Iterable[tuple[Row | None, dict[str, Any]]]:
        """Every added row (``None`` before) and changed row (its old row), by name;
        each audited."""
        for row in d.added:
            self.audit_row(d, None, row)
            yield None, named(d, row)
        for old, row in d.changed:
            self.audit_row(d, old, row)
            yield old, named(d, row)
