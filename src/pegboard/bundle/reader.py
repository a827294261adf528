"""Read a bundle's tables, from a folder of CSV files or one ``.xlsx`` workbook.

The reader yields raw text cells with their line numbers; parsing and rules
live in ``bundle.parse`` and ``bundle.checks``. Both sources look the same
downstream, so an XLSX error names the sheet as ``sheet.csv`` equivalents do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import stat
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
    """Each record with the line it starts on (a quoted line break makes a record longer)."""
    exact_width: bool = False
    """CSV: every record has as many fields as the header (a sheet's rows may be ragged)."""


class Source:
    """A bundle on disk. ``table(spec)`` is ``None`` when the file or sheet is absent."""

    def table(self, spec: FileSpec, progress: Progress | None = None) -> RawTable | None:
        raise NotImplementedError

    def label(self, spec: FileSpec) -> str:
        """How problems name this file: ``items.csv``, or ``book.xlsx[items]``."""
        return spec.filename

    def close(self) -> None:
        """Release what the source holds open."""


def regular_file(path: Path, label: str) -> bool:
    """True when ``path`` is a regular file, False when absent; anything else (a folder, a
    FIFO that would block the import, a device) is a ``BundleError`` naming it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except OSError as e:
        raise BundleError([BundleProblem(label, None, None, None, f"cannot be read ({e})")]) from e
    if stat.S_ISREG(mode):
        return True
    kind = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "special"
    reason = f"is {kind}, not a regular file" if kind != "special" else "is not a regular file"
    raise BundleError([BundleProblem(label, None, None, None, reason)])


def encoding_problem(path: Path, label: str) -> BundleProblem:
    """Where a file stops being UTF-8: the line (and the byte in it), and what it looks like."""
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(0)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) == 4 and 0 in head[1::2]):
            reason = "is UTF-16, not UTF-8: save it as UTF-8 (in Excel: CSV UTF-8)"
            return BundleProblem(label, 1, None, None, reason)
        for n, raw in enumerate(f, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as e:
                byte = raw[e.start]
                guess = ""
                try:
                    text = raw.decode("cp1252").rstrip("\r\n")
                    guess = f"; it reads as Latin-1/Windows-1252: {text[:60]!r}"
                except UnicodeDecodeError:
                    pass
                reason = (
                    f"is not UTF-8 (byte 0x{byte:02x} at character {e.start + 1} of the line"
                    f"{guess}): save the file as UTF-8 (in Excel: CSV UTF-8)"
                )
                return BundleProblem(label, n, None, None, reason)
    return BundleProblem(label, None, None, None, "is not UTF-8: save the file as UTF-8")


def _quote_problem(
    path: Path, label: str, line: int, header: list[str], error: csv.Error
) -> BundleProblem:
    """A quoting error of the record that starts on ``line``: the column it is in."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        text = next(itertools.islice(f, line - 1, None), "")
    cells = next(csv.reader([text]), [])
    column = None
    if cells:
        column = header[len(cells) - 1] if len(cells) <= len(header) else f"#{len(cells)}"
    if "end of data" in str(error):
        reason = "a quote opened in this field is never closed (it would take the rest of the file)"
    else:
        reason = f"a quote in this field is not where CSV allows one ({error})"
    return BundleProblem(label, line, column, None, reason)


class FolderSource(Source):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def table(self, spec: FileSpec, progress: Progress | None = None) -> RawTable | None:
        path = self.folder / spec.filename
        if not regular_file(path, spec.filename):
            return None
        try:
            with path.open(newline="", encoding="utf-8-sig") as f:
                header = next(csv.reader(f, strict=True), [])
        except UnicodeDecodeError as e:
            raise BundleError([encoding_problem(path, spec.filename)]) from e
        except csv.Error as e:
            raise BundleError([_quote_problem(path, spec.filename, 1, [], e)]) from e
        header = [h.strip() for h in header]
        size = path.stat().st_size

        def rows() -> Iterator[tuple[int, list[str]]]:
            # the bytes read so far (for progress) come from the binary file under the text
            with (
                path.open("rb") as raw,
                io.TextIOWrapper(raw, newline="", encoding="utf-8-sig") as f,
            ):
                reader = csv.reader(f, strict=True)
                next(reader, None)
                start = reader.line_num + 1
                try:
                    for n, cells in enumerate(reader):
                        if n >= archive.MAX_ROWS:
                            raise archive.too_many_rows(
                                spec.filename, reader.line_num, archive.MAX_ROWS
                            )
                        yield start, cells
                        start = reader.line_num + 1
                        if progress is not None and n % _PROGRESS_EVERY == 0:
                            progress(spec.filename, raw.tell(), size)
                except UnicodeDecodeError as e:
                    raise BundleError([encoding_problem(path, spec.filename)]) from e
                except csv.Error as e:
                    problem = _quote_problem(path, spec.filename, start, header, e)
                    raise BundleError([problem]) from e
            if progress is not None:
                progress(spec.filename, size, size)

        return RawTable(spec.filename, header, rows, exact_width=True)


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
        return self.sheet(spec.name, progress)

    def sheet(self, name: str, progress: Progress | None = None) -> RawTable | None:
        """The sheet called ``name`` (``None``: absent), its rows as text like a CSV's."""
        if name not in self.book.sheetnames:
            return None
        sheet = self.book[name]
        label = f"{self.path.name}[{name}]"
        # The sheet's <dimension> tag is a writer's claim; read-only openpyxl stops at it,
        # dropping the rows and columns past it without a word. Read to the sheet's end
        # instead (the claim stays the progress bar's estimate).
        total = sheet.max_row or 0
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        header = [_cell_text(v).strip() for v in first]
        while header and not header[-1]:
            header.pop()

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
    if path.suffix.lower() == ".xlsx" and regular_file(path, path.name):
        return WorkbookSource(path)
    raise BundleError(
        [
            BundleProblem(
                str(path), None, None, None, "expected a folder of CSV files or an .xlsx workbook"
            )
        ]
    )
