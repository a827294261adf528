"""``--xlsx FILE`` of the report commands: the workbook a service built, saved to a file.

A file that cannot be written (no such folder, no permission) is one line naming the
file and the reason, exit 1, never a traceback; nothing is left half written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from pegboard.cli._common import console, esc
from pegboard.errors import ValidationError

XlsxOption = Annotated[
    Path | None,
    typer.Option(
        "--xlsx",
        metavar="FILE",
        help="write the report as an XLSX workbook to FILE instead of a table",
        dir_okay=False,
    ),
]


def refuse_both(as_csv: bool, xlsx: Path | None) -> None:
    if as_csv and xlsx is not None:
        raise typer.BadParameter("give --csv or --xlsx, not both", param_hint="--xlsx")


def save(path: Path, data: bytes) -> None:
    """Written to a temporary file next to ``path``, then renamed over it: a reader never
    sees half a workbook and a failed write leaves the old file as it was."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).chmod(0o644)  # mkstemp's 0600 would hide a report from its readers
        Path(temporary).replace(path)
        temporary = None
    except OSError as e:
        raise ValidationError(f"cannot write {path}: {e.strerror or e}", file=str(path)) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    console.print(f"wrote {esc(str(path))} ({len(data):,} bytes)", highlight=False, soft_wrap=True)
