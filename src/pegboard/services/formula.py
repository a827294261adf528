"""Safe evaluation of configuration formulas (``ceil(length_m / 1.2)``, ``emergency == 'yes'``).

A formula comes from a user, so it is never executed as Python. It is parsed
with ``ast`` and checked against a whitelist (numbers, strings, names of the
template's parameters, arithmetic, comparisons, ``and/or/not``, ``x if c else
y``, and calls of a few math functions by name); size and nesting are bounded.
Only then is it evaluated, by simpleeval with attribute access, subscripts and
assignments removed and every operator and function replaced by a bounded one.

Bounded arithmetic: size and nesting limits alone do not bound the *time* of an
evaluation, because Python integers grow without limit (``9 ** 3999999`` fits
every size limit and holds the interpreter for tens of seconds). So every
number a formula reads, computes or gives is kept within a documented range:

* a parameter value and a formula's result are within ±``MAX_RESULT`` (1e12,
  the largest quantity pegboard takes anywhere);
* every intermediate step is within ±``MAX_VALUE`` (1e15), and a power is
  refused *before* it is computed when its logarithm says it would leave that
  range; arithmetic is on numbers only (``'%9999999d' % 1`` and ``'a' * n``
  build huge strings, so text takes part in comparisons, never in arithmetic).

With operands that small every operation is a few machine instructions, so a
formula of at most ``MAX_NODES`` parts evaluates in microseconds, whatever it is.
Anything out of range is a :class:`FormulaError`, never an ``OverflowError``.

At save time :meth:`Formula.worst_case` goes further: interval arithmetic over
the checked tree and the parameters' declared bounds finds the largest value
each step can reach, so a template whose formula *could* leave the range for
some allowed values is refused when it is saved, not when a customer orders it.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from simpleeval import InvalidExpression, SimpleEval

from pegboard.errors import ValidationError

MAX_LENGTH = 500
MAX_DEPTH = 24
MAX_NODES = 200
MAX_RESULT = 1e12
"""Largest magnitude of a parameter value and of a formula's result."""
MAX_VALUE = 1e15
"""Largest magnitude of any step of a formula (constants included)."""
_LOG_MAX_VALUE = math.log10(MAX_VALUE)
_ROUND_DIGITS = 20
"""``round(x, n)`` with |n| beyond this is the same as with this (|x| <= 1e15), and a
huge negative ``n`` would make Python compute ``10 ** -n`` exactly."""

Value = float | int | str | bool
Number = float | int


class OutOfRange(ArithmeticError):
    """A step of a formula left ±MAX_VALUE; the message says which value it reached."""

    def __init__(self, value: float | int | str) -> None:
        shown = value if isinstance(value, str) else _shown(value)
        self.shown = shown
        super().__init__(f"{shown} is not a usable number (a formula works within ±{MAX_VALUE:g})")


def _shown(value: float | int) -> str:
    """A number for a message; ``f"{10**400:g}"`` itself raises OverflowError."""
    if isinstance(value, int) and abs(value) > 10**300:
        return f"a number of about {value.bit_length() * math.log10(2):.0f} digits"
    return f"{value:.3g}"


