"""Safe evaluation of configuration formulas (``ceil(length_m / 1.2)``, ``emergency == 'yes'``).

A formula comes from a user, so it is never executed as Python. It is parsed
with ``ast`` and checked against a whitelist (numbers, strings, names of the
template's parameters, arithmetic, comparisons, ``and/or/not``, ``x if c else
y``, and calls of a few math functions by name); size and nesting are bounded.
Only then is it evaluated, by simpleeval with attribute access, subscripts and
assignments removed and its power/string limits on. No loops exist in the
language, so a bounded formula evaluates in bounded time.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from simpleeval import InvalidExpression, SimpleEval

from pegboard.errors import ValidationError

MAX_LENGTH = 500
MAX_DEPTH = 24
MAX_NODES = 200
MAX_RESULT = 1e12

Value = float | int | str | bool


def _ceil(x: float) -> int:
    """``ceil`` that ignores float noise: 16.8 / 2.4 is 7.000000000000001, and means 7."""
    return math.ceil(round(x, 9))


def _floor(x: float) -> int:
    return math.floor(round(x, 9))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ceil": _ceil,
    "floor": _floor,
    "round": round,
    "min": min,
    "max": max,
    "abs": abs,
    "sqrt": math.sqrt,
}

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


@dataclass(frozen=True)
class Formula:
    """A checked formula and the parameter names it reads."""

    text: str
    names: frozenset[str]

    @classmethod
    def parse(cls, text: str, known: frozenset[str] | None = None) -> Formula:
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
        return cls(text.strip(), frozenset(params))

    @staticmethod
    def _check_node(text: str, node: ast.AST, names: set[str]) -> None:
        if not isinstance(node, _ALLOWED):
            raise FormulaError(text, f"{type(node).__name__} is not allowed")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | bool):
            raise FormulaError(text, f"constant {node.value!r} is not allowed")
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

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        missing = sorted(self.names - set(values))
        if missing:
            raise FormulaError(self.text, f"no value for parameter(s): {', '.join(missing)}")
        evaluator = SimpleEval(functions=dict(FUNCTIONS), names=dict(values))
        for name in _EVAL_NODES_REMOVED:
            node_type = getattr(ast, name, None)
            if node_type is not None:
                evaluator.nodes.pop(node_type, None)
        try:
            result = evaluator.eval(self.text)
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
        if (
            not isinstance(result, int | float)
            or not math.isfinite(result)
            or abs(result) > MAX_RESULT
        ):
            raise FormulaError(self.text, f"gives {result!r}, not a usable number")
        return result


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
