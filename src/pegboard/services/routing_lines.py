"""The routing lines of a configurable template, checked and evaluated (pure, no database).

A template says not only what a configured product is made of but how long making it
takes: each routing line is an operation on a work center whose setup hours and run
hours per unit are formulas of the template's parameters (sawing a 14.4 m linear takes
longer than a 2.4 m one), optionally with a condition (an emergency pack is only
tested when there is one). Configuring an order line evaluates them, with the same
safe evaluator as the BOM formula lines, into the operations of the node's order
routing. Every failure names the template, the routing line (by its sequence) and the
formula, because whoever wrote the template is the one who must fix it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from pegboard.errors import ValidationError
from pegboard.services.formula import (
    Formula,
    FormulaError,
    Span,
    Value,
    evaluate_condition,
    evaluate_quantity,
)

MAX_ROUTING_LINES = 100
"""Routing lines one template may have (a routing of the master data has at most as many)."""
MAX_HOURS = 100_000.0
"""Most hours one operation may take (about eleven years of one shift): beyond it a
formula is surely wrong, and the load would be meaningless."""


class RoutingLineError(ValidationError):
    """A routing line that cannot be used; the configurator reports it as a
    configuration error of its template."""

    code = "configuration_invalid"


@dataclass(frozen=True)
class RoutingLine:
    """One operation of a template's routing, its hours as formula texts."""

    sequence: int
    work_center: str
    setup: str = "0"
    """Setup hours: a number or a formula of the parameters."""
    run: str = "0"
    """Run hours per unit made: a number or a formula of the parameters."""
    description: str = ""
    condition: str | None = None
    queue_days: int = 0
    move_days: int = 0


@dataclass(frozen=True)
class ConfiguredOperation:
    """An operation of an order routing, its hours evaluated for one configuration."""

    sequence: int
    work_center: str
    setup_hours: float
    run_hours: float
    description: str = ""
    queue_days: int = 0
    move_days: int = 0


def _fail(item: str, line: RoutingLine, why: str, **params: object) -> RoutingLineError:
    return RoutingLineError(
        f"{item} routing line {line.sequence}: {why}",
        item=item,
        routing_line=line.sequence,
        **params,
    )


def _formulas(line: RoutingLine) -> Iterator[tuple[str, str]]:
    yield "setup hours", line.setup
    yield "run hours", line.run
    if line.condition is not None:
        yield "condition", line.condition


def _formula_failure(item: str, line: RoutingLine, what: str, e: FormulaError) -> RoutingLineError:
    formula = str(e.params.get("formula", ""))
    reason = str(e.params.get("reason", e.message))
    return _fail(item, line, f"{what} {formula!r}: {reason}", formula=formula, reason=reason)


def check_routing_lines(
    item: str, lines: Sequence[RoutingLine], known: frozenset[str], defaults: Mapping[str, Value]
) -> None:
    """Refuse routing lines that could not be configured: sequences positive and unique,
    a work center named, days whole and not negative, every formula parsed against the
    template's parameters and, where the defaults suffice, evaluated with them."""
    if len(lines) > MAX_ROUTING_LINES:
        raise RoutingLineError(
            f"{item}: a template has at most {MAX_ROUTING_LINES} routing lines, not {len(lines)}",
            item=item,
        )
    seen: set[int] = set()
    for line in lines:
        if line.sequence <= 0:
            raise _fail(item, line, "the sequence must be a whole number > 0")
        if line.sequence in seen:
            raise _fail(item, line, "the sequence is used twice")
        seen.add(line.sequence)
        if not line.work_center.strip():
            raise _fail(item, line, "it needs a work center")
        if line.queue_days < 0 or line.move_days < 0:
            raise _fail(item, line, "queue and move days must be >= 0")
        for what, text in _formulas(line):
            try:
                Formula.parse(text, known)
            except FormulaError as e:
                raise _formula_failure(item, line, what, e) from None
        try:
            applies = _applies_at(line, defaults)
        except FormulaError as e:
            raise _formula_failure(item, line, "condition (with the defaults)", e) from None
        if applies:
            _hours(item, line, defaults, " fails with the default values")


def _applies_at(line: RoutingLine, values: Mapping[str, Value]) -> bool:
    """Whether the dry run can and should evaluate the line's hours with these values."""
    for _, text in _formulas(line):
        if not Formula.parse(text).names.issubset(values):
            return False
    return line.condition is None or evaluate_condition(line.condition, values)


def _hours(
    item: str, line: RoutingLine, values: Mapping[str, Value], suffix: str = ""
) -> tuple[float, float]:
    out = []
    for what, text in (("setup hours", line.setup), ("run hours", line.run)):
        try:
            hours = evaluate_quantity(text, values)
        except FormulaError as e:
            raise _formula_failure(item, line, what + suffix, e) from None
        if not math.isfinite(hours) or hours > MAX_HOURS:
            raise _fail(
                item,
                line,
                f"{what} {text!r}{suffix} gives {hours:g}; at most {MAX_HOURS:g} hours",
                formula=text,
            )
        out.append(hours)
    return out[0], out[1]


def check_worst_routing(item: str, lines: Sequence[RoutingLine], spans: Mapping[str, Span]) -> None:
    """Refuse a routing formula that some allowed parameter values drive out of range."""
    for line in lines:
        for what, text in _formulas(line):
            try:
                Formula.parse(text).worst_case(spans)
            except FormulaError as e:
                raise _formula_failure(item, line, what, e) from None


def evaluate_routing(
    item: str, lines: Sequence[RoutingLine], values: Mapping[str, Value]
) -> tuple[ConfiguredOperation, ...]:
    """The order routing's operations for one configuration, in sequence; lines whose
    condition does not hold are left out."""
    out = []
    for line in sorted(lines, key=lambda ln: ln.sequence):
        if line.condition is not None:
            try:
                if not evaluate_condition(line.condition, values):
                    continue
            except FormulaError as e:
                raise _formula_failure(item, line, "condition", e) from None
        setup, run = _hours(item, line, values)
        out.append(
            ConfiguredOperation(
                line.sequence,
                line.work_center,
                setup,
                run,
                line.description,
                line.queue_days,
                line.move_days,
            )
        )
    return tuple(out)


def formula_parts(lines: Sequence[RoutingLine]) -> int:
    """Formula parts evaluating the lines costs (counted against the configuration's budget)."""
    return sum(Formula.parse(text).parts for line in lines for _, text in _formulas(line))
