"""Turn raw cells into typed values, collecting every problem with its location.

A bad row does not stop the reading: all problems of a file are gathered (up
to a cap) so a person can fix a spreadsheet in one pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from pegboard.bundle.reader import RawTable
from pegboard.bundle.schema import FIRST_DAY, LAST_DAY, Check, Column, FileSpec, Kind
from pegboard.errors import BundleProblem
from pegboard.services.codes import code_problem

MAX_PROBLEMS_PER_FILE = 50

CODE_COLUMNS = frozenset(
    {
        "item",
        "parent",
        "component",
        "location",
        "customer",
        "project",
        "sales_order",
        "purchase_order",
        "production_order",
        "work_center",
    }
)
"""Columns that hold a code: the rule of ``services.codes`` applies (no ``/``, ``?``…)."""

Value = str | int | float | bool | date | Decimal | None


class CellError(ValueError):
    """A cell that does not parse; the message says why."""


INT_LIMIT = 2**31


def parse_int(text: str) -> int:
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.isdigit():
        raise CellError("not a whole number (digits 0-9 only)")
    # past ten significant digits it is too large anyway; int() of thousands of digits
    # would refuse with its own error (Python's limit of 4,300) instead of saying so
    significant = body.lstrip("0") or "0"
    if len(significant) > 10:
        raise CellError("too large")
    value = -int(significant) if text[:1] == "-" else int(significant)
    if not -INT_LIMIT < value < INT_LIMIT:
        raise CellError("too large")
    return value


MIN_QTY = 1e-9
"""The smallest quantity other than 0 (a billionth; items have at most 6 decimals)."""


def parse_qty(text: str) -> float:
    # float() reads "١٢" (Arabic-Indic digits) as 12 and "1_0" as 10: digits 0-9 only
    if "_" in text or not text.isascii():
        raise CellError("not a decimal number (digits 0-9, a point, an exponent)")
    try:
        value = float(text)
    except ValueError:
        raise CellError("not a decimal number") from None
    if not math.isfinite(value):
        raise CellError("not a finite number")
    if abs(value) >= 1e15:
        raise CellError("too large")
    if value != 0 and abs(value) < MIN_QTY:
        # a product of two such numbers underflows PostgreSQL's double precision
        raise CellError(f"too small: a quantity is 0 or at least {MIN_QTY:g}")
    return value


CENT = Decimal("0.01")


def parse_money(text: str) -> Decimal:
    """An exact amount in cents: ``48.5``, ``48.50``, ``1200``; read as a ``Decimal``, never
    through a float."""
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.replace(".", "", 1).isdigit():
        raise CellError("not an amount (digits 0-9 and a decimal point)")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError("not an amount") from None
    if abs(value) >= Decimal("1e15"):
        raise CellError("too large")
    if value != value.quantize(CENT):
        raise CellError("at most two decimals (cents)")
    return value.quantize(CENT)


UNIT_PLACES = Decimal("0.0001")


def parse_unit_price(text: str) -> Decimal:
    """An exact unit cost or price of at most 4 decimals (``0.0125``, ``3.0E2``), read as a
    ``Decimal``, never through a float; more decimals are refused, not rounded away."""
    if text.strip("+-").lower() in ("nan", "inf", "infinity"):
        raise CellError("not a finite number")
    if not _DECIMAL.fullmatch(text):
        raise CellError("not an amount (digits 0-9, a decimal point, an exponent)")
    value = Decimal(text)
    if abs(value) >= Decimal("1e15"):
        raise CellError("too large")
    if value != value.quantize(UNIT_PLACES):
        raise CellError("at most 4 decimals")
    return value.quantize(UNIT_PLACES)


_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")


EARLIEST = date.fromisoformat(FIRST_DAY)
LATEST = date.fromisoformat(LAST_DAY)


def parse_date(text: str) -> date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        raise CellError("not a date in the form YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CellError("not a valid date") from None
    if not EARLIEST <= day <= LATEST:
        raise CellError(f"outside {FIRST_DAY} .. {LAST_DAY}")
    return day


_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def parse_bool(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise CellError("not true or false")


def check_text(value: str, *, multiline: bool = False) -> None:
    """No NUL (PostgreSQL cannot store it, SQLite would), no line break unless allowed."""
    if "\x00" in value:
        raise CellError("holds a NUL character (\\x00)")
    if not multiline and ("\n" in value or "\r" in value):
        raise CellError(
            "holds a line break: a value here is one line (is a quote left open above it?)"
        )


def _text_parser(limit: int, multiline: bool) -> Callable[[str], str]:
    def text(value: str) -> str:
        check_text(value, multiline=multiline)
        if len(value) > limit:
            raise CellError(f"longer than {limit} characters")
        return value

    return text


_PLAIN_CODE = re.compile(
    r"[^\x00-\x20/\\?#%\x7f-\U0010ffff](?:[^\x00-\x1f/\\?#%\x7f-\U0010ffff]*[^\x00-\x20/\\?#%\x7f-\U0010ffff])?"
)
"""A code of printable ASCII without a path character or a space at either end: one
``code_problem`` accepts, told in one match instead of its loop over the characters
(a big bundle has half a million distinct codes). Any other text goes through it."""


def _code_parser(limit: int) -> Callable[[str], str]:
    def code(value: str) -> str:
        if len(value) <= limit and _PLAIN_CODE.fullmatch(value):
            return value
        check_text(value)
        problem = code_problem(value, limit)
        if problem is not None:
            raise CellError(problem)
        return value

    return code


def _choice_parser(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def choice(text: str) -> str:
        low = text.lower()
        if low not in allowed:
            raise CellError(f"must be one of {', '.join(allowed)}")
        return low

    return choice


def _checked(
    base: Callable[[str], int | float | Decimal], check: Check, maximum: int | None = None
) -> Callable[[str], Value]:
    """Wrap a number parser with the column's sign rule and its largest value."""
    if maximum is not None:
        inner, top = base, maximum

        def bounded(text: str) -> int | float | Decimal:
            v = inner(text)
            if v > top:
                raise CellError(f"at most {top}")
            return v

        base = bounded
    if check is Check.POSITIVE:

        def positive(text: str) -> Value:
            v = base(text)
            if v <= 0:
                raise CellError("must be greater than 0")
            return v

        return positive
    if check is Check.NOT_NEGATIVE:

        def not_negative(text: str) -> Value:
            v = base(text)
            if v < 0:
                raise CellError("must not be negative")
            return v

        return not_negative
    return base