def _bounded(value: Number) -> Number:
    """``value`` if it is within ±MAX_VALUE (compared exactly, so a huge int never becomes
    a float: that conversion is what raised OverflowError)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise OutOfRange(value)
    if abs(value) > MAX_VALUE:
        raise OutOfRange(value)
    return value


def _number(value: object) -> Number:
    if isinstance(value, int | float):  # bool is an int: (x > 2) * 3 is arithmetic
        return value
    raise TypeError(f"arithmetic needs numbers, not {value!r}")


def _binary(op: Callable[[Any, Any], Any]) -> Callable[[object, object], Number]:
    """An arithmetic operator on numbers only, its result kept within ±MAX_VALUE.

    With both operands within ±MAX_VALUE, +, -, *, /, //, % cost a few instructions
    even on ints, so checking the result afterwards is enough.
    """

    def bounded(a: object, b: object) -> Number:
        result: Number = op(_number(a), _number(b))
        return _bounded(result)

    return bounded


def _power(a: object, b: object) -> Number:
    """``a ** b``, refused by its logarithm *before* it is computed when out of range."""
    base, exponent = _number(a), _number(b)
    if base != 0 and exponent * math.log10(abs(base)) > _LOG_MAX_VALUE + 1:
        raise OutOfRange(f"{a!r} ** {b!r} (about 1e{exponent * math.log10(abs(base)):.0f})")
    if isinstance(base, int) and isinstance(exponent, int) and exponent >= 0:
        return _bounded(base**exponent)  # exact, and at most ~1e16: cheap
    return _bounded(math.pow(base, exponent))  # ValueError for (-8) ** 0.5, not a complex


def _negative(a: object) -> Number:
    return _bounded(-_number(a))


def _positive(a: object) -> Number:
    return _bounded(+_number(a))


OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: _binary(operator.add),
    ast.Sub: _binary(operator.sub),
    ast.Mult: _binary(operator.mul),
    ast.Div: _binary(operator.truediv),
    ast.FloorDiv: _binary(operator.floordiv),
    ast.Mod: _binary(operator.mod),
    ast.Pow: _power,
    ast.USub: _negative,
    ast.UAdd: _positive,
    ast.Not: operator.not_,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
"""The only operators a formula can reach (the checker allows no others)."""


def _ceil(x: float) -> int:
    """``ceil`` that ignores float noise: 16.8 / 2.4 is 7.000000000000001, and means 7."""
    return math.ceil(round(_number(x), 9))


def _floor(x: float) -> int:
    return math.floor(round(_number(x), 9))


def _round(x: float, digits: int | None = None) -> Number:
    """``round``, with the digits clamped: ``round(5, -10**6)`` would compute 10**1000000."""
    if digits is None:
        return round(_number(x))
    if not isinstance(digits, int):
        raise TypeError(f"round() digits must be a whole number, not {digits!r}")
    return round(_number(x), max(-_ROUND_DIGITS, min(_ROUND_DIGITS, digits)))


def _sqrt(x: float) -> float:
    return math.sqrt(_number(x))


def _abs(x: float) -> Number:
    return abs(_number(x))


def _bounded_function(f: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        result = f(*args)
        return _bounded(result) if isinstance(result, int | float) else result

    return call


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ceil": _ceil,
    "floor": _floor,
    "round": _round,
    "min": min,
    "max": max,
    "abs": _abs,
    "sqrt": _sqrt,
}
_BOUNDED_FUNCTIONS = {name: _bounded_function(f) for name, f in FUNCTIONS.items()}

_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)
_EVAL_NODES_REMOVED = (
    "Attribute",
    "Subscript",
    "Assign",
    "AugAssign",
    "Import",
    "JoinedStr",
    "FormattedValue",
    "Slice",
    "Index",
)


class FormulaError(ValidationError):
    code = "formula_invalid"

    def __init__(self, formula: str, reason: str) -> None:
        super().__init__(f"formula {formula!r}: {reason}", formula=formula, reason=reason)


def _depth(node: ast.AST, limit: int) -> int:
    """Nesting depth, iteratively (a recursive walk is what a hostile formula would overflow)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    return deepest


PARSED_CACHE = 4096
"""Checked formulas kept, by text: configuring a product parses each of its formulas
several times (the dry run, each line, each order BOM); a formula at the size limit
takes about a millisecond to check, so a 1000-line template was seconds of parsing."""


