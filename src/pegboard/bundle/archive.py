"""How big a bundle may be, and reading zip archives (an uploaded bundle, an xlsx
workbook) without trusting what they say about themselves.

One limit, ``BUNDLE_LIMIT``, holds everywhere: an uploaded file, each file an
archive unpacks to, and all of them together. Sizes are counted while
decompressing, never taken from the archive's directory, which a zip bomb
fills with small numbers. Rows are counted as they are read (``row_limit``):
a file of twenty million blank lines stops at the limit with a located error
instead of keeping a server busy for minutes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from pegboard.errors import BundleError, BundleProblem

BUNDLE_LIMIT = 512 * 1024 * 1024
"""A bundle: an upload, each file it unpacks to, and all of them together (512 MiB)."""
MAX_ROWS = 5_000_000
"""Rows one CSV file of a bundle may hold, blank ones included."""
MAX_SHEET_ROWS = 1_048_576
"""Rows one sheet of a workbook may hold, blank ones included (Excel's own limit)."""
MAX_PARTS = 1_000
"""Parts an xlsx workbook may hold (a bundle's workbook has a few dozen)."""
CHUNK = 1024 * 1024


def mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB" if n >= 1024**2 else f"{n:,} bytes"


class TooBig(Exception):
    """An archive member, or the archive as a whole, unpacks to more than allowed."""

    def __init__(self, what: str, limit: int, *, together: bool = False) -> None:
        said = f"the files up to {what} unpack" if together else f"{what} unpacks"
        super().__init__(f"{said} to more than {mib(limit)}{' together' if together else ''}")
        self.what = what
        self.limit = limit


def copy_capped(
    src: IO[bytes],
    dst: IO[bytes] | None,
    *,
    name: str,
    written: int = 0,
    member_limit: int = BUNDLE_LIMIT,
    total_limit: int = BUNDLE_LIMIT,
) -> int:
    """Copy (or, without ``dst``, only count) one member, stopping as soon as it or the
    running total passes its limit; returns the new total."""
    size = 0
    while chunk := src.read(CHUNK):
        size += len(chunk)
        written += len(chunk)
        if size > member_limit:
            raise TooBig(name, member_limit)
        if written > total_limit:
            raise TooBig(name, total_limit, together=True)
        if dst is not None:
            dst.write(chunk)
    return written


def workbook_problem(path: Path, *, limit: int = BUNDLE_LIMIT) -> str | None:
    """Why a workbook may not be read (``None``: it may): any of its parts, or all of
    them, unpack to more than ``limit``. Checked before a spreadsheet library opens it
    (which would hold its shared strings in memory)."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
            if len(parts) > MAX_PARTS:
                return f"the workbook holds {len(parts):,} parts (at most {MAX_PARTS:,})"
            total = 0
            for part in parts:
                with zf.open(part) as src:
                    total = copy_capped(
                        src,
                        None,
                        name=part.filename,
                        written=total,
                        member_limit=limit,
                        total_limit=limit,
                    )
    except TooBig as e:
        return f"{e} (a bundle, and each part of a workbook, is limited to {mib(limit)})"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as e:
        return f"not a readable workbook ({e})"
    except (OSError, EOFError, ValueError) as e:  # a truncated or corrupt part
        return f"not a readable workbook ({e})"
    return None


def check_workbook(path: Path, *, limit: int = BUNDLE_LIMIT) -> None:
    """``workbook_problem`` as a bundle error naming the file."""
    problem = workbook_problem(path, limit=limit)
    if problem is not None:
        raise BundleError([BundleProblem(path.name, None, None, None, f"not read: {problem}")])


def too_many_rows(label: str, line: int, limit: int) -> BundleError:
    """The error for a file that goes on past ``limit`` rows, located at the first row over."""
    return BundleError(
        [
            BundleProblem(
                label,
                line,
                None,
                None,
                f"more than {limit:,} rows (blank ones count too); nothing was read past here",
            )
        ]
    )