def _parser(column: Column) -> Callable[[str], Value]:
    kind = column.kind
    if kind is Kind.TEXT and column.name in CODE_COLUMNS:
        return _code_parser(column.max_length)
    if kind is Kind.TEXT:
        return _text_parser(column.max_length, column.multiline)
    if kind is Kind.CHOICE:
        return _choice_parser(column.choices)
    if kind is Kind.DATE:
        return parse_date
    if kind is Kind.BOOL:
        return parse_bool
    if kind is Kind.MONEY:
        return _checked(parse_money, column.check, column.maximum)
    if kind is Kind.UNIT_PRICE:
        return _checked(parse_unit_price, column.check, column.maximum)
    return _checked(parse_int if kind is Kind.INT else parse_qty, column.check, column.maximum)


@dataclass
class ParsedTable:
    """Typed rows in the spec's column order, with the line each came from."""

    label: str
    lines: list[int] = field(default_factory=list)
    rows: list[tuple[Value, ...]] = field(default_factory=list)
    absent: tuple[int, ...] = ()
    """The spec's columns (by position) the file does not have: their defaults were
    taken (an upsert keeps the company's value of a row it holds instead)."""


@dataclass
class Problems:
    items: list[BundleProblem] = field(default_factory=list)
    truncated: bool = False
    _per_file: dict[str, int] = field(default_factory=dict)

    def add(self, problem: BundleProblem) -> None:
        n = self._per_file.get(problem.file, 0)
        self._per_file[problem.file] = n + 1
        if n >= MAX_PROBLEMS_PER_FILE:
            self.truncated = True
            return
        self.items.append(problem)

    def full(self, label: str) -> bool:
        return self._per_file.get(label, 0) >= MAX_PROBLEMS_PER_FILE

    def __bool__(self) -> bool:
        return bool(self.items)