@dataclass(frozen=True)
class Formula:
    """A checked formula, the parameter names it reads, and its syntax tree (kept for
    evaluating, so a formula is parsed once, not on every evaluation)."""

    text: str
    names: frozenset[str]
    tree: ast.expr = field(compare=False, repr=False)
    parts: int = field(default=1, compare=False)
    """Nodes of the syntax tree: what evaluating it costs, roughly (at most MAX_NODES)."""

    @classmethod
    def parse(cls, text: str, known: frozenset[str] | None = None) -> Formula:
        """The checked formula, or a FormulaError; the same text is checked once."""
        return _parse(text, known)

    @classmethod
    def _check(cls, text: str, known: frozenset[str] | None) -> Formula:
        if len(text) > MAX_LENGTH:
            raise FormulaError(text[:60] + "…", f"longer than {MAX_LENGTH} characters")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
            raise FormulaError(text, f"not a valid expression ({type(e).__name__})") from None
        if _depth(tree, MAX_DEPTH) > MAX_DEPTH:
            raise FormulaError(text, f"nested deeper than {MAX_DEPTH} levels")
        nodes = list(ast.walk(tree))
        if len(nodes) > MAX_NODES:
            raise FormulaError(text, f"more than {MAX_NODES} parts")
        names: set[str] = set()
        for node in nodes:
            cls._check_node(text, node, names)
        called = {
            n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        params = names - called
        if known is not None and (unknown := sorted(params - known)):
            raise FormulaError(text, f"unknown parameter(s): {', '.join(unknown)}")
        return cls(text.strip(), frozenset(params), tree.body, len(nodes))

    @staticmethod
    def _check_node(text: str, node: ast.AST, names: set[str]) -> None:
        if not isinstance(node, _ALLOWED):
            raise FormulaError(text, f"{type(node).__name__} is not allowed")
        if isinstance(node, ast.Constant):
            Formula._check_constant(text, node.value)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise FormulaError(text, f"only these functions may be called: {allowed}")
            if node.keywords:
                raise FormulaError(text, "keyword arguments are not allowed")
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise FormulaError(text, f"name {node.id!r} is not allowed")
            names.add(node.id)

    @staticmethod
    def _check_constant(text: str, value: object) -> None:
        if not isinstance(value, int | float | str | bool):
            raise FormulaError(text, f"constant {value!r} is not allowed")
        if isinstance(value, int | float):
            try:
                _bounded(value)
            except OutOfRange as e:
                raise FormulaError(text, f"constant {e}") from None

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        """The formula's value, every step within ±MAX_VALUE (see the module docstring)."""
        missing = sorted(self.names - set(values))
        if missing:
            raise FormulaError(self.text, f"no value for parameter(s): {', '.join(missing)}")
        for name in sorted(self.names):
            self._check_input(name, values[name])
        evaluator = SimpleEval(
            operators=dict(OPERATORS),
            functions=dict(_BOUNDED_FUNCTIONS),
            names={name: values[name] for name in self.names},
        )
        for name in _EVAL_NODES_REMOVED:
            node_type = getattr(ast, name, None)
            if node_type is not None:
                evaluator.nodes.pop(node_type, None)
        try:
            result = evaluator.eval(self.text, previously_parsed=self.tree)
        except (
            InvalidExpression,
            ArithmeticError,
            ValueError,
            TypeError,
            RecursionError,
            MemoryError,
        ) as e:
            raise FormulaError(self.text, f"cannot be evaluated: {e}") from None
        if isinstance(result, bool | str):
            return result
        if not isinstance(result, int | float) or not abs(result) <= MAX_RESULT:
            raise FormulaError(self.text, f"gives {result!r}, not a usable number")
        return result

    def worst_case(self, spans: Mapping[str, Span]) -> Span:
        """The formula's span over the parameters' spans (see :func:`number_span`).

        Refused with a FormulaError naming the first step whose worst case leaves
        ±MAX_VALUE, or that does arithmetic on text: what evaluating it would refuse
        for some allowed values, found when the template is saved.
        """
        if missing := sorted(self.names - set(spans)):
            raise FormulaError(self.text, f"unknown parameter(s): {', '.join(missing)}")
        return _WorstCase(self, spans).span(ast.parse(self.text, mode="eval"))

    def _check_input(self, name: str, value: Value) -> None:
        """A number parameter within ±MAX_RESULT, what the save-time worst case assumes."""
        if isinstance(value, int | float) and not abs(value) <= MAX_RESULT:
            raise FormulaError(
                self.text,
                f"parameter {name} is {_shown(value)}, beyond ±{MAX_RESULT:g}: not a usable number",
            )


@lru_cache(maxsize=PARSED_CACHE)
def _parse(text: str, known: frozenset[str] | None) -> Formula:
    return Formula._check(text, known)  # a FormulaError is raised, not kept


def evaluate_quantity(text: str, values: Mapping[str, Value]) -> float:
    """A BOM line quantity: a number >= 0."""
    result = Formula.parse(text).evaluate(values)
    if isinstance(result, bool | str) or result < 0:
        raise FormulaError(text, f"gives {result!r}; a quantity must be a number >= 0")
    return float(result)


def evaluate_condition(text: str, values: Mapping[str, Value]) -> bool:
    """A BOM line condition: true or false."""
    result = Formula.parse(text).evaluate(values)
    if not isinstance(result, bool):
        raise FormulaError(text, f"gives {result!r}; a condition must be true or false")
    return result


# --------------------------------------------------------------------------- worst case


@dataclass(frozen=True)
class Span:
    """What a (sub-)formula can be over the parameters' bounds.

    Numbers within [low, high] when ``number``; possibly text when ``text``.
    ``bounded`` is False after a division by a range that contains zero: no
    finite worst case exists there, and the evaluation's own checks guard it.
    """

    low: float = 0.0
    high: float = 0.0
    number: bool = True
    text: bool = False
    bounded: bool = True

    @property
    def magnitude(self) -> float:
        return max(abs(self.low), abs(self.high))

    def union(self, other: Span) -> Span:
        if not self.number:
            return Span(other.low, other.high, other.number, self.text or other.text, other.bounded)
        if not other.number:
            return other.union(self)
        return Span(
            min(self.low, other.low),
            max(self.high, other.high),
            True,
            self.text or other.text,
            self.bounded and other.bounded,
        )


TEXT = Span(number=False, text=True)
TRUTH = Span(0.0, 1.0)
UNBOUNDED = Span(-math.inf, math.inf, bounded=False)


def number_span(low: float | None, high: float | None) -> Span:
    """A number parameter's span; an undeclared bound is the largest value a parameter
    may carry into a formula (±MAX_RESULT, checked again when evaluating)."""
    return Span(-MAX_RESULT if low is None else low, MAX_RESULT if high is None else high)


def _corners(op: Callable[[float, float], float], a: Span, b: Span) -> Span:
    values = [op(x, y) for x in (a.low, a.high) for y in (b.low, b.high)]
    return Span(min(values), max(values))


def _power_span(a: Span, b: Span) -> Span:
    """Largest |a ** b| over the box: b * log|a| is bilinear, so its extremes are corners."""
    small = 0.0 if a.low <= 0 <= a.high else min(abs(a.low), abs(a.high))
    if small == 0 and b.low < 0:
        return UNBOUNDED  # 0 ** -1 is an error; near 0 there is no finite worst case
    logs = [
        y * math.log10(x) if x > 0 else (0.0 if y == 0 else -math.inf)
        for x in (small, a.magnitude)
        for y in (b.low, b.high)
    ]
    worst = max(logs)
    if worst > _LOG_MAX_VALUE:
        raise OutOfRange(f"about 1e{worst:.0f}")
    size = 10.0**worst
    return Span(-size if a.low < 0 else 0.0, size)


def _divide_span(a: Span, b: Span, floor: bool) -> Span:
    if b.low <= 0 <= b.high:
        return UNBOUNDED
    span = _corners(operator.truediv, a, b)
    return Span(math.floor(span.low), math.ceil(span.high)) if floor else span


def _binary_span(op: ast.operator, a: Span, b: Span) -> Span:
    if isinstance(op, ast.Add):
        return Span(a.low + b.low, a.high + b.high)
    if isinstance(op, ast.Sub):
        return Span(a.low - b.high, a.high - b.low)
    if isinstance(op, ast.Mult):
        return _corners(operator.mul, a, b)
    if isinstance(op, ast.Div | ast.FloorDiv):
        return _divide_span(a, b, isinstance(op, ast.FloorDiv))
    if isinstance(op, ast.Mod):  # the sign of the divisor, smaller than it
        return Span(min(0.0, b.low), max(0.0, b.high))
    return _power_span(a, b)


def _call_span(name: str, args: list[Span]) -> Span:
    if not args:
        return Span()  # an error when evaluated, not a large number
    if not all(a.bounded for a in args):
        return UNBOUNDED
    numbers = [a for a in args if a.number]
    if name in {"min", "max"}:
        if not numbers:
            return TEXT
        pick = min if name == "min" else max
        span = Span(pick(a.low for a in numbers), pick(a.high for a in numbers))
        return span.union(TEXT) if len(numbers) < len(args) else span
    x = args[0]
    if name in {"ceil", "floor"}:
        return Span(math.floor(x.low), math.ceil(x.high))
    if name == "round":  # to the nearest multiple of 10**-n: never more than doubles |x|
        size = 2 * max(x.magnitude, 1.0)
        return Span(-size, size)
    if name == "abs":
        low = 0.0 if x.low <= 0 <= x.high else min(abs(x.low), abs(x.high))
        return Span(low, x.magnitude)
    return Span(math.sqrt(max(x.low, 0.0)), math.sqrt(max(x.high, 0.0)))


class _WorstCase:
    """Interval arithmetic over a checked formula's tree."""

    def __init__(self, formula: Formula, spans: Mapping[str, Span]) -> None:
        self.formula = formula
        self.spans = spans

    def refuse(self, node: ast.AST, why: str) -> FormulaError:
        free = sorted(
            n
            for n in self.formula.names
            if self.spans[n].number and self.spans[n].magnitude >= MAX_RESULT
        )
        hint = f"; declare a min and max for {', '.join(free)}" if free else ""
        return FormulaError(self.formula.text, f"{ast.unparse(node)} {why}{hint}")

    def span(self, node: ast.AST) -> Span:
        """The node's span; refused when its worst case leaves ±MAX_VALUE."""
        try:
            result = self._span(node)
            if result.number and result.bounded and not result.magnitude <= MAX_VALUE:
                raise OutOfRange(result.magnitude)
        except OutOfRange as e:
            within = " for values within the parameters' bounds" if self.formula.names else ""
            raise self.refuse(
                node, f"can reach {e.shown}{within} (a formula works within ±{MAX_VALUE:g})"
            ) from None
        return result

    def _span(self, node: ast.AST) -> Span:
        if isinstance(node, ast.Expression):
            return self.span(node.body)
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float):
                return TEXT
            return Span(float(node.value), float(node.value))
        if isinstance(node, ast.Name):
            return self.spans[node.id]
        if isinstance(node, ast.BinOp):
            return self._arithmetic(node, node.op, [self.span(node.left), self.span(node.right)])
        if isinstance(node, ast.UnaryOp):
            operand = self.span(node.operand)
            if isinstance(node.op, ast.Not):
                return TRUTH
            return self._arithmetic(node, node.op, [operand])
        return self._logic_span(node)

    def _logic_span(self, node: ast.AST) -> Span:
        """Comparisons, ``and``/``or``, ``if``/``else`` and function calls: what is left of
        the checked syntax once constants, names and arithmetic are taken."""
        if isinstance(node, ast.Compare):
            for part in (node.left, *node.comparators):
                self.span(part)
            return TRUTH
        if isinstance(node, ast.BoolOp):
            spans = [self.span(v) for v in node.values]
            result = spans[0]
            for s in spans[1:]:
                result = result.union(s)
            return result
        if isinstance(node, ast.IfExp):
            self.span(node.test)
            return self.span(node.body).union(self.span(node.orelse))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return _call_span(node.func.id, [self.span(a) for a in node.args])
        raise self.refuse(node, "is not allowed")  # the checker lets nothing else through

    def _arithmetic(self, node: ast.AST, op: ast.AST, operands: list[Span]) -> Span:
        if any(not s.number for s in operands):
            raise self.refuse(node, "does arithmetic on text")
        if not all(s.bounded for s in operands):
            return UNBOUNDED
        if isinstance(op, ast.USub):
            return Span(-operands[0].high, -operands[0].low)
        if isinstance(op, ast.UAdd):
            return operands[0]
        assert isinstance(op, ast.operator)
        return _binary_span(op, operands[0], operands[1])
