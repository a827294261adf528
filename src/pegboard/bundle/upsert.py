"""What an import in upsert mode would change: rows added, changed and unchanged per file.

An upsert adds the bundle's rows whose key the company does not hold and changes those
whose key it holds; it never deletes (a row of the company the bundle leaves out stays).
Each file's key is what names one row of it in the bundle format (``KEYS``, documented
in docs/bundle-upsert.md). The preview compares the rows as the bundle reader and the
database give them (``Dataset`` rows), so a number spelled ``1.0`` against ``1`` is
unchanged, and lists, for the first rows that change, which fields change and how.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pegboard.services.dataset import Dataset
from pegboard.services.upsert_diff import KEYS, FileDiff, diff

__all__ = [
    "KEYS",
    "SHOWN",
    "FieldChange",
    "FilePreview",
    "RowChange",
    "describe",
    "from_result",
    "preview",
    "summary",
]

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


def preview(
    company: Dataset, bundle: Dataset, files: Sequence[str] | None = None
) -> list[FilePreview]:
    """Per file the bundle holds rows of (or each of ``files``): how many of its rows an
    upsert would add, change and leave as they are, and the first changes' fields."""
    return [summary(d) for d in diff(company, bundle, files)]


def summary(d: FileDiff) -> FilePreview:
    """A file's diff as a preview shows it: counts, the first changes field by field."""
    first = [
        RowChange(
            d.key(new),
            [
                FieldChange(name, a, b)
                for name, a, b in zip(d.names, old, new, strict=True)
                if a != b
            ],
        )
        for old, new in d.changed[:SHOWN]
    ]
    return FilePreview(
        d.file,
        added=len(d.added),
        changed=len(d.changed),
        unchanged=d.unchanged,
        first_changes=first,
        first_added=[d.key(row) for row in d.added[:SHOWN]],
    )


def from_result(file: dict[str, Any]) -> FilePreview:
    """A file's preview back from an upsert job's result (JSON: values as their text)."""
    changes = [
        RowChange(tuple(c["key"]), [FieldChange(**f) for f in c["fields"]])
        for c in file["first_changes"]
    ]
    return FilePreview(
        file["file"],
        added=file["added"],
        changed=file["changed"],
        unchanged=file["unchanged"],
        first_changes=changes,
        first_added=[tuple(k) for k in file["first_added"]],
    )


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
