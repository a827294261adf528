"""One formula of a template being edited, checked as saving would check it.

The template editor checks each formula while it is typed and again, field by
field, when the form is saved, so a planner sees every bad formula next to its
field at once instead of the first one the whole-template check
(``configurator.validate_template``, which ``templates.define_template`` runs
anyway) happens to stop at. The checks are the save's own: the formula parses
with the safe parser and reads only the template's parameters; its worst case
over the parameters' bounds stays in range (``templates.check_worst_cases``);
and where the defaults give every parameter it reads, it evaluates with them
to what its place needs (a quantity ≥ 0, a condition true or false, hours
within ``routing_lines.MAX_HOURS``). Nothing is written, nothing is executed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pegboard.errors import ValidationError
from pegboard.services.configurator import NUMBER, Parameter
from pegboard.services.configurator import _parse_value as parse_value
from pegboard.services.formula import (
    TEXT,
    Formula,
    FormulaError,
    Span,
    Value,
    evaluate_condition,
    evaluate_quantity,
    number_span,
)
from pegboard.services.routing_lines import MAX_HOURS
from pegboard.services.templates import parse_parameter

Place = Literal["quantity", "condition", "hours", "value"]
"""Where a formula sits: a line's quantity, a condition, a routing line's setup or run
hours, or a parameter passed down to a component (any value)."""
PLACES: tuple[Place, ...] = ("quantity", "condition", "hours", "value")


@dataclass(frozen=True)
class FormulaProblem:
    """A bad formula of a definition: ``section`` (``lines`` or ``operations``), its
    row (1-based, as the definition lists them), the field and why."""

    section: str
    row: int
    field: str
    message: str


def _parameters(parameters: Sequence[Mapping[str, Any]]) -> list[Parameter]:
    """The parameters as far as they can be read: a row the save would refuse (a bound
    that is not a number, say) still names a parameter, unbounded, so a formula reading
    it is not also called wrong (the row itself is refused on save)."""
    out: list[Parameter] = []
    for n, p in enumerate(parameters, 1):
        try:
            out.append(parse_parameter(p, n))
        except ValidationError:
            name = str(p.get("name") or "").strip() if isinstance(p, Mapping) else ""
            if name:
                kind = str(p.get("kind") or NUMBER)
                out.append(
                    Parameter(name=name, kind=kind if kind in ("choice", "bool") else NUMBER)
                )
    return out


def _spans(parameters: Sequence[Parameter]) -> dict[str, Span]:
    return {
        p.name: number_span(p.min_value, p.max_value) if p.kind == NUMBER else TEXT
        for p in parameters
    }


def _defaults(parameters: Sequence[Parameter]) -> dict[str, Value]:
    """The default of each parameter that has a usable one (what the save's dry run uses)."""
    out: dict[str, Value] = {}
    for p in parameters:
        if p.default.strip():
            try:
                out[p.name] = parse_value("", p, p.default)
            except ValidationError:
                continue
    return out


def _plain_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _evaluate(text: str, place: Place, defaults: Mapping[str, Value]) -> None:
    """Evaluate with the defaults, as the dry run of a save would, what its place needs."""
    if place == "condition":
        evaluate_condition(text, defaults)
        return
    if place == "value":
        Formula.parse(text).evaluate(defaults)
        return
    hours = evaluate_quantity(text, defaults)
    if place == "hours" and hours > MAX_HOURS:
        raise FormulaError(text, f"gives {hours:g} with the defaults; at most {MAX_HOURS:g} hours")


def check_formula(
    text: str, parameters: Sequence[Mapping[str, Any]], *, place: Place = "quantity"
) -> str | None:
    """What is wrong with one formula of a template whose parameters are ``parameters``
    (the definition's ``parameters`` list), or ``None`` when saving would take it.

    An empty condition means "always"; an empty quantity or hours is missing.
    """
    text = text.strip()
    if not text:
        return None if place == "condition" else "enter a number or a formula"
    number = _plain_number(text)
    if place == "quantity" and number is not None and number <= 0:
        return f"quantity {text}: a number > 0 (or a formula)"
    params = _parameters(parameters)
    try:
        formula = Formula.parse(text, frozenset(p.name for p in params))
        formula.worst_case(_spans(params))
        defaults = _defaults(params)
        if formula.names.issubset(defaults):
            _evaluate(text, place, defaults)
    except FormulaError as e:
        return str(e.params.get("reason", e.message))
    return None


Found = tuple[str, str, str, Place]
"""A formula of a row: its field, what to call it in a message ("" for the field
alone), its text, its place."""


def _line_formulas(line: Mapping[str, Any]) -> Iterator[Found]:
    qty = line.get("qty")
    if isinstance(qty, str):
        yield "qty", "", qty, "quantity"
    if line.get("condition"):
        yield "condition", "", str(line["condition"]), "condition"
    params = line.get("params")
    if isinstance(params, Mapping):
        for name, text in params.items():
            yield "params", f"{name} = {text}: ", str(text), "value"


def _operation_formulas(op: Mapping[str, Any]) -> Iterator[Found]:
    for key in ("setup", "run"):
        value = op.get(key)
        if isinstance(value, str):
            yield key, "", value, "hours"
    if op.get("condition"):
        yield "condition", "", str(op["condition"]), "condition"


def formula_problems(definition: Mapping[str, Any]) -> list[FormulaProblem]:
    """Every bad formula of a definition (the shape ``templates.define_template`` takes),
    each with its line or routing line and field; empty when every formula would pass."""
    parameters = [p for p in definition.get("parameters") or [] if isinstance(p, Mapping)]
    problems: list[FormulaProblem] = []
    sections = (("lines", _line_formulas), ("operations", _operation_formulas))
    for section, formulas in sections:
        for row, entry in enumerate(definition.get(section) or [], 1):
            if not isinstance(entry, Mapping):
                continue
            for field, label, text, place in formulas(entry):
                message = check_formula(text, parameters, place=place)
                if message is not None:
                    problems.append(FormulaProblem(section, row, field, label + message))
    return problems
