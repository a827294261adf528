"""Configure a template (an engineering BOM with parameters) into an order BOM.

A sales-order line for a configurable item carries parameter values as text
(``length_m=14.4``, ``finish=brushed``, ``emergency=yes``). This module turns
them into plain BOM lines: each template line's condition decides whether it is
used, its choice parameter picks the component, its quantity formula gives the
quantity. A configurable sub-assembly is configured in turn with values passed
down as formulas of the parent's values, and a make-to-order sub-assembly
without a template gets its master BOM copied, because both need an order BOM
of their own that the order can change without touching the master data.

The module is pure (no database): the caller loads templates through a
:class:`Catalog` and stores the resulting :class:`ConfiguredNode` tree. Every
formula is user input, so it goes through :mod:`pegboard.services.formula`
only, and every failure is a :class:`ConfigurationError` that names the
template, the line and the formula, because the person who has to fix it is
the one who wrote the template, not a developer.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from pegboard.errors import ValidationError
from pegboard.services.formula import (
    FUNCTIONS,
    Formula,
    FormulaError,
    Value,
    evaluate_condition,
    evaluate_quantity,
)
from pegboard.services.routing_lines import (
    ConfiguredOperation,
    RoutingLine,
    RoutingLineError,
    check_routing_lines,
    evaluate_routing,
    formula_parts,
)

NUMBER = "number"
CHOICE = "choice"
BOOL = "bool"
KINDS = (NUMBER, CHOICE, BOOL)

TRUE_WORDS = frozenset({"yes", "true", "1"})
FALSE_WORDS = frozenset({"no", "false", "0"})

MAX_NAME_LENGTH = 100
"""Longest parameter name (the width of ``bom_parameter.name``)."""
MAX_FORMULA_PARTS = 50_000
"""Most formula parts one configuration may evaluate (each formula counts its parts,
at most ``formula.MAX_NODES``, each time it is evaluated): a tenth of a second of
work or so. Real templates need far less: the samples' largest configuration
evaluates 90 parts (kitchens' WT-CUSTOM), so this leaves room for templates 500
times larger. The node limit alone allows 1000 order BOMs of 1000 lines each, every
line with formulas of 200 parts: a quarter of an hour of one server process for one
promise. A template whose own formulas exceed it is refused when saved."""
MAX_CONFIGURED_NODES = 1000
"""Most nodes one configuration may produce. Depth alone does not bound the
work: a template using the same configurable sub-assembly on ten lines, ten
levels deep, would otherwise ask for 10**10 nodes."""


class ConfigurationError(ValidationError):
    code = "configuration_invalid"


@dataclass(frozen=True)
class Parameter:
    """One configuration parameter of a template, as the person configuring sees it."""

    name: str
    kind: str  # "number" | "choice" | "bool"
    label: str = ""
    unit: str = ""
    min_value: float | None = None
    max_value: float | None = None
    choices: tuple[str, ...] = ()
    default: str = ""  # as text ("2.4", "white", "yes"); "" means the value must be given


@dataclass(frozen=True)
class TemplateLine:
    """One line of a template (or, with only component/qty_per/scrap_pct set, of a master BOM)."""

    component: str | None  # fixed item code; None when choice_parameter picks it
    qty_per: float = 1.0  # used when qty_formula is None
    qty_formula: str | None = None
    condition: str | None = None
    choice_parameter: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)  # choice -> component item code
    scrap_pct: float = 0.0
    pass_down: Mapping[str, str] = field(default_factory=dict)  # child parameter -> formula


@dataclass(frozen=True)
class Template:
    """An item's engineering BOM with its parameters."""

    item: str
    parameters: tuple[Parameter, ...]
    lines: tuple[TemplateLine, ...]
    operations: tuple[RoutingLine, ...] = ()
    """Routing lines: the operations of its order routings, hours as formulas."""


class Catalog(Protocol):
    """What :func:`configure` may ask about items; the service layer answers from the database."""

    def template(self, item: str) -> Template | None:
        """The item's template (engineering BOM with parameters), or None."""
        ...

    def master_lines(self, item: str) -> Sequence[TemplateLine] | None:
        """The item's plain master BOM, or None."""
        ...

    def is_mto_make(self, item: str) -> bool:
        """True when the item is made to order (so it needs an order BOM of its own)."""
        ...


@dataclass(frozen=True)
class ConfiguredLine:
    """A plain order-BOM line; ``child`` is set when the component gets its own order BOM."""

    component: str
    qty_per: float
    scrap_pct: float
    child: ConfiguredNode | None


@dataclass(frozen=True)
class ConfiguredNode:
    """An order BOM: the item, the values it was configured with and its lines."""

    item: str
    values: Mapping[str, float | str]  # numbers as float, choices and bools ("yes"/"no") as str
    lines: tuple[ConfiguredLine, ...]
    from_template: bool  # False when copied from a master BOM
    operations: tuple[ConfiguredOperation, ...] | None = None
    """The order routing's operations from the template's routing lines; None when the
    template has none (the node then follows its item's engineering routing)."""


# --------------------------------------------------------------------------- values


def _fmt(number: float) -> str:
    return f"{number:g}"


def _with_unit(number: float, unit: str) -> str:
    return f"{_fmt(number)} {unit}" if unit else _fmt(number)


def _bad_value(item: str, p: Parameter, text: str, why: str) -> ConfigurationError:
    return ConfigurationError(
        f"{item}: parameter {p.name!r} {why}", item=item, parameter=p.name, value=text, reason=why
    )


def _parse_number(item: str, p: Parameter, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _bad_value(item, p, text, f"must be a number, got {text!r}")
    low, high = p.min_value, p.max_value
    if low is not None and high is not None and not low <= number <= high:
        allowed = f"between {_fmt(low)} and {_with_unit(high, p.unit)}"
    elif low is not None and number < low:
        allowed = f"at least {_with_unit(low, p.unit)}"
    elif high is not None and number > high:
        allowed = f"at most {_with_unit(high, p.unit)}"
    else:
        return number
    raise _bad_value(item, p, text, f"is {_with_unit(number, p.unit)}; it must be {allowed}")


def _parse_choice(item: str, p: Parameter, text: str) -> str:
    if text in p.choices:
        return text
    # Choices are unique ignoring case (validate_template), so this match is unambiguous.
    folded = [c for c in p.choices if c.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise _bad_value(item, p, text, f"must be one of {', '.join(p.choices)}; got {text!r}")


def _parse_bool(item: str, p: Parameter, text: str) -> str:
    word = text.casefold()
    if word in TRUE_WORDS:
        return "yes"
    if word in FALSE_WORDS:
        return "no"
    raise _bad_value(
        item, p, text, f"must be yes or no (true/false and 1/0 are accepted too); got {text!r}"
    )


def _parse_value(item: str, p: Parameter, raw: str) -> float | str:
    """One value from text; bools become 'yes'/'no' so formulas compare them as strings."""
    text = str(raw).strip()
    if p.kind == NUMBER:
        return _parse_number(item, p, text)
    if p.kind == CHOICE:
        return _parse_choice(item, p, text)
    return _parse_bool(item, p, text)


def _refuse_blank(item: str, p: Parameter, raw: object) -> None:
    """A parameter given as blank text is refused, never read as "use the default": a
    cleared form field or ``--param length_m=`` is a slip, and the default would build a
    product nobody asked for. Leaving the parameter out is how the default is chosen."""
    if str(raw).strip():
        return
    default = f"; leave it out for the default {p.default.strip()}" if p.default.strip() else ""
    raise _bad_value(item, p, "", f"is blank: give a value{default}")


def resolve_values(t: Template, given: Mapping[str, str]) -> dict[str, float | str]:
    """The value of every parameter of ``t``: given, else default; in parameter order.

    Unknown names are refused rather than ignored: a misspelt ``lenght_m``
    silently falling back to the default length would build the wrong product.
    """
    by_name = {p.name: p for p in t.parameters}
    unknown = [name for name in given if name not in by_name]
    if unknown:
        known = ", ".join(by_name) or "(none)"
        raise ConfigurationError(
            f"{t.item} has no parameter {unknown[0]!r}; its parameters are: {known}",
            item=t.item,
            parameter=unknown[0],
        )
    values: dict[str, float | str] = {}
    for p in t.parameters:
        if p.name in given:
            _refuse_blank(t.item, p, given[p.name])
            values[p.name] = _parse_value(t.item, p, given[p.name])
        elif p.default.strip():
            values[p.name] = _parse_value(t.item, p, p.default)
        else:
            raise ConfigurationError(
                f"{t.item}: parameter {p.name!r} has no default and was not given",
                item=t.item,
                parameter=p.name,
            )
    return values


# --------------------------------------------------------------------------- validation


def _fail(t: Template, where: str, why: str, **params: object) -> ConfigurationError:
    return ConfigurationError(f"{t.item} {where}: {why}", item=t.item, **params)


def _formula_failure(
    t: Template, n: int, what: str, e: FormulaError, suffix: str = ""
) -> ConfigurationError:
    formula = str(e.params.get("formula", ""))
    reason = str(e.params.get("reason", e.message))
    return ConfigurationError(
        f"{t.item} line {n}: {what} {formula!r}{suffix}: {reason}",
        item=t.item,
        line=n,
        formula=formula,
        reason=reason,
    )


def _check_name(t: Template, where: str, name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise _fail(
            t,
            where,
            f"{name!r} is not a usable parameter name (letters, digits and _, "
            "starting with a letter, not a Python keyword)",
            parameter=name,
        )
    if name in FUNCTIONS:
        raise _fail(t, where, f"{name!r} is the name of a formula function", parameter=name)
    if len(name) > MAX_NAME_LENGTH:
        raise _fail(t, where, f"longer than {MAX_NAME_LENGTH} characters", parameter=name)


def _check_parameter(t: Template, i: int, p: Parameter) -> None:
    where = f"parameter {i} ({p.name!r})"
    _check_name(t, where, p.name)
    if p.kind not in KINDS:
        raise _fail(t, where, f"kind {p.kind!r} is not one of {', '.join(KINDS)}", parameter=p.name)
    if p.kind != NUMBER and (p.min_value is not None or p.max_value is not None):
        raise _fail(t, where, "only a number parameter has bounds", parameter=p.name)
    if p.kind != CHOICE and p.choices:
        raise _fail(t, where, "only a choice parameter has choices", parameter=p.name)
    _check_bounds(t, where, p)
    if p.kind == CHOICE:
        _check_choices(t, where, p)
    if p.default.strip():
        try:
            _parse_value(t.item, p, p.default)
        except ConfigurationError as e:
            why = e.params["reason"]
            raise _fail(
                t, where, f"default {p.default!r} is invalid: {why}", parameter=p.name
            ) from None


def _check_bounds(t: Template, where: str, p: Parameter) -> None:
    """A number parameter's bounds: finite, the minimum not above the maximum."""
    for bound in (p.min_value, p.max_value):
        if bound is not None and not math.isfinite(bound):
            raise _fail(t, where, f"bound {bound!r} is not a finite number", parameter=p.name)
    if p.min_value is not None and p.max_value is not None and p.min_value > p.max_value:
        raise _fail(
            t,
            where,
            f"minimum {_fmt(p.min_value)} is above maximum {_fmt(p.max_value)}",
            parameter=p.name,
        )


def _check_choices(t: Template, where: str, p: Parameter) -> None:
    """A choice parameter's choices: at least one, none empty, none twice (ignoring case)."""
    if not p.choices:
        raise _fail(t, where, "a choice parameter needs at least one choice", parameter=p.name)
    seen: set[str] = set()
    for choice in p.choices:
        if not choice.strip():
            raise _fail(t, where, "a choice is empty", parameter=p.name)
        if choice.casefold() in seen:
            raise _fail(
                t, where, f"choice {choice!r} is listed twice (ignoring case)", parameter=p.name
            )
        seen.add(choice.casefold())


def _check_choice_line(t: Template, n: int, line: TemplateLine, chooser: Parameter | None) -> None:
    where = f"line {n}"
    if chooser is None or chooser.kind != CHOICE:
        raise _fail(
            t,
            where,
            f"choice parameter {line.choice_parameter!r} is not a choice parameter "
            "of this template",
            line=n,
            parameter=line.choice_parameter,
        )
    if line.component is not None:
        raise _fail(t, where, "has both a fixed component and a choice parameter", line=n)
    for choice in line.options:
        if choice not in chooser.choices:
            raise _fail(
                t,
                where,
                f"option {choice!r} is not a choice of {chooser.name!r} "
                f"({', '.join(chooser.choices)})",
                line=n,
                parameter=chooser.name,
            )
    for choice in chooser.choices:
        if not line.options.get(choice, "").strip():
            raise _fail(
                t,
                where,
                f"no component for {chooser.name!r} = {choice!r}",
                line=n,
                parameter=chooser.name,
            )


def _check_line(t: Template, n: int, line: TemplateLine, params: Mapping[str, Parameter]) -> None:
    where = f"line {n}"
    if line.choice_parameter is not None:
        _check_choice_line(t, n, line, params.get(line.choice_parameter))
    elif line.component is None or not line.component.strip():
        raise _fail(t, where, "has neither a component nor a choice parameter", line=n)
    elif line.options:
        raise _fail(t, where, "has options but no choice parameter", line=n)
    if line.qty_formula is None and not (math.isfinite(line.qty_per) and line.qty_per > 0):
        raise _fail(t, where, f"quantity {line.qty_per!r} must be a number > 0", line=n)
    if not (math.isfinite(line.scrap_pct) and line.scrap_pct >= 0):
        raise _fail(t, where, f"scrap {line.scrap_pct!r} % must be a number >= 0", line=n)
    known = frozenset(params)
    for what, text in (("quantity formula", line.qty_formula), ("condition", line.condition)):
        if text is not None:
            try:
                Formula.parse(text, known)
            except FormulaError as e:
                raise _formula_failure(t, n, what, e) from None
    for name, text in line.pass_down.items():
        _check_name(t, f"{where}, parameter passed down", name)
        try:
            Formula.parse(text, known)
        except FormulaError as e:
            raise _formula_failure(t, n, f"parameter {name!r} passed down as", e) from None


def _dry_run(t: Template) -> None:
    """Evaluate what configuring with the defaults would evaluate, skipping what needs a value.

    Parsing cannot see that ``length_m ** 10 ** 10`` is unusable; evaluating it
    once can, so such a template is refused when it is saved, not when the first
    customer orders it. Lines excluded by their condition at the defaults are
    not evaluated, since a condition like ``runs > 0`` may guard ``x / runs``.
    """
    defaults: dict[str, Value] = {
        p.name: _parse_value(t.item, p, p.default) for p in t.parameters if p.default.strip()
    }
    suffix = " fails with the default values"
    for n, line in enumerate(t.lines, start=1):
        if line.condition is not None:
            if not Formula.parse(line.condition).names.issubset(defaults):
                continue
            try:
                if not evaluate_condition(line.condition, defaults):
                    continue
            except FormulaError as e:
                raise _formula_failure(t, n, "condition", e, suffix) from None
        if line.qty_formula is not None and Formula.parse(line.qty_formula).names.issubset(
            defaults
        ):
            try:
                evaluate_quantity(line.qty_formula, defaults)
            except FormulaError as e:
                raise _formula_failure(t, n, "quantity formula", e, suffix) from None
        for name, text in line.pass_down.items():
            formula = Formula.parse(text)
            if formula.names.issubset(defaults):
                try:
                    formula.evaluate(defaults)
                except FormulaError as e:
                    raise _formula_failure(
                        t, n, f"parameter {name!r} passed down as", e, suffix
                    ) from None


def _check_work(t: Template) -> None:
    """Refuse a template that not even one configuration of it alone could evaluate
    within ``MAX_FORMULA_PARTS``: each configuration evaluates every formula of its lines."""
    parts = sum(
        Formula.parse(text).parts
        for line in t.lines
        for text in (line.qty_formula, line.condition, *line.pass_down.values())
        if text is not None
    )
    if parts > MAX_FORMULA_PARTS:
        raise ConfigurationError(
            f"{t.item}: its lines' formulas have {parts:,} parts, more than the "
            f"{MAX_FORMULA_PARTS:,} one configuration may evaluate: use fewer lines or "
            "shorter formulas",
            item=t.item,
            parts=parts,
        )


def validate_template(t: Template) -> None:
    """Refuse a template that could not be configured, naming the first problem found.

    Checked: parameter names, kinds, bounds, choices and defaults; every
    formula parses and reads only this template's parameters; each choice
    line has a component for every choice and no other; and every formula
    evaluates with the default values (where the defaults suffice).
    """
    if not t.item.strip():
        raise ConfigurationError("a template needs an item", item=t.item)
    params: dict[str, Parameter] = {}
    for i, p in enumerate(t.parameters, start=1):
        if p.name in params:
            raise _fail(t, f"parameter {i}", f"{p.name!r} is defined twice", parameter=p.name)
        _check_parameter(t, i, p)
        params[p.name] = p
    for n, line in enumerate(t.lines, start=1):
        _check_line(t, n, line, params)
    _check_work(t)
    _dry_run(t)
    _check_routing(t)


def _check_routing(t: Template) -> None:
    """The routing lines, checked like the BOM lines (see ``routing_lines``)."""
    if not t.operations:
        return
    defaults: dict[str, Value] = {
        p.name: _parse_value(t.item, p, p.default) for p in t.parameters if p.default.strip()
    }
    try:
        check_routing_lines(t.item, t.operations, frozenset(p.name for p in t.parameters), defaults)
    except RoutingLineError as e:
        raise ConfigurationError(e.message, **e.params) from None


# --------------------------------------------------------------------------- configuring


def _as_text(value: Value) -> str:
    """A passed-down value as the child receives it: the text a user would type."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class _Configurer:
    """One configuration run: the catalog, the limits and the count of nodes made so far."""

    def __init__(self, catalog: Catalog, max_depth: int) -> None:
        self.catalog = catalog
        self.max_depth = max_depth
        self.nodes = 0
        self.parts = 0

    def _spend(self, text: str, path: tuple[str, ...]) -> None:
        """Count a formula about to be evaluated against ``MAX_FORMULA_PARTS``."""
        self.parts += Formula.parse(text).parts
        if self.parts > MAX_FORMULA_PARTS:
            route = " → ".join(path)
            raise ConfigurationError(
                f"the configuration evaluates more than {MAX_FORMULA_PARTS:,} formula parts "
                f"(reached at {route}): too much work for one order",
                item=path[-1],
                path=route,
            )

    def _enter(self, path: tuple[str, ...]) -> None:
        route = " → ".join(path)
        if path[-1] in path[:-1]:
            raise ConfigurationError(
                f"{path[-1]} contains itself: {route}", item=path[-1], path=route
            )
        if len(path) - 1 > self.max_depth:
            raise ConfigurationError(
                f"sub-assemblies nested deeper than {self.max_depth} levels: {route}",
                item=path[-1],
                path=route,
            )
        self.nodes += 1
        if self.nodes > MAX_CONFIGURED_NODES:
            raise ConfigurationError(
                f"the configuration has more than {MAX_CONFIGURED_NODES} order BOMs "
                f"(reached at {route})",
                item=path[-1],
                path=route,
            )

    @staticmethod
    def _located(path: tuple[str, ...], e: ConfigurationError) -> ConfigurationError:
        """Add the route from the ordered item once, at the deepest level it is known."""
        if len(path) < 2 or "path" in e.params:
            return e
        route = " → ".join(path)
        return ConfigurationError(
            f"{e.message} (configuring {route})", **{**e.params, "path": route}
        )

    def template_node(
        self, t: Template, given: Mapping[str, str], path: tuple[str, ...]
    ) -> ConfiguredNode:
        try:
            self._enter(path)
            validate_template(t)
            values = resolve_values(t, given)
            lines: list[ConfiguredLine] = []
            for n, line in enumerate(t.lines, start=1):
                picked = self._pick(t, n, line, values, path)
                if picked is None:
                    continue
                component, qty = picked
                child = self._child(t, n, line, component, values, path)
                lines.append(ConfiguredLine(component, qty, line.scrap_pct, child))
            operations = self._routing(t, values, path)
        except ConfigurationError as e:
            raise self._located(path, e) from None
        return ConfiguredNode(path[-1], MappingProxyType(values), tuple(lines), True, operations)

    def _routing(
        self, t: Template, values: Mapping[str, float | str], path: tuple[str, ...]
    ) -> tuple[ConfiguredOperation, ...] | None:
        """The node's order-routing operations from the template's routing lines."""
        if not t.operations:
            return None
        self.parts += formula_parts(t.operations)
        self._spend("0", path)
        try:
            return evaluate_routing(t.item, t.operations, values)
        except RoutingLineError as e:
            raise ConfigurationError(e.message, **e.params) from None

    def master_node(self, lines: Sequence[TemplateLine], path: tuple[str, ...]) -> ConfiguredNode:
        item = path[-1]
        try:
            self._enter(path)
            copied: list[ConfiguredLine] = []
            plain = Template(item, (), ())
            for n, line in enumerate(lines, start=1):
                if (
                    line.component is None
                    or line.qty_formula is not None
                    or line.condition is not None
                    or line.choice_parameter is not None
                    or line.options
                    or line.pass_down
                ):
                    raise _fail(
                        plain,
                        f"master BOM line {n}",
                        "is not a plain line (component and quantity only)",
                        line=n,
                    )
                if not (math.isfinite(line.qty_per) and line.qty_per >= 0):
                    raise _fail(
                        plain, f"master BOM line {n}", f"quantity {line.qty_per!r} < 0", line=n
                    )
                if line.qty_per == 0:
                    continue
                child = self._child(plain, n, line, line.component, {}, path)
                copied.append(ConfiguredLine(line.component, line.qty_per, line.scrap_pct, child))
        except ConfigurationError as e:
            raise self._located(path, e) from None
        return ConfiguredNode(item, MappingProxyType({}), tuple(copied), False)

    def _pick(
        self,
        t: Template,
        n: int,
        line: TemplateLine,
        values: Mapping[str, float | str],
        path: tuple[str, ...],
    ) -> tuple[str, float] | None:
        """The line's component and quantity, or None when the line is left out."""
        if line.condition is not None:
            self._spend(line.condition, path)
            try:
                if not evaluate_condition(line.condition, values):
                    return None
            except FormulaError as e:
                raise _formula_failure(t, n, "condition", e) from None
        if line.choice_parameter is not None:
            component = line.options[str(values[line.choice_parameter])]
        else:
            component = line.component or ""
        if line.qty_formula is None:
            qty = line.qty_per
        else:
            self._spend(line.qty_formula, path)
            try:
                qty = evaluate_quantity(line.qty_formula, values)
            except FormulaError as e:
                raise _formula_failure(t, n, "quantity formula", e) from None
        return None if qty == 0 else (component, qty)

    def _child(
        self,
        t: Template,
        n: int,
        line: TemplateLine,
        component: str,
        values: Mapping[str, float | str],
        path: tuple[str, ...],
    ) -> ConfiguredNode | None:
        """The component's own order BOM, or None when it stays a reference or is a leaf."""
        sub = self.catalog.template(component)
        if sub is not None:
            given = self._passed_down(t, n, line, component, sub, values, path)
            return self.template_node(sub, given, (*path, component))
        if line.pass_down:
            raise _fail(
                t,
                f"line {n}",
                f"passes parameters to {component}, which is not configurable",
                line=n,
            )
        if not self.catalog.is_mto_make(component):
            return None
        master = self.catalog.master_lines(component)
        if not master:
            return None
        return self.master_node(master, (*path, component))

    def _passed_down(
        self,
        t: Template,
        n: int,
        line: TemplateLine,
        component: str,
        sub: Template,
        values: Mapping[str, float | str],
        path: tuple[str, ...],
    ) -> dict[str, str]:
        names = [p.name for p in sub.parameters]
        given: dict[str, str] = {}
        for name, text in line.pass_down.items():
            if name not in names:
                raise _fail(
                    t,
                    f"line {n}",
                    f"passes parameter {name!r} to {component}, which has no such parameter; "
                    f"its parameters are: {', '.join(names) or '(none)'}",
                    line=n,
                    parameter=name,
                )
            self._spend(text, path)
            try:
                given[name] = _as_text(Formula.parse(text).evaluate(values))
            except FormulaError as e:
                raise _formula_failure(t, n, f"parameter {name!r} passed down as", e) from None
        return given


def configure(
    catalog: Catalog, item: str, given: Mapping[str, str], *, max_depth: int = 12
) -> ConfiguredNode:
    """Configure ``item`` with the ``given`` values into a tree of order BOMs.

    Configured sub-assemblies and make-to-order sub-assemblies get a child
    node; made-to-stock sub-assemblies and bought parts stay plain lines, since
    their master BOM serves every order alike.
    """
    template = catalog.template(item)
    if template is None:
        raise ConfigurationError(
            f"{item} is not configurable: it has no template (a BOM with parameters)", item=item
        )
    return _Configurer(catalog, max_depth).template_node(template, given, (item,))
