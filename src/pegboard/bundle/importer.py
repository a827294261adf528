"""Read, parse and check a whole bundle into a ``Dataset``: all problems at once.

Cross-file rules (duplicates, unknown items and sales orders, BOM parents that
are not made, BOM cycles) are checked here, after every file parsed, so one
run reports everything a person must fix. Nothing is written unless the whole
bundle is clean; the write itself is one transaction in ``services``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import numpy as np

from pegboard.bundle import schema
from pegboard.bundle.parse import (
    CellError,
    ParsedTable,
    Problems,
    parse_date,
    parse_int,
    parse_money,
    parse_qty,
    parse_table,
)
from pegboard.bundle.reader import (
    Progress,
    Source,
    WorkbookSource,
    encoding_problem,
    open_source,
    regular_file,
)
from pegboard.bundle.upsert_read import given_rows, located, merge_company, merge_templates
from pegboard.bundle.writer import format_value
from pegboard.engine.errors import BomCycleError
from pegboard.engine.levels import low_level_codes
from pegboard.errors import BundleError, BundleProblem, ValidationError
from pegboard.services.calendar import format_work_days, parse_work_days
from pegboard.services.capacity import MAX_CODE, format_weekday_hours, parse_weekday_hours
from pegboard.services.codes import code_problem
from pegboard.services.configurator import Template, validate_template
from pegboard.services.dataset import (
    DEFAULT_LOCATION,
    MAX_DECIMALS,
    BomRow,
    ClosedDayRow,
    Dataset,
    HolidayRow,
    ItemRow,
    LocationRow,
    MpsRow,
    ProductionRow,
    PurchaseRow,
    RoutingRow,
    SalesRow,
    StockRow,
    WorkCenterRow,
    decimals_of,
    places,
)
from pegboard.services.money import ISO_4217
from pegboard.services.mps import line_number
from pegboard.services.templates import check_worst_cases, parse_definition
from pegboard.services.upsert_diff import Places

EMPTY_ITEMS = (
    "holds no items: importing it would delete every item of the company; "
    "give --allow-empty (the upload's allow_empty option) to empty it on purpose"
)


def read_bundle(
    path: Path, progress: Progress | None = None, *, allow_empty: bool = False
) -> Dataset:
    """Parse and check the bundle at ``path``; raise ``BundleError`` listing every problem.

    An items.csv without rows would replace the company with nothing: refused unless
    ``allow_empty``."""
    return _read(path, progress, allow_empty=allow_empty)[0]


def read_upsert(
    path: Path, company: Dataset, progress: Progress | None = None
) -> tuple[Dataset, Places]:
    """Parse the bundle at ``path`` for an upsert into ``company`` (``bundle.upsert_read``):
    every file optional, every rule checked on the company as the upsert leaves it (a row
    may name an item only the database holds). Returns the bundle's own rows and where
    each is; raises ``BundleError`` listing every problem."""
    data, places = _read(path, progress, company=company)
    return given_rows(data, places), places


def _read(
    path: Path,
    progress: Progress | None,
    *,
    allow_empty: bool = False,
    company: Dataset | None = None,
) -> tuple[Dataset, Places]:
    source = open_source(path)
    problems = Problems()
    parsed, present = _parse_files(source, progress, problems, upsert=company is not None)
    keys = merge_company(parsed, company) if company is not None else {}
    data = _build(parsed, problems, locations_given=schema.LOCATIONS.name in present)
    items = parsed[schema.ITEMS.name]
    bad_items = any(p.file == items.label for p in problems.items)
    empty = schema.ITEMS.name in present and not items.rows and not bad_items
    if not allow_empty and company is None and empty:
        problems.add(BundleProblem(items.label, None, None, None, EMPTY_ITEMS))
    if isinstance(source, WorkbookSource):
        data.templates = _sheet_templates(source, problems, data)
    else:
        data.templates = _templates(path, problems, data)
    source.close()
    if problems:
        raise BundleError([located(p) for p in problems.items], truncated=problems.truncated)
    if company is not None:
        data.templates, keys["templates"] = merge_templates(data.templates, company)
    return data, keys


def _parse_files(
    source: Source, progress: Progress | None, problems: Problems, *, upsert: bool
) -> tuple[dict[str, ParsedTable], set[str]]:
    """Each file of the bundle parsed (an absent one empty) and the files present; a
    required file missing is a problem, except in an upsert (every file there adds to
    what the company holds)."""
    parsed: dict[str, ParsedTable] = {}
    present: set[str] = set()
    for spec in schema.INPUT_FILES:
        raw = source.table(spec, progress)
        if raw is None:
            if spec.required_file and not upsert:
                problems.add(
                    BundleProblem(spec.filename, None, None, None, "required file is missing")
                )
            parsed[spec.name] = ParsedTable(spec.filename)
            continue
        present.add(spec.name)
        parsed[spec.name] = parse_table(raw, spec, problems)
    return parsed, present


TEMPLATES_FILE = "templates.json"


def _templates(path: Path, problems: Problems, data: Dataset) -> list[dict[str, Any]]:
    """Configurable products beside the CSV files (a pegboard extension of the format).

    Each definition is parsed and its formulas checked here, so a bad template is
    reported with the rest and nothing is written.
    """
    file = path / TEMPLATES_FILE if path.is_dir() else None
    try:
        if file is None or not regular_file(file, TEMPLATES_FILE):
            return []
    except BundleError as e:
        for problem in e.problems:
            problems.add(problem)
        return []
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.add(encoding_problem(file, TEMPLATES_FILE))
        return []
    if (deep := json_too_deep(text)) is not None:
        line, column = deep
        reason = f"nested deeper than {MAX_JSON_DEPTH} levels (at column {column})"
        problems.add(BundleProblem(TEMPLATES_FILE, line, None, None, reason))
        return []
    try:
        definitions = json.loads(text)
    except json.JSONDecodeError as e:
        reason = f"not valid JSON: {e.msg} (at column {e.colno})"
        problems.add(BundleProblem(TEMPLATES_FILE, e.lineno, None, None, reason))
        return []
    if not isinstance(definitions, list):
        reason = "expected a list of templates"
        problems.add(BundleProblem(TEMPLATES_FILE, None, None, None, reason))
        return []
    return _checked_templates(
        [(None, definition) for definition in definitions], TEMPLATES_FILE, problems, data
    )


def _sheet_templates(
    source: WorkbookSource, problems: Problems, data: Dataset
) -> list[dict[str, Any]]:
    """The workbook's ``templates`` sheet (what ``bundle.workbook`` writes): one template a
    row, its JSON definition in the ``definition`` column; a bad cell is named by row."""
    sheet = source.sheet(schema.TEMPLATES_SHEET)
    if sheet is None:
        return []
    label, header = sheet.label, sheet.header
    if "definition" not in header:
        problems.add(BundleProblem(label, 1, None, None, "needs a definition column"))
        return []
    at = header.index("definition")
    definitions: list[tuple[int | None, Any]] = []
    for line, cells in sheet.rows():
        text = cells[at].strip() if at < len(cells) else ""
        if not text:
            continue
        if json_too_deep(text) is not None:
            reason = f"nested deeper than {MAX_JSON_DEPTH} levels"
            problems.add(BundleProblem(label, line, "definition", None, reason))
            continue
        try:
            definitions.append((line, json.loads(text)))
        except json.JSONDecodeError as e:
            reason = f"not valid JSON: {e.msg} (at character {e.pos + 1})"
            problems.add(BundleProblem(label, line, "definition", None, reason))
    return _checked_templates(definitions, label, problems, data)


def _checked_templates(
    definitions: list[tuple[int | None, Any]], label: str, problems: Problems, data: Dataset
) -> list[dict[str, Any]]:
    """Each definition parsed and its formulas checked; the good ones kept. A problem names
    the template by its row (a sheet) or its place in the list (templates.json)."""
    items = {row.item: row.type for row in data.items}
    centers = {row.work_center for row in data.work_centers}
    good = []
    for n, (line, definition) in enumerate(definitions, 1):
        where = "definition" if line is not None else f"template {n}"
        try:
            template = parse_definition(definition)
            validate_template(template)
            check_worst_cases(template)
        except ValidationError as e:
            problems.add(BundleProblem(label, line, where, None, e.message))
            continue
        if (refused := _template_problem(template, items, centers)) is not None:
            problems.add(BundleProblem(label, line, where, template.item, refused))
        else:
            good.append(dict(definition))
    return good


def _template_problem(template: Template, items: dict[str, str], centers: set[str]) -> str | None:
    """What a checked template refers to that the bundle does not hold, if anything."""
    used = {line.component for line in template.lines if line.component}
    used |= {c for line in template.lines for c in line.options.values()}
    if unknown := sorted(c for c in {template.item, *used} if c not in items):
        return f"unknown item(s) {', '.join(unknown)} (not in items.csv)"
    if items[template.item] != "make":
        return "a template's item must be of type make"
    if missing := [op for op in template.operations if op.work_center not in centers]:
        return (
            f"routing line {missing[0].sequence}: unknown work center "
            f"{missing[0].work_center!r} (not in work_centers.csv)"
        )
    return None


MAX_JSON_DEPTH = 64
"""A template is a few levels deep; far deeper nesting is refused before it is parsed
(Python's parser would end in a RecursionError)."""


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> tuple[int, int] | None:
    """(line, column) where ``text`` first nests deeper than ``limit`` arrays and objects;
    None when it never does. Strings are skipped, so a bracket inside one does not count."""
    depth, line, start = 0, 1, 0
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line, i - start + 1
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line, start = line + 1, i + 1
    return None


def _rows(table: ParsedTable) -> Iterable[tuple[int, tuple[Any, ...]]]:
    return zip(table.lines, table.rows, strict=True)


def _build(parsed: dict[str, ParsedTable], problems: Problems, *, locations_given: bool) -> Dataset:
    data = Dataset()
    data.settings = _settings(parsed["settings"], problems)
    _holidays(parsed["holidays"], problems, data)
    items = _items(parsed["items"], problems, data)
    orders = _sales(parsed["sales_orders"], problems, data, items)
    _bom(parsed["bom"], problems, data, items, orders)
    places_known = _locations(parsed["locations"], problems, data) if locations_given else None
    _stock(parsed["stock"], problems, data, items, orders, places_known)
    _purchases(parsed["purchase_orders"], problems, data, items, orders)
    _productions(parsed["production_orders"], problems, data, items, orders)
    centers = _work_centers(parsed["work_centers"], problems, data)
    _closed_days(parsed["work_center_closed_days"], problems, data, centers)
    _routings(parsed["routings"], problems, data, items, orders, centers)
    _mps(parsed["mps"], problems, data)
    return data


def _settings(table: ParsedTable, problems: Problems) -> dict[str, str]:
    out: dict[str, str] = {}
    for line, (key, value) in _rows(table):
        kind = schema.SETTING_KEYS.get(str(key))
        if kind is None:
            known = ", ".join(schema.SETTING_KEYS)
            problems.add(
                BundleProblem(
                    table.label, line, "key", str(key), f"unknown setting (known: {known})"
                )
            )
            continue
        if key in out:
            problems.add(BundleProblem(table.label, line, "key", str(key), "setting given twice"))
            continue
        text = str(value or "")
        if not text:
            continue
        try:
            text = _setting_value(kind, text)
        except CellError as e:
            problems.add(BundleProblem(table.label, line, "value", text, f"{key}: {e}"))
            continue
        out[str(key)] = text
    return out


def _setting_value(kind: schema.Kind, text: str) -> str:
    """A setting's value checked for its kind, as it is stored (work days and amounts
    written the one way); ``CellError`` says what is wrong with it."""
    if kind is schema.Kind.DATE:
        parse_date(text)
    elif kind is schema.Kind.WEEKDAYS:
        text = format_work_days(_work_days(text))
    elif kind is schema.Kind.QTY:
        if parse_qty(text) < 0:
            raise CellError("must not be negative")
    elif kind in (schema.Kind.MONEY, schema.Kind.CURRENCY):
        text = _money_setting(kind, text)
    elif parse_int(text) < 0:
        raise CellError("must not be negative")
    elif parse_int(text) > schema.MAX_DAYS:  # every whole-number setting counts days
        raise CellError(f"at most {schema.MAX_DAYS}")
    return text


def _money_setting(kind: schema.Kind, text: str) -> str:
    """An amount setting in cents (``18.5`` -> ``18.50``), or a currency code in capitals."""
    if kind is schema.Kind.CURRENCY:
        if text.upper() not in ISO_4217:
            raise CellError("not an ISO 4217 currency code (EUR, USD, GBP, CHF…)")
        return text.upper()
    amount = parse_money(text)
    if amount < 0:
        raise CellError("must not be negative")
    return str(amount)


def _work_days(text: str) -> tuple[int, ...]:
    try:
        return parse_work_days(text)
    except ValidationError as e:
        raise CellError(e.message.removeprefix("work_days: ")) from None


def _holidays(table: ParsedTable, problems: Problems, data: Dataset) -> None:
    seen: set[date] = set()
    for line, row in _rows(table):
        holiday = HolidayRow(*row)
        if holiday.date in seen:
            reason = "holiday given twice"
            problems.add(BundleProblem(table.label, line, "date", str(holiday.date), reason))
            continue
        seen.add(holiday.date)
        data.holidays.append(holiday)


def _decimals_problem(item: ItemRow) -> tuple[str, str, str] | None:
    """(column, value, reason) when the item's precision does not fit its lot figures."""
    decimals = item.decimals
    if decimals is not None and decimals > MAX_DECIMALS:
        return "decimals", str(decimals), f"at most {MAX_DECIMALS} decimal places"
    allowed = decimals_of(item)
    for column in ("lot_qty", "multiple"):
        value = getattr(item, column)
        if value and places(value) > allowed:
            reason = f"has more decimal places than the item's decimals ({allowed})"
            return column, format_value(value), reason
    return None


def _items(table: ParsedTable, problems: Problems, data: Dataset) -> dict[str, str]:
    """Returns item id -> type, for the other files' checks."""
    types: dict[str, str] = {}
    for line, row in _rows(table):
        item = ItemRow(*row)
        if item.item in types:
            problems.add(BundleProblem(table.label, line, "item", item.item, "duplicate item id"))
            continue
        types[item.item] = item.type
        if (bad := _decimals_problem(item)) is not None:
            problems.add(BundleProblem(table.label, line, *bad))
        item = item._replace(decimals=min(decimals_of(item), MAX_DECIMALS))
        if item.lot_rule == "foq" and item.lot_qty is None:
            problems.add(
                BundleProblem(table.label, line, "lot_qty", "", "lot_rule foq needs a lot_qty")
            )
        elif item.mps and item.type != "make":
            reason = "only make items have a master schedule (type is buy)"
            problems.add(BundleProblem(table.label, line, "mps", "true", reason))
        elif item.lot_rule == "poq" and item.period_days is None:
            problems.add(
                BundleProblem(
                    table.label, line, "period_days", "", "lot_rule poq needs period_days"
                )
            )
        data.items.append(item)
    return types


def _unknown(problems: Problems, label: str, line: int, column: str, value: str, what: str) -> None:
    problems.add(
        BundleProblem(label, line, column, value, f"unknown {what} (not in {_home(what)})")
    )


def _home(what: str) -> str:
    return "items.csv" if what == "item" else "sales_orders.csv"


def _sales(
    table: ParsedTable, problems: Problems, data: Dataset, items: dict[str, str]
) -> set[str]:
    keys: set[tuple[str, int]] = set()
    header: dict[str, tuple[str, str]] = {}
    for line, row in _rows(table):
        sale = SalesRow(*row)
        label = table.label
        if (sale.sales_order, sale.line) in keys:
            problems.add(
                BundleProblem(
                    label, line, "line", str(sale.line), f"duplicate line of {sale.sales_order}"
                )
            )
            continue
        keys.add((sale.sales_order, sale.line))
        if sale.item not in items:
            _unknown(problems, label, line, "item", sale.item, "item")
            continue
        if sale.shipped_qty > sale.qty:
            problems.add(
                BundleProblem(
                    label,
                    line,
                    "shipped_qty",
                    format_value(sale.shipped_qty),
                    "more than the ordered qty",
                )
            )
            continue
        first = header.setdefault(sale.sales_order, (sale.customer, sale.project))
        if first[0] != sale.customer:
            reason = f"{sale.sales_order} already belongs to customer {first[0]!r}"
            problems.add(BundleProblem(label, line, "customer", sale.customer, reason))
            continue
        if first[1] != sale.project:
            reason = f"{sale.sales_order} already belongs to project {first[1]!r}"
            problems.add(BundleProblem(label, line, "project", sale.project, reason))
            continue
        data.sales.append(sale)
    return {number for number, _line in keys}


def _check_refs(
    problems: Problems,
    label: str,
    line: int,
    refs: Iterable[tuple[str, str, str]],
    items: dict[str, str],
    orders: set[str],
) -> bool:
    """``refs`` are (column, value, 'item' | 'sales order'); True when all resolve."""
    ok = True
    for column, value, what in refs:
        known = items if what == "item" else orders
        if value and value not in known:
            _unknown(problems, label, line, column, value, what)
            ok = False
    return ok


def _bom(
    table: ParsedTable, problems: Problems, data: Dataset, items: dict[str, str], orders: set[str]
) -> None:
    label = table.label
    if _bom_clean(table, items, orders):
        # every row passes: taken whole, without a look-up per row (millions of rows)
        data.bom = cast(list[BomRow], list(map(partial(tuple.__new__, BomRow), table.rows)))
        _check_cycles(data, table.lines, label, problems)
        return
    lines: list[int] = []
    for line, row in _rows(table):
        bom = BomRow(*row)
        refs = (("parent", bom.parent, "item"), ("component", bom.component, "item"))
        if not _check_refs(
            problems,
            label,
            line,
            (*refs, ("sales_order", bom.sales_order, "sales order")),
            items,
            orders,
        ):
            continue
        if items[bom.parent] != "make":
            problems.add(
                BundleProblem(
                    label, line, "parent", bom.parent, "a BOM parent must be of type make"
                )
            )
            continue
        data.bom.append(bom)
        lines.append(line)
    _check_cycles(data, lines, label, problems)


def _bom_clean(table: ParsedTable, items: dict[str, str], orders: set[str]) -> bool:
    """Whether every BOM row passes ``_bom``'s checks, found on the distinct values of
    each column: known parents (all made), components and sales orders."""
    if not table.rows:
        return True
    parents, components, _qty, _scrap, sales_orders = zip(*table.rows, strict=True)
    made = {code for code, kind in items.items() if kind == "make"}
    return (
        set(parents) <= made
        and set(components) <= items.keys()
        and set(sales_orders) - {""} <= orders
    )


def _check_cycles(data: Dataset, lines: list[int], label: str, problems: Problems) -> None:
    if not data.bom:
        return
    codes = {row.item: i for i, row in enumerate(data.items)}
    n = len(data.bom)
    parents, components = map(itemgetter(0), data.bom), map(itemgetter(1), data.bom)
    parent = np.fromiter(map(codes.__getitem__, parents), dtype=np.int64, count=n)
    component = np.fromiter(map(codes.__getitem__, components), dtype=np.int64, count=n)
    try:
        low_level_codes(len(codes), parent, component)
    except BomCycleError as e:
        names = [data.items[i].item for i in e.cycle]
        path = " -> ".join([*names, names[0]])
        edges = set(zip(names, [*names[1:], names[0]], strict=True))
        # the rows that make the cycle; it is reported on the last one (the row that closes
        # it, reading down the file), naming the others
        rows = [
            ln for ln, r in zip(lines, data.bom, strict=True) if (r.parent, r.component) in edges
        ]
        last = max(rows, default=None)
        others = sorted(set(rows) - {last})
        also = f" (with line {', '.join(map(str, others))})" if others else ""
        reason = f"BOM cycle: {path}{also}"
        value = names[-1] if names else None
        problems.add(BundleProblem(label, last, "component", value, reason))


def _locations(table: ParsedTable, problems: Problems, data: Dataset) -> set[str]:
    """locations.csv: each code once. Returns the known codes (with ``main``)."""
    seen: set[str] = set()
    for line, row in _rows(table):
        place = LocationRow(*row)
        if place.location in seen:
            reason = "location given twice"
            problems.add(BundleProblem(table.label, line, "location", place.location, reason))
            continue
        seen.add(place.location)
        data.locations.append(place)
    return {*seen, DEFAULT_LOCATION}


def _stock(
    table: ParsedTable,
    problems: Problems,
    data: Dataset,
    items: dict[str, str],
    orders: set[str],
    places_known: set[str] | None,
) -> None:
    """``places_known``: the locations of locations.csv (and main); None without the file."""
    seen: set[tuple[str, str, str]] = set()
    for line, row in _rows(table):
        stock = StockRow(*row)
        if not _check_refs(
            problems,
            table.label,
            line,
            (("item", stock.item, "item"), ("sales_order", stock.sales_order, "sales order")),
            items,
            orders,
        ):
            continue
        if places_known is not None and stock.location not in places_known:
            reason = "unknown location (not in locations.csv)"
            problems.add(BundleProblem(table.label, line, "location", stock.location, reason))
            continue
        key = (stock.item, stock.location, stock.sales_order)
        if key in seen:
            reason = "duplicate stock row for this item, location and sales_order"
            problems.add(BundleProblem(table.label, line, "item", stock.item, reason))
            continue
        seen.add(key)
        data.stock.append(stock)


def _purchases(
    table: ParsedTable, problems: Problems, data: Dataset, items: dict[str, str], orders: set[str]
) -> None:
    seen: set[tuple[str, int]] = set()
    for line, row in _rows(table):
        po = PurchaseRow(*row)
        if (po.purchase_order, po.line) in seen:
            reason = f"duplicate line of {po.purchase_order}"
            problems.add(BundleProblem(table.label, line, "line", str(po.line), reason))
            continue
        seen.add((po.purchase_order, po.line))
        if _check_refs(
            problems,
            table.label,
            line,
            (("item", po.item, "item"), ("sales_order", po.sales_order, "sales order")),
            items,
            orders,
        ):
            data.purchases.append(po)


def _productions(
    table: ParsedTable, problems: Problems, data: Dataset, items: dict[str, str], orders: set[str]
) -> None:
    seen: set[str] = set()
    for line, row in _rows(table):
        mo = ProductionRow(*row)
        if mo.production_order in seen:
            problems.add(
                BundleProblem(
                    table.label, line, "production_order", mo.production_order, "duplicate id"
                )
            )
            continue
        seen.add(mo.production_order)
        if not _check_refs(
            problems,
            table.label,
            line,
            (("item", mo.item, "item"), ("sales_order", mo.sales_order, "sales order")),
            items,
            orders,
        ):
            continue
        if items[mo.item] != "make":
            problems.add(
                BundleProblem(
                    table.label,
                    line,
                    "item",
                    mo.item,
                    "a production order's item must be of type make",
                )
            )
            continue
        if mo.start_date is not None and mo.start_date > mo.due_date:
            problems.add(
                BundleProblem(
                    table.label, line, "start_date", mo.start_date.isoformat(), "after the due_date"
                )
            )
            continue
        data.productions.append(mo)


# --- v2 extension: capacity ------------------------------------------------------------------

MAX_OPERATIONS = 200
"""Operations of one routing (as ``services.capacity`` allows)."""


def _work_centers(table: ParsedTable, problems: Problems, data: Dataset) -> set[str]:
    """work_centers.csv: each code once, hours a day or per weekday. Returns the codes."""
    seen: set[str] = set()
    label = table.label
    for line, row in _rows(table):
        wc = WorkCenterRow(*row)
        if (reason := code_problem(wc.work_center, MAX_CODE)) is not None:
            problems.add(BundleProblem(label, line, "work_center", wc.work_center, reason))
            continue
        if wc.work_center in seen:
            reason = "work center given twice"
            problems.add(BundleProblem(label, line, "work_center", wc.work_center, reason))
            continue
        seen.add(wc.work_center)
        given: float | None = row[2]
        if wc.weekday_hours:
            try:
                week = parse_weekday_hours(wc.weekday_hours)
            except ValidationError as e:
                reason = e.message.split(": ", 1)[-1]
                problems.add(BundleProblem(label, line, "weekday_hours", wc.weekday_hours, reason))
                continue
            if not any(h > 0 for h in week):
                reason = "works no hours on any weekday"
                problems.add(BundleProblem(label, line, "weekday_hours", wc.weekday_hours, reason))
                continue
            if given is not None and given != max(week):
                reason = (
                    f"differs from the most weekday_hours give ({format_value(max(week))}): "
                    "leave it empty when weekday_hours is set"
                )
                problems.add(
                    BundleProblem(label, line, "hours_per_day", format_value(given), reason)
                )
                continue
            wc = wc._replace(hours_per_day=max(week), weekday_hours=format_weekday_hours(week))
        elif given is None or given <= 0:
            reason = "hours a working day (above 0), or weekday_hours, are required"
            value = "" if given is None else format_value(given)
            problems.add(BundleProblem(label, line, "hours_per_day", value, reason))
            continue
        data.work_centers.append(wc)
    return seen


def _unknown_center(problems: Problems, label: str, line: int, code: str) -> None:
    reason = "unknown work center (not in work_centers.csv)"
    problems.add(BundleProblem(label, line, "work_center", code, reason))


def _closed_days(table: ParsedTable, problems: Problems, data: Dataset, centers: set[str]) -> None:
    seen: set[tuple[str, date]] = set()
    for line, row in _rows(table):
        closed = ClosedDayRow(*row)
        if closed.work_center not in centers:
            _unknown_center(problems, table.label, line, closed.work_center)
            continue
        if (closed.work_center, closed.date) in seen:
            reason = f"{closed.work_center} is closed on this day already (an earlier row)"
            problems.add(BundleProblem(table.label, line, "date", closed.date.isoformat(), reason))
            continue
        seen.add((closed.work_center, closed.date))
        data.closed_days.append(closed)


def _routings(
    table: ParsedTable,
    problems: Problems,
    data: Dataset,
    items: dict[str, str],
    orders: set[str],
    centers: set[str],
) -> None:
    """routings.csv: operations of make items on known work centers, each sequence once per
    routing; an order routing (``sales_order`` set) goes with that order's order BOM of the
    item, so bom.csv must hold rows of it: a make order of the order uses those operations,
    any other the item's (as bom.csv's rows are chosen)."""
    label = table.label
    order_boms = {(r.parent, r.sales_order) for r in data.bom if r.sales_order}
    sequences: set[tuple[str, str, int]] = set()
    count: dict[tuple[str, str], int] = {}
    for line, row in _rows(table):
        op = RoutingRow(*row)
        if not _check_refs(
            problems,
            label,
            line,
            (("item", op.item, "item"), ("sales_order", op.sales_order, "sales order")),
            items,
            orders,
        ):
            continue
        if items[op.item] != "make":
            reason = "bought, not made: only a make item has a routing"
            problems.add(BundleProblem(label, line, "item", op.item, reason))
            continue
        if op.sales_order and (op.item, op.sales_order) not in order_boms:
            reason = (
                f"{op.sales_order} has no order BOM of {op.item}: an order routing goes with "
                f"the bom.csv rows of parent {op.item} and sales_order {op.sales_order}"
            )
            problems.add(BundleProblem(label, line, "sales_order", op.sales_order, reason))
            continue
        if op.work_center not in centers:
            _unknown_center(problems, label, line, op.work_center)
            continue
        key = (op.item, op.sales_order, op.sequence)
        if key in sequences:
            whose = f"{op.item}'s routing for {op.sales_order}" if op.sales_order else op.item
            reason = f"sequence given twice in {whose}"
            problems.add(BundleProblem(label, line, "sequence", str(op.sequence), reason))
            continue
        sequences.add(key)
        n = count[(op.item, op.sales_order)] = count.get((op.item, op.sales_order), 0) + 1
        if n > MAX_OPERATIONS:
            reason = f"a routing has at most {MAX_OPERATIONS} operations"
            problems.add(BundleProblem(label, line, "sequence", str(op.sequence), reason))
            continue
        data.routings.append(op)


__all__ = ["read_bundle"]


# --- extension: the master production schedule ----------------------------------------------


def _mps_problem(row: MpsRow, flagged: dict[str, ItemRow]) -> tuple[str, str, str] | None:
    """(column, value, reason) of a schedule line that does not fit its item."""
    item = flagged.get(row.item)
    if item is None:
        return "item", row.item, "unknown item (not in items.csv)"
    if not item.mps:
        return "item", row.item, "not on the master schedule (its mps in items.csv is false)"
    allowed = decimals_of(item)
    if places(row.qty) > allowed:
        reason = f"has more decimal places than the item's decimals ({allowed})"
        return "qty", format_value(row.qty), reason
    return None


def _mps(table: ParsedTable, problems: Problems, data: Dataset) -> None:
    """mps.csv: lines of items flagged ``mps``, one per item and ISO week (the week's line
    is what ``pegboard mps set`` changes), whole for items counted in pieces, and no
    number that production_orders.csv uses already."""
    items = {i.item: i for i in data.items}
    taken = {p.production_order for p in data.productions}
    weeks: dict[str, int] = {}
    for line, row in _rows(table):
        mps = MpsRow(*row)
        if (bad := _mps_problem(mps, items)) is not None:
            problems.add(BundleProblem(table.label, line, *bad))
            continue
        number = line_number(mps.item, mps.date)
        value = mps.date.isoformat()
        if number in weeks:
            reason = f"{mps.item} has a line in this week already (line {weeks[number]})"
            problems.add(BundleProblem(table.label, line, "date", value, reason))
            continue
        weeks[number] = line
        if number in taken:
            reason = f"its line would be {number}, a number production_orders.csv uses"
            problems.add(BundleProblem(table.label, line, "date", value, reason))
            continue
        data.mps.append(mps)