def _header_positions(table: RawTable, spec: FileSpec, problems: Problems) -> list[int] | None:
    seen: dict[str, int] = {}
    ok = True
    for i, name in enumerate(table.header):
        if name in seen:
            problems.add(BundleProblem(table.label, 1, name, None, "duplicate column"))
            ok = False
        elif name not in {c.name for c in spec.columns}:
            known = ", ".join(c.name for c in spec.columns)
            reason = f"unknown column (this file takes: {known})"
            problems.add(BundleProblem(table.label, 1, name or f"#{i + 1}", None, reason))
            ok = False
        seen[name] = i
    for c in spec.columns:
        if c.required and c.name not in seen:
            problems.add(BundleProblem(table.label, 1, c.name, None, "required column is missing"))
            ok = False
    if not ok:
        return None
    return [seen.get(c.name, -1) for c in spec.columns]


def parse_table(table: RawTable, spec: FileSpec, problems: Problems) -> ParsedTable:
    """Parse every row; a row with any bad cell is reported and left out."""
    out = ParsedTable(table.label)
    positions = _header_positions(table, spec, problems)
    if positions is None:
        return out
    out.absent = tuple(i for i, pos in enumerate(positions) if pos < 0)
    plan = [
        (pos, col, _parser(col) if _unique_text(col) else _memoised(_parser(col)))
        for pos, col in zip(positions, spec.columns, strict=True)
    ]
    width = len(table.header)
    lookup = _row_lookup(positions, spec)
    rows = table.rows()
    for line, cells in rows:
        if lookup is not None and len(cells) == width:
            try:
                values = lookup(cells)
            except KeyError:
                pass  # a cell to report: the row is read again below, cell by cell
            else:
                out.lines.append(line)
                out.rows.append(values)
                continue
        if not any(c.strip() for c in cells):
            continue
        reason = _width_problem(table, cells, width)
        if reason is not None:
            problems.add(BundleProblem(table.label, line, None, None, reason))
            continue
        row = _parse_row(table.label, line, cells, plan, problems)
        if row is not None:
            out.lines.append(line)
            out.rows.append(row)
        elif problems.full(table.label):
            # The rest of the file is not checked: say so when there is a rest.
            if any(any(c.strip() for c in rest) for _, rest in rows):
                problems.truncated = True
            break
    return out


def _row_lookup(
    positions: list[int], spec: FileSpec
) -> Callable[[Sequence[str]], tuple[Value, ...]] | None:
    """A row's values by one look-up per cell, run in C: each column's cells picked in
    the spec's order, each text's value from the column's ``_ColumnValues``. A
    ``KeyError`` means a cell ``_parse_row`` would report (its words are made there).
    None for a file without a required column, whose blank rows must be skipped."""
    if not any(c.required for c in spec.columns):
        return None
    columns = [_ColumnValues(col, _parser(col), keep=not _unique_text(col)) for col in spec.columns]
    if any(pos < 0 for pos in positions):
        # an absent column reads as a blank cell: one appended, picked as the last
        last = max(positions) + 1
        picked = [last if pos < 0 else pos for pos in positions]
        pick = itemgetter(*picked)

        def padded(cells: Sequence[str]) -> tuple[Value, ...]:
            return tuple(map(dict.__getitem__, columns, pick([*cells[:last], ""])))

        return padded
    pick = itemgetter(*positions)
    if len(positions) == 1:
        return lambda cells: (columns[0][cells[positions[0]]],)
    return lambda cells: tuple(map(dict.__getitem__, columns, pick(cells)))


