"""Read a bundle's tables, from a folder of CSV files or one ``.xlsx`` workbook.

The reader yields raw text cells with their line numbers; parsing and rules
live in ``bundle.parse`` and ``bundle.checks``. Both sources look the same
downstream, so an XLSX error names the sheet as ``sheet.csv`` equivalents do.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pegboard.bundle import archive
from pegboard.bundle.schema import FileSpec
from pegboard.errors import BundleError, BundleProblem

Progress = Callable[[str, int, int], None]
"""``progress(label, done, total)``: how far the reader is through one file, in bytes or rows."""

_PROGRESS_EVERY = 20_000


@dataclass(frozen=True)
class RawTable:
    """One file's header and a way to iterate its rows as ``(line_number, cells)``."""

    label: str  # "items.csv" or "book.xlsx[items]"
    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]


class Source:
    """A bundle on disk. ``table(spec)`` is ``None`` when the file or sheet is absent."""

    def table(self, spec: FileSpec, progress: Progress | None = None) -> RawTable | None:
        raise NotImplementedError

    def label(self, spec: FileSpec) -> str:
        """How problems name this file: ``items.csv``, or ``book.xlsx[items]``."""
        return spec.filename

    def close(self) -> None:
        """Release what the source holds open."""


class FolderSource(Source):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def table(self, spec: FileSpec, progress: Progress | None = None) -> RawTable | None:
        path = self.folder / spec.filename
        if not path.exists():
            return None
        try:
            with path.open(newline="", encoding="utf-8-sig") as f:
                header = next(csv.reader(f), [])
        except UnicodeDecodeError as e:
            raise BundleError(
                [BundleProblem(spec.filename, None, None, None, f"not UTF-8 ({e})")]
            ) from e
        size = path.stat().st_size

        def rows() -> Iterator[tuple[int, list[str]]]:
            with path.open(newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                next(reader, None)
                try:
                    for n, cells in enumerate(reader):
                        if n >= archive.MAX_ROWS:
                            raise archive.too_many_rows(
                                spec.filename, reader.line_num, archive.MAX_ROWS
                            )
                        yield reader.line_num, cells
                        if progress is not None and n % _PROGRESS_EVERY == 0:
                            progress(spec.filename, f.buffer.tell(), size)
                except (csv.Error, UnicodeDecodeError) as e:
                    raise BundleError(
                        [
                            BundleProblem(
                                spec.filename, reader.line_num, None, None, f"unreadable CSV: {e}"
                            )
                        ]
                    ) from e
            if progress is not None:
                progress(spec.filename, size, size)

        return RawTable(spec.filename, [h.strip() for h in header], rows)


def _cell_text(value: object) -> str:
    """Spreadsheet cells arrive typed; turn them back into the CSV text they stand for."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class WorkbookSource(Source):
    """One sheet per file, named like the file without ``.csv``."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self.path = path
        archive.check_workbook(path)
        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many kinds for a bad file
            raise BundleError(
                [BundleProblem(path.name, None, None, None, f"not a readable workbook ({e})")]
            ) from e

    def label(self, spec: FileSpec) -> str:
        return f"{self.path.name}[{spec.name}]"

    def close(self) -> None:
        self.book.close()

    def table(self, spec: FileSpec, progress: Progress | None = None) -> RawTable | None:
        if spec.name not in self.book.sheetnames:
            return None
        sheet = self.book[spec.name]
        label = self.label(spec)
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        header = [_cell_text(v).strip() for v in first]
        while header and not header[-1]:
            header.pop()
        total = sheet.max_row or 0

        def rows() -> Iterator[tuple[int, list[str]]]:
            for n, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
                if n > archive.MAX_SHEET_ROWS:
                    raise archive.too_many_rows(label, n, archive.MAX_SHEET_ROWS)
                yield n, [_cell_text(v) for v in values]
                if progress is not None and n % _PROGRESS_EVERY == 0:
                    progress(label, n, total)

        return RawTable(label, header, rows)


def open_source(path: Path) -> Source:
    if path.is_dir():
        return FolderSource(path)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        return WorkbookSource(path)
    raise BundleError(
        [
            BundleProblem(
                str(path), None, None, None, "expected a folder of CSV files or an .xlsx workbook"
            )
        ]
    )
