"""One formula of a template being edited, checked as saving checks it (issue #19).

The editor shows each message next to its field while typing and on save; these pin
the checks to the save's own (parse against the parameters, worst case over the
bounds, the defaults' dry run, the place's kind of result)."""

from __future__ import annotations

from typing import Any

import pytest

from pegboard.services.template_checks import FormulaProblem, check_formula, formula_problems

PARAMETERS: list[dict[str, Any]] = [
    {"name": "length_m", "kind": "number", "min": 1.2, "max": 60, "default": "2.4"},
    {"name": "finish", "kind": "choice", "choices": ["white", "black"], "default": "white"},
    {"name": "runs", "kind": "number", "min": 0, "max": 10},
]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("ceil(length_m / 2.4)", "quantity"),
        ("2", "quantity"),
        ("finish == 'black'", "condition"),
        ("", "condition"),
        ("0.1 + 0.04 * length_m", "hours"),
        ("length_m * 10", "value"),
        ("10 / runs", "quantity"),  # no default for runs: only parsed and bounded
    ],
)
def test_a_formula_saving_would_take_has_no_message(text: str, place: Any) -> None:
    assert check_formula(text, PARAMETERS, place=place) is None


@pytest.mark.parametrize(
    ("text", "place", "message"),
    [
        ("lenght_m * 2", "quantity", "unknown parameter(s): lenght_m"),
        ("length_m +", "quantity", "not a valid expression (SyntaxError)"),
        ("__import__('os')", "quantity", "only these functions may be called"),
        ("length_m ** 12", "quantity", "can reach about 1e21"),
        ("1 / (length_m - 2.4)", "quantity", "cannot be evaluated: float division by zero"),
        ("length_m", "condition", "a condition must be true or false"),
        ("0", "quantity", "quantity 0: a number > 0"),
        ("-length_m", "quantity", "a quantity must be a number >= 0"),
        ("length_m * 100000", "hours", "at most 100000 hours"),
        ("", "quantity", "enter a number or a formula"),
        ("", "hours", "enter a number or a formula"),
    ],
)
def test_a_formula_saving_would_refuse_says_why(text: str, place: Any, message: str) -> None:
    found = check_formula(text, PARAMETERS, place=place)
    assert found is not None and message in found


def test_a_parameter_row_the_save_would_refuse_still_names_its_parameter() -> None:
    """A bad bound is the row's own error; the formula reading it is not also refused."""
    rows = [{"name": "width", "kind": "number", "min": "wide"}]
    assert check_formula("width * 2", rows) is None
    assert check_formula("height * 2", rows) == "unknown parameter(s): height"


def test_every_bad_formula_of_a_definition_is_found_with_its_row_and_field() -> None:
    definition = {
        "item": "X",
        "parameters": PARAMETERS,
        "lines": [
            {"component": "A", "qty": "ceil(length_m)"},
            {"component": "B", "qty": "length_m +", "condition": "finish"},
            {"component": "C", "qty": 1, "params": {"watts": "lenght_m * 10"}},
        ],
        "operations": [
            {"sequence": 10, "work_center": "SAW", "setup": "0.25", "run": "length_m ** 9"},
            {"sequence": 20, "work_center": "SAW", "run": "0.2", "condition": "runs > 1"},
        ],
    }
    assert formula_problems(definition) == [
        FormulaProblem("lines", 2, "qty", "not a valid expression (SyntaxError)"),
        FormulaProblem("lines", 2, "condition", "gives 'white'; a condition must be true or false"),
        FormulaProblem(
            "lines", 3, "params", "watts = lenght_m * 10: unknown parameter(s): lenght_m"
        ),
        FormulaProblem(
            "operations",
            1,
            "run",
            "length_m ** 9 can reach about 1e16 for values within the parameters' bounds "
            "(a formula works within ±1e+15)",
        ),
    ]