class _ColumnValues(dict[str, Value]):
    """A column's value of each cell text (blank included), worked out on first sight as
    ``_parse_row`` would, and remembered unless the column is free text (its values
    rarely repeat) or ``MEMO_LIMIT`` texts are remembered already. A text
    ``_parse_row`` would report raises ``KeyError``."""

    def __init__(self, column: Column, parse: Callable[[str], Value], *, keep: bool) -> None:
        super().__init__()
        self.column, self.parse, self.keep = column, parse, keep

    def __missing__(self, raw: str) -> Value:
        value = _cell_value(raw, self.column, self.parse)
        if isinstance(value, _Problem):
            raise KeyError(raw)
        if self.keep and len(self) < MEMO_LIMIT:
            self[raw] = value
        return value


class _Problem:
    """What ``_cell_value`` gives for a cell ``_parse_row`` would report."""


_BAD = _Problem()


def _cell_value(raw: str, col: Column, parse: Callable[[str], Value]) -> Value | _Problem:
    """A cell's value as ``_parse_row`` reads it (stripped, a blank one the column's
    default), or ``_BAD`` when ``_parse_row`` would report it."""
    text = raw.strip()
    if not text:
        if col.required:
            return _BAD
        text = col.default
        if not text:
            return "" if col.kind is Kind.TEXT else None
    try:
        return parse(text)
    except CellError:
        return _BAD


def _unique_text(column: Column) -> bool:
    """A free-text column (a description): its values rarely repeat, so remembering them
    would cost more than checking each again."""
    return column.kind is Kind.TEXT and column.name not in CODE_COLUMNS


MEMO_LIMIT = 500_000
"""Distinct texts a column's parser remembers; past that it parses without remembering,
so a file of millions of distinct values does not hold them all twice."""


def _memoised(parse: Callable[[str], Value]) -> Callable[[str], Value]:
    """``parse`` remembering what each text it accepted parsed to.

    A big bundle repeats the same texts in a column over and over (a BOM's component
    codes, quantities per, dates, statuses): checking each code against the code rule
    and reading each number anew was most of the reading time. Every column parser is a
    pure function of the text, and its values are immutable, so a remembered value is
    the one a new parse would give; a refused text is parsed again each time, so every
    bad cell is still reported with its own message.
    """
    seen: dict[str, Value] = {}

    def parse_once(text: str) -> Value:
        try:
            return seen[text]
        except KeyError:
            value = parse(text)
            if len(seen) < MEMO_LIMIT:
                seen[text] = value
            return value

    return parse_once


def _width_problem(table: RawTable, cells: Sequence[str], width: int) -> str | None:
    """What is wrong with a row's number of cells against the header's, if anything."""
    if table.exact_width and len(cells) != width:
        more = "more" if len(cells) > width else "fewer"
        return (
            f"{len(cells)} cells: {more} cells than header columns ({width}); "
            "a comma too many or missing, or a quote not closed?"
        )
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        return "more cells than header columns"
    return None


def _parse_row(
    label: str,
    line: int,
    cells: Sequence[str],
    plan: Sequence[tuple[int, Column, Callable[[str], Value]]],
    problems: Problems,
) -> tuple[Value, ...] | None:
    """A row's values, each cell parsed by its column (a blank one takes the default);
    ``None`` when a cell is bad, every bad cell reported."""
    row: list[Value] = []
    bad = False
    for pos, col, parse in plan:
        text = cells[pos].strip() if 0 <= pos < len(cells) else ""
        if not text:
            if col.required:
                problems.add(BundleProblem(label, line, col.name, "", "a value is required"))
                bad = True
                continue
            text = col.default
            if not text:
                row.append("" if col.kind is Kind.TEXT else None)
                continue
        try:
            row.append(parse(text))
        except CellError as e:
            problems.add(BundleProblem(label, line, col.name, text, str(e)))
            bad = True
    return None if bad else tuple(row)
