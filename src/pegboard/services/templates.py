"""Engineering BOM templates: define them from a plain definition, read them for configuring.

A definition is a mapping (a JSON file from the CLI, a body from the API)::

    {"item": "LR-LINEAR", "parameters": [{"name": "length_m", "kind": "number", "unit": "m",
      "min": 1.2, "max": 60, "default": "2.4"}, ...],
     "lines": [{"component": "EXT-AL-2400", "qty": "ceil(length_m / 2.4)"},
               {"choice": "finish", "options": {"white": "CAP-W", "black": "CAP-B"}},
               {"component": "EM-PACK", "qty": "1", "condition": "emergency == 'yes'"},
               {"component": "DRV-TRAY", "qty": "1", "params": {"watts": "length_m * 10"}}],
     "operations": [{"sequence": 10, "work_center": "SAW", "setup": 0.25,
                     "run": "0.1 + 0.04 * length_m", "description": "cut profile"},
                    {"sequence": 40, "work_center": "TEST", "run": "0.2",
                     "condition": "emergency == 'yes'"}]}

Routing lines (``operations``) are the operations of the order routing each
configuration gets; their hours are formulas of the parameters like the quantities.

Every formula is checked (``configurator.validate_template``) before anything is
written; nothing in a definition is ever executed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from pegboard.errors import NotFoundError, ValidationError
from pegboard.model import (
    Bom,
    BomKind,
    BomLine,
    BomLineOption,
    BomLineParameter,
    BomParameter,
    Item,
    ItemType,
    ParameterKind,
    Strategy,
    TemplateOperation,
    WorkCenter,
)
from pegboard.services import audit
from pegboard.services._tx import write_transaction
from pegboard.services.configurator import (
    NUMBER,
    ConfigurationError,
    Parameter,
    Template,
    TemplateLine,
    validate_template,
)
from pegboard.services.formula import TEXT, Formula, FormulaError, Span, number_span
from pegboard.services.lookups import get_item
from pegboard.services.paging import sorted_page
from pegboard.services.routing_lines import RoutingLine, RoutingLineError, check_worst_routing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _float(definition: Mapping[str, Any], key: str, where: str) -> float | None:
    value = definition.get(key)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"{where}: {key} must be a number, not {value!r}", field=key
        ) from None


def parse_definition(definition: Mapping[str, Any]) -> Template:
    """Turn a definition into a ``Template``, refusing unknown keys so typos are not lost."""
    _only(definition, {"item", "description", "parameters", "lines", "operations"}, "template")
    item = _text(definition.get("item"))
    if not item:
        raise ValidationError("template: 'item' is required", field="item")
    parameters = tuple(
        parse_parameter(p, i) for i, p in enumerate(definition.get("parameters") or [], 1)
    )
    lines = tuple(_line(line, i) for i, line in enumerate(definition.get("lines") or [], 1))
    if not lines:
        raise ValidationError(f"template {item}: it needs at least one line", field="lines")
    operations = definition.get("operations") or []
    if not isinstance(operations, Sequence) or isinstance(operations, str):
        raise ValidationError(f"template {item}: operations must be a list", field="operations")
    routing = tuple(_operation(op, i) for i, op in enumerate(operations, 1))
    return Template(item=item, parameters=parameters, lines=lines, operations=routing)


def _whole(op: Mapping[str, Any], key: str, where: str, default: int) -> int:
    value = op.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(f"{where}: {key} must be a whole number, not {value!r}", field=key)
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            f"{where}: {key} must be a whole number, not {value!r}", field=key
        ) from None


def _hours_text(op: Mapping[str, Any], key: str, where: str) -> str:
    value = op.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(f"{where}: {key} must be a number or a formula", field=key)
    text = _text(value).strip()
    return text or "0"


def _operation(op: Mapping[str, Any], n: int) -> RoutingLine:
    where = f"routing line {n}"
    _only(
        op,
        {"sequence", "work_center", "description", "setup", "run", "condition"}
        | {"queue_days", "move_days"},
        where,
    )
    return RoutingLine(
        sequence=_whole(op, "sequence", where, n * 10),
        work_center=_text(op.get("work_center")).strip(),
        setup=_hours_text(op, "setup", where),
        run=_hours_text(op, "run", where),
        description=_text(op.get("description")),
        condition=_text(op.get("condition")) or None,
        queue_days=_whole(op, "queue_days", where, 0),
        move_days=_whole(op, "move_days", where, 0),
    )


def _only(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    if not isinstance(mapping, Mapping):
        raise ValidationError(f"{where}: expected an object, got {type(mapping).__name__}")
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ValidationError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )


def parse_parameter(p: Mapping[str, Any], n: int) -> Parameter:
    """One parameter of a definition (``n``, its place in the list, names it in messages)."""
    where = f"parameter {n}"
    _only(p, {"name", "kind", "label", "unit", "min", "max", "choices", "default"}, where)
    kind = _text(p.get("kind") or "number")
    if kind not in {k.value for k in ParameterKind}:
        raise ValidationError(f"{where}: kind must be number, choice or bool, not {kind!r}")
    choices = p.get("choices") or []
    if not isinstance(choices, Sequence) or isinstance(choices, str):
        raise ValidationError(f"{where}: choices must be a list")
    return Parameter(
        name=_text(p.get("name")),
        kind=kind,
        label=_text(p.get("label")),
        unit=_text(p.get("unit")),
        min_value=_float(p, "min", where),
        max_value=_float(p, "max", where),
        choices=tuple(_text(c) for c in choices),
        default=_text(p.get("default")),
    )


def _line(line: Mapping[str, Any], n: int) -> TemplateLine:
    where = f"line {n}"
    _only(
        line, {"component", "qty", "scrap_pct", "condition", "choice", "options", "params"}, where
    )
    qty = line.get("qty", 1)
    formula: str | None = None
    qty_per = 1.0
    if isinstance(qty, int | float) and not isinstance(qty, bool):
        qty_per = float(qty)
    else:
        formula = _text(qty)
    options = line.get("options") or {}
    params = line.get("params") or {}
    if not isinstance(options, Mapping) or not isinstance(params, Mapping):
        raise ValidationError(f"{where}: options and params must be objects")
    return TemplateLine(
        component=_text(line.get("component")) or None,
        qty_per=qty_per,
        qty_formula=formula,
        condition=_text(line.get("condition")) or None,
        choice_parameter=_text(line.get("choice")) or None,
        options={_text(k): _text(v) for k, v in options.items()},
        scrap_pct=_float(line, "scrap_pct", where) or 0.0,
        pass_down={_text(k): _text(v) for k, v in params.items()},
    )


def define_template(session: Session, definition: Mapping[str, Any], *, author: str) -> str:
    """Create or replace the engineering BOM template of an item; returns its BOM number."""
    return define_templates(session, [definition], author=author)[0]


def define_templates(
    session: Session, definitions: Sequence[Mapping[str, Any]], *, author: str
) -> list[str]:
    """Define several templates all or nothing (one bad template writes none)."""
    parsed = _checked(definitions)
    with write_transaction(session):
        return [_define(session, d, t, author) for d, t in parsed]


def _checked(definitions: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], Template]]:
    """Parse and validate every definition before anything is written."""
    parsed = [(d, parse_definition(d)) for d in definitions]
    for _, template in parsed:
        validate_template(template)
        check_worst_cases(template)
    return parsed


def check_worst_cases(t: Template) -> None:
    """Refuse a formula that some allowed parameter values would drive out of range.

    The dry run (``validate_template``) evaluates the defaults only; a formula
    like ``length_m ** 12`` is fine at 2.4 m and unusable at 60 m. Interval
    arithmetic over the parameters' declared bounds finds that now, with the
    template line and the formula named, instead of on a customer's order.
    """
    spans: dict[str, Span] = {
        p.name: number_span(p.min_value, p.max_value) if p.kind == NUMBER else TEXT
        for p in t.parameters
    }
    for n, line in enumerate(t.lines, start=1):
        formulas = [("quantity formula", line.qty_formula), ("condition", line.condition)]
        formulas += [(f"parameter {k!r} passed down as", v) for k, v in line.pass_down.items()]
        for what, text in formulas:
            if text is None:
                continue
            try:
                Formula.parse(text).worst_case(spans)
            except FormulaError as e:
                reason = str(e.params.get("reason", e.message))
                raise ConfigurationError(
                    f"{t.item} line {n}: {what} {text!r}: {reason}",
                    item=t.item,
                    line=n,
                    formula=text,
                    reason=reason,
                ) from None
    try:
        check_worst_routing(t.item, t.operations, spans)
    except RoutingLineError as e:
        raise ConfigurationError(e.message, **e.params) from None


def _define(
    session: Session, definition: Mapping[str, Any], template: Template, author: str
) -> str:
    item = get_item(session, template.item)
    if item.type is not ItemType.MAKE:
        raise ValidationError(f"{item.code} is bought, so it cannot have a BOM", item=item.code)
    components = {line.component for line in template.lines if line.component}
    components |= {c for line in template.lines for c in line.options.values()}
    ids = dict(session.execute(select(Item.code, Item.id).where(Item.code.in_(components))).all())
    if missing := sorted(components - set(ids)):
        raise ValidationError(f"template {item.code}: unknown item(s) {', '.join(missing)}")
    if item.code in components:
        raise ValidationError(f"template {item.code} uses itself as a component")
    centers = _work_centers(session, item.code, template)
    if description := _text(definition.get("description")):
        item.description = description
    number = f"BOM-{item.code}"
    old = session.scalar(select(Bom).where(Bom.item_id == item.id, Bom.kind == BomKind.ENGINEERING))
    before = None
    if old is not None:
        before = {"bom": old.number}
        session.execute(delete(Bom).where(Bom.id == old.id))
        session.flush()
    bom = Bom(number=number, kind=BomKind.ENGINEERING, item_id=item.id)
    session.add(bom)
    session.flush()
    _write_template(session, bom.id, template, ids)
    _write_routing(session, bom.id, template, centers)
    audit.record(
        session,
        author=author,
        entity="bom",
        ref=number,
        action="define_template",
        before=before,
        after=dict(definition),
    )
    return number


def _write_template(session: Session, bom_id: int, t: Template, ids: Mapping[str, int]) -> None:
    for position, p in enumerate(t.parameters, 1):
        session.add(
            BomParameter(
                bom_id=bom_id,
                position=position,
                name=p.name,
                kind=ParameterKind(p.kind),
                label=p.label,
                unit=p.unit,
                min_value=p.min_value,
                max_value=p.max_value,
                choices=list(p.choices) or None,
                default=p.default,
            )
        )
    for position, line in enumerate(t.lines, 1):
        fixed = line.component or next(iter(line.options.values()))
        row = BomLine(
            bom_id=bom_id,
            position=position,
            component_id=ids[fixed],
            qty_per=line.qty_per,
            scrap_pct=line.scrap_pct,
            qty_formula=line.qty_formula,
            condition=line.condition,
            choice_parameter=line.choice_parameter,
        )
        session.add(row)
        session.flush()
        for choice, component in line.options.items():
            session.add(
                BomLineOption(bom_line_id=row.id, choice=choice, component_id=ids[component])
            )
        for name, formula in line.pass_down.items():
            session.add(BomLineParameter(bom_line_id=row.id, name=name, formula=formula))


def _work_centers(session: Session, item: str, t: Template) -> dict[str, int]:
    """The ids of the work centers the routing lines name; an unknown one is refused,
    naming the routing line and the known work centers."""
    codes = {op.work_center for op in t.operations}
    ids = dict(
        session.execute(
            select(WorkCenter.code, WorkCenter.id).where(WorkCenter.code.in_(codes))
        ).all()
    )
    for op in t.operations:
        if op.work_center not in ids:
            known = session.scalars(select(WorkCenter.code).order_by(WorkCenter.code)).all()
            raise ValidationError(
                f"template {item} routing line {op.sequence}: unknown work center "
                f"{op.work_center!r} (known: {', '.join(known) or 'none yet'})",
                item=item,
                routing_line=op.sequence,
                work_center=op.work_center,
            )
    return ids


def _write_routing(session: Session, bom_id: int, t: Template, centers: Mapping[str, int]) -> None:
    for op in t.operations:
        session.add(
            TemplateOperation(
                bom_id=bom_id,
                sequence=op.sequence,
                work_center_id=centers[op.work_center],
                description=op.description,
                setup_formula=op.setup,
                run_formula=op.run,
                condition=op.condition,
                queue_days=op.queue_days,
                move_days=op.move_days,
            )
        )


class DbCatalog:
    """The configurator's view of the database: templates, master BOMs, item kinds.

    Reads are cached for one configuration, which touches each template a few times.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._templates: dict[str, Template | None] = {}
        self._kinds: dict[str, tuple[ItemType, Strategy]] = {}

    def _bom(self, item: str) -> Bom | None:
        return self.session.scalar(
            select(Bom)
            .join(Item, Item.id == Bom.item_id)
            .where(Item.code == item, Bom.kind == BomKind.ENGINEERING)
        )

    def template(self, item: str) -> Template | None:
        if item not in self._templates:
            bom = self._bom(item)
            self._templates[item] = None
            if bom is not None:
                params = self._parameters(bom.id)
                if params:
                    self._templates[item] = Template(
                        item, params, tuple(self._lines(bom.id)), self._routing(bom.id)
                    )
        return self._templates[item]

    def master_lines(self, item: str) -> Sequence[TemplateLine] | None:
        bom = self._bom(item)
        return None if bom is None else self._lines(bom.id)

    def is_mto_make(self, item: str) -> bool:
        if item not in self._kinds:
            row = self.session.execute(
                select(Item.type, Item.strategy).where(Item.code == item)
            ).first()
            self._kinds[item] = (row[0], row[1]) if row else (ItemType.BUY, Strategy.MTS)
        kind, strategy = self._kinds[item]
        return kind is ItemType.MAKE and strategy is Strategy.MTO

    def _parameters(self, bom_id: int) -> tuple[Parameter, ...]:
        rows = self.session.scalars(
            select(BomParameter)
            .where(BomParameter.bom_id == bom_id)
            .order_by(BomParameter.position)
        )
        return tuple(
            Parameter(
                p.name,
                p.kind.value,
                p.label,
                p.unit,
                p.min_value,
                p.max_value,
                tuple(p.choices or ()),
                p.default,
            )
            for p in rows
        )

    def _routing(self, bom_id: int) -> tuple[RoutingLine, ...]:
        rows = self.session.execute(
            select(TemplateOperation, WorkCenter.code)
            .join(WorkCenter, WorkCenter.id == TemplateOperation.work_center_id)
            .where(TemplateOperation.bom_id == bom_id)
            .order_by(TemplateOperation.sequence)
        ).all()
        return tuple(
            RoutingLine(
                sequence=op.sequence,
                work_center=code,
                setup=op.setup_formula,
                run=op.run_formula,
                description=op.description,
                condition=op.condition,
                queue_days=op.queue_days,
                move_days=op.move_days,
            )
            for op, code in rows
        )

    def _lines(self, bom_id: int) -> list[TemplateLine]:
        lines = self.session.execute(
            select(BomLine, Item.code)
            .join(Item, Item.id == BomLine.component_id)
            .where(BomLine.bom_id == bom_id)
            .order_by(BomLine.position)
        ).all()
        line_ids = [line.id for line, _ in lines]
        options: dict[int, dict[str, str]] = {i: {} for i in line_ids}
        for line_id, choice, code in self.session.execute(
            select(BomLineOption.bom_line_id, BomLineOption.choice, Item.code)
            .join(Item, Item.id == BomLineOption.component_id)
            .where(BomLineOption.bom_line_id.in_(line_ids))
        ):
            options[line_id][choice] = code
        passed: dict[int, dict[str, str]] = {i: {} for i in line_ids}
        for line_id, name, formula in self.session.execute(
            select(
                BomLineParameter.bom_line_id, BomLineParameter.name, BomLineParameter.formula
            ).where(BomLineParameter.bom_line_id.in_(line_ids))
        ):
            passed[line_id][name] = formula
        return [
            TemplateLine(
                component=None if line.choice_parameter else code,
                qty_per=line.qty_per,
                qty_formula=line.qty_formula,
                condition=line.condition,
                choice_parameter=line.choice_parameter,
                options=options[line.id],
                scrap_pct=line.scrap_pct,
                pass_down=passed[line.id],
            )
            for line, code in lines
        ]


