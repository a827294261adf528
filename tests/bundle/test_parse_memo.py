"""Reading a column remembers what each text parsed to (a big bundle repeats its codes,
quantities and dates): the rows and the problems must be exactly what parsing every
cell afresh gives, a bad text repeated reported on each of its lines."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from pegboard.bundle import schema
from pegboard.bundle.parse import CellError, Problems, Value, _parser, parse_table
from pegboard.bundle.reader import RawTable
from pegboard.errors import BundleProblem

# a few texts per column, good and bad, so that rows repeat them
CODES = ["A-1", "B 2", "A-1", "bad/code", " lead", "x" * 101, "Ω-3"]
DATES = ["2026-03-02", "2026-02-30", "2026-3-2", "2026-03-02", ""]
QTYS = ["1", "2.5", "0", "-1", "1e20", "abc", "1", ""]
STATUSES = ["released", "PLANNED", "in_progress", "done", ""]
BOOLS = ["true", "no", "maybe", ""]

ROW = st.tuples(
    st.sampled_from(CODES),
    st.sampled_from(CODES),
    st.sampled_from(QTYS),
    st.sampled_from(DATES),
    st.sampled_from(DATES),
    st.sampled_from(STATUSES),
    st.sampled_from(BOOLS),
    st.sampled_from([*CODES, ""]),
)


def _table(rows: list[tuple[str, ...]]) -> RawTable:
    header = [c.name for c in schema.PRODUCTION_ORDERS.columns]

    def cells() -> Iterator[tuple[int, list[str]]]:
        for n, row in enumerate(rows, start=2):
            yield n, list(row)

    return RawTable("production_orders.csv", header, cells, exact_width=True)


def _afresh(
    rows: list[tuple[str, ...]],
) -> tuple[list[int], list[tuple[Value, ...]], list[BundleProblem]]:
    """Every cell parsed by a parser of its own (nothing remembered), as parse_table did."""
    lines: list[int] = []
    parsed: list[tuple[Value, ...]] = []
    problems: list[BundleProblem] = []
    label = "production_orders.csv"
    for line, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank row is no row
        values: list[Value] = []
        bad = False
        for col, cell in zip(schema.PRODUCTION_ORDERS.columns, cells, strict=True):
            text = cell.strip()
            if not text:
                if col.required:
                    problems.append(BundleProblem(label, line, col.name, "", "a value is required"))
                    bad = True
                    continue
                text = col.default
                if not text:
                    values.append("" if col.kind is schema.Kind.TEXT else None)
                    continue
            try:
                values.append(_parser(col)(text))
            except CellError as e:
                problems.append(BundleProblem(label, line, col.name, text, str(e)))
                bad = True
        if not bad:
            lines.append(line)
            parsed.append(tuple(values))
    return lines, parsed, problems


@settings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=12))
def test_remembered_parse_is_a_fresh_parse(rows: list[tuple[str, ...]]) -> None:
    problems = Problems()
    out = parse_table(_table(rows), schema.PRODUCTION_ORDERS, problems)
    lines, parsed, expected = _afresh(rows)
    # the cap on problems per file stops both the same way only below it
    if len(expected) < 50:
        assert problems.items == expected
        assert out.lines == lines
        assert out.rows == parsed


def test_a_bad_code_repeated_is_reported_on_each_line() -> None:
    row = ("MO-1", "bad/code", "1", "2026-03-02", "", "", "", "")
    problems = Problems()
    parse_table(_table([row, row, row]), schema.PRODUCTION_ORDERS, problems)
    assert [(p.line, p.column, p.value) for p in problems.items] == [
        (2, "item", "bad/code"),
        (3, "item", "bad/code"),
        (4, "item", "bad/code"),
    ]
    assert all("/" in p.reason for p in problems.items)