def _number_text(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def has_engineering_bom(session: Session, item: str) -> bool:
    """Whether the item has an engineering BOM (a template or a plain one) already: a
    form that creates a template refuses it, so a typed code never replaces another's."""
    found = session.scalar(
        select(Bom.id)
        .join(Item, Item.id == Bom.item_id)
        .where(Item.code == item, Bom.kind == BomKind.ENGINEERING)
        .limit(1)
    )
    return found is not None


def template_query(*, q: str | None = None) -> Select[str]:
    """The codes of the items that have a template (an engineering BOM with parameters),
    optionally those containing ``q`` (any case).

    Led by the BOMs that have parameters (few), not by the items (285,000 at full size,
    where a per-item EXISTS took 1.7 s to find none)."""
    with_parameters = select(BomParameter.bom_id).distinct()
    stmt = (
        select(Item.code)
        .join(Bom, Bom.item_id == Item.id)
        .where(Bom.kind == BomKind.ENGINEERING, Bom.id.in_(with_parameters))
    )
    if q:
        stmt = stmt.where(Item.code.icontains(q, autoescape=True))
    return stmt


def template_definition(session: Session, item: str) -> dict[str, Any]:
    """The item's engineering BOM as a definition (the shape ``define_template`` takes).

    A plain master BOM reads the same way, with no parameters and fixed quantities.
    """
    get_item(session, item)
    catalog = DbCatalog(session)
    template = catalog.template(item)
    if template is None:
        lines = catalog.master_lines(item)
        if lines is None:
            raise NotFoundError(f"{item} has no engineering BOM", item=item)
        template = Template(item, (), tuple(lines))
    return _definition(template)


TEMPLATE_SORT: dict[str, Any] = {"item": Item.code}
"""What a list of templates can be sorted by: the item's code."""


def template_page(
    session: Session, *, q: str | None = None, sort: str | None = None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the definitions of the templates ``template_query`` finds, sorted by
    ``sort`` (``item`` or ``-item``; none: by item), and how many there are in all."""
    stmt = template_query(q=q)
    rows, total = sorted_page(
        session, stmt, sort=sort, sorts=TEMPLATE_SORT, tie=[Item.code], limit=limit, offset=offset
    )
    return [template_definition(session, code) for (code,) in rows], total


def template_definitions(session: Session) -> list[dict[str, Any]]:
    """Every template as a definition (the shape ``define_template`` takes), by item."""
    catalog = DbCatalog(session)
    items = session.scalars(
        select(Item.code)
        .join(Bom, Bom.item_id == Item.id)
        .join(BomParameter, BomParameter.bom_id == Bom.id)
        .where(Bom.kind == BomKind.ENGINEERING)
        .distinct()
        .order_by(Item.code)
    ).all()
    out = []
    for code in items:
        template = catalog.template(code)
        assert template is not None
        out.append(_definition(template))
    return out


def _definition(t: Template) -> dict[str, Any]:
    out: dict[str, Any] = {
        "item": t.item,
        "parameters": [_parameter_definition(p) for p in t.parameters],
        "lines": [_line_definition(line) for line in t.lines],
    }
    if t.operations:
        out["operations"] = [_operation_definition(op) for op in t.operations]
    return out


def _parameter_definition(p: Parameter) -> dict[str, Any]:
    """A parameter as ``templates.json`` writes it: what is set, nothing empty."""
    entry: dict[str, Any] = {"name": p.name, "kind": p.kind}
    for key, value in (("label", p.label), ("unit", p.unit), ("default", p.default)):
        if value:
            entry[key] = value
    if p.min_value is not None:
        entry["min"] = _number_text(p.min_value)
    if p.max_value is not None:
        entry["max"] = _number_text(p.max_value)
    if p.choices:
        entry["choices"] = list(p.choices)
    return entry


def _line_definition(line: TemplateLine) -> dict[str, Any]:
    """A template line as ``templates.json`` writes it: a component or a choice, its
    quantity (a formula or a number), and what is set of the rest."""
    row: dict[str, Any] = {}
    if line.choice_parameter:
        row["choice"] = line.choice_parameter
        row["options"] = dict(line.options)
    else:
        row["component"] = line.component
    row["qty"] = line.qty_formula if line.qty_formula else _number_text(line.qty_per)
    if line.scrap_pct:
        row["scrap_pct"] = _number_text(line.scrap_pct)
    if line.condition:
        row["condition"] = line.condition
    if line.pass_down:
        row["params"] = dict(line.pass_down)
    return row


def _formula_text(text: str) -> str | float | int:
    """A formula that is a plain number goes out as the number, as it most likely came."""
    try:
        return _number_text(float(text))
    except ValueError:
        return text


def _operation_definition(op: RoutingLine) -> dict[str, Any]:
    row: dict[str, Any] = {"sequence": op.sequence, "work_center": op.work_center}
    if op.description:
        row["description"] = op.description
    row["setup"] = _formula_text(op.setup)
    row["run"] = _formula_text(op.run)
    if op.condition:
        row["condition"] = op.condition
    if op.queue_days:
        row["queue_days"] = op.queue_days
    if op.move_days:
        row["move_days"] = op.move_days
    return row


def define_in_transaction(
    session: Session, definitions: Sequence[Mapping[str, Any]], *, author: str
) -> None:
    """Define templates inside the caller's transaction (the bundle importer's)."""
    for definition, template in _checked(definitions):
        _define(session, definition, template, author)
