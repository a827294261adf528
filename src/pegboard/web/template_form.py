"""The template editor's form: rows of text fields to and from a template definition.

The form is a page of three tables (parameters, BOM lines, routing lines), one row
per entry plus a few blank rows to add to; a blank row is left out. Each field is
named ``<section>-<row>-<field>`` (``l-3-qty``: the quantity of the third line
row), and the error of a field or a row is kept under the same name, so the page
shows it next to what was typed. What is typed is kept as typed: a refused save
shows the form again exactly as it was sent.

Only the shape is read here (lists of ``name=value`` pairs, numbers typed as
numbers); every rule is the service's (``services.templates``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from pegboard.errors import PegboardError, ValidationError
from pegboard.services.template_checks import FormulaProblem, Place
from pegboard.web.errors import sentence

FIELDS: dict[str, tuple[str, ...]] = {
    "p": ("name", "kind", "label", "unit", "min", "max", "choices", "default"),
    "l": ("component", "choice", "options", "qty", "scrap", "condition", "params"),
    "o": ("sequence", "work_center", "description", "setup", "run", "condition", "queue", "move"),
}
"""The fields of a row of each section: ``p`` parameters, ``l`` BOM lines, ``o`` routing lines."""
SECTIONS = {"p": "parameters", "l": "lines", "o": "operations"}
BLANK_ROWS = {"p": 2, "l": 3, "o": 2}
"""Blank rows offered to add to each section ("More rows" adds as many again)."""
MAX_ROWS = {"p": 30, "l": 60, "o": 30}
"""Rows one form holds at most (within the pages' limit of fields a form may post);
a larger template is defined from a file (``pegboard template define``) or the API."""
DEFAULT_FIELDS = {"kind": "number"}
"""Fields a blank row is sent with anyway (a select's first choice)."""
FORMULA_FIELDS: dict[tuple[str, str], Place] = {
    ("l", "qty"): "quantity",
    ("l", "condition"): "condition",
    ("o", "setup"): "hours",
    ("o", "run"): "hours",
    ("o", "condition"): "condition",
}
"""The fields holding one formula each, checked as they are typed, and their place."""


@dataclass
class EditorForm:
    """The editor's fields as text, the row errors and field errors by name."""

    item: str = ""
    description: str = ""
    new: bool = True
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def padded(self, extra: int = 1) -> EditorForm:
        """The form with ``extra`` times the blank rows added to each section (within
        ``MAX_ROWS``)."""
        for s, count in BLANK_ROWS.items():
            rows = self.rows.setdefault(s, [])
            room = MAX_ROWS[s] - len(rows)
            rows.extend(_blank(s) for _ in range(max(0, min(room, count * extra))))
        return self

    def used(self, section: str) -> list[int]:
        """The indexes (0-based) of the rows of ``section`` that are not blank."""
        return [i for i, row in enumerate(self.rows.get(section, [])) if not _is_blank(row)]


def _blank(section: str) -> dict[str, str]:
    return {name: DEFAULT_FIELDS.get(name, "") for name in FIELDS[section]}


def _is_blank(row: Mapping[str, str]) -> bool:
    return all(not value.strip() or DEFAULT_FIELDS.get(k) == value for k, value in row.items())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pairs(mapping: Mapping[str, Any], joint: str) -> str:
    return joint.join(f"{k}={_text(v)}" for k, v in mapping.items())


# --------------------------------------------------------------------------- from a definition


def from_definition(definition: Mapping[str, Any], *, description: str) -> EditorForm:
    """The form of a saved template (``templates.template_definition``), with blank rows."""
    params = [
        {
            "name": _text(p.get("name")),
            "kind": _text(p.get("kind") or "number"),
            "label": _text(p.get("label")),
            "unit": _text(p.get("unit")),
            "min": _text(p.get("min")),
            "max": _text(p.get("max")),
            "choices": ", ".join(_text(c) for c in p.get("choices") or []),
            "default": _text(p.get("default")),
        }
        for p in definition.get("parameters") or []
    ]
    lines = [
        {
            "component": _text(line.get("component")),
            "choice": _text(line.get("choice")),
            "options": _pairs(line.get("options") or {}, ", "),
            "qty": _text(line.get("qty", 1)),
            "scrap": _text(line.get("scrap_pct")),
            "condition": _text(line.get("condition")),
            "params": _pairs(line.get("params") or {}, "; "),
        }
        for line in definition.get("lines") or []
    ]
    operations = [
        {
            "sequence": _text(op.get("sequence")),
            "work_center": _text(op.get("work_center")),
            "description": _text(op.get("description")),
            "setup": _text(op.get("setup", 0)),
            "run": _text(op.get("run", 0)),
            "condition": _text(op.get("condition")),
            "queue": _text(op.get("queue_days") or ""),
            "move": _text(op.get("move_days") or ""),
        }
        for op in definition.get("operations") or []
    ]
    form = EditorForm(
        item=_text(definition.get("item")),
        description=description,
        new=False,
        rows={"p": params, "l": lines, "o": operations},
    )
    return form.padded()


# --------------------------------------------------------------------------- from the post


def _count(form: FormData, section: str) -> int:
    raw = form.get(f"{section}_rows")
    try:
        count = int(raw) if isinstance(raw, str) else 0
    except ValueError:
        count = 0
    return max(0, min(count, MAX_ROWS[section]))


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:2000] if isinstance(value, str) else ""


def from_post(form: FormData) -> EditorForm:
    """The form as posted (each section's row count in ``<section>_rows``)."""
    rows = {
        s: [
            {name: _field(form, f"{s}-{i}-{name}") for name in names}
            for i in range(_count(form, s))
        ]
        for s, names in FIELDS.items()
    }
    return EditorForm(
        item=_field(form, "item").strip(),
        description=_field(form, "description").strip(),
        new=_field(form, "new") == "1",
        rows=rows,
    )


# --------------------------------------------------------------------------- to a definition


class FieldError(ValidationError):
    """A field whose shape cannot be read (``options`` without ``=``): ``name`` is the field."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message, field=name)
        self.name = name


def _number_or_text(text: str) -> float | str:
    """A plain number typed as a quantity is a number (a fixed quantity), else a formula."""
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _split_pairs(text: str, separator: str, name: str, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(separator)):
        if not part:
            continue
        key, equals, value = part.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise FieldError(name, f"{what}: {part!r} is not name=value")
        out[key.strip()] = value.strip()
    return out


def _parameter(row: Mapping[str, str]) -> dict[str, Any]:
    choices = [c.strip() for c in row["choices"].split(",") if c.strip()]
    out: dict[str, Any] = {"name": row["name"].strip(), "kind": row["kind"].strip() or "number"}
    for key in ("label", "unit", "min", "max", "default"):
        if row[key].strip():
            out[key] = row[key].strip()
    if choices:
        out["choices"] = choices
    return out


def _line(row: Mapping[str, str], i: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row["component"].strip():
        out["component"] = row["component"].strip()
    if row["choice"].strip() or row["options"].strip():
        out["choice"] = row["choice"].strip()
        options = _split_pairs(row["options"], ",", f"l-{i}-options", "options")
        out["options"] = options
    out["qty"] = _number_or_text(row["qty"].strip())
    if row["scrap"].strip():
        out["scrap_pct"] = row["scrap"].strip()
    if row["condition"].strip():
        out["condition"] = row["condition"].strip()
    if row["params"].strip():
        out["params"] = _split_pairs(row["params"], ";", f"l-{i}-params", "passed down")
    return out


def _operation(row: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"work_center": row["work_center"].strip()}
    if row["sequence"].strip():
        out["sequence"] = row["sequence"].strip()
    for key, name in (("description", "description"), ("condition", "condition")):
        if row[key].strip():
            out[name] = row[key].strip()
    out["setup"] = row["setup"].strip() or "0"
    out["run"] = row["run"].strip()
    for key, name in (("queue", "queue_days"), ("move", "move_days")):
        if row[key].strip():
            out[name] = row[key].strip()
    return out


def parameters(form: EditorForm) -> list[dict[str, Any]]:
    """The definition's parameters: the rows that are not blank."""
    return [_parameter(form.rows["p"][i]) for i in form.used("p")]


def definition(form: EditorForm) -> dict[str, Any]:
    """The definition ``templates.define_template`` takes, from the rows that are not
    blank; a field of a shape that cannot be read raises ``FieldError``."""
    out: dict[str, Any] = {
        "item": form.item,
        "parameters": parameters(form),
        "lines": [_line(form.rows["l"][i], i) for i in form.used("l")],
        "operations": [_operation(form.rows["o"][i]) for i in form.used("o")],
    }
    if form.description:
        out["description"] = form.description
    return out


# --------------------------------------------------------------------------- errors to fields

_WHERE = re.compile(r"\b(parameter|routing line|line) (\d+)\b")


def _row_of_sequence(form: EditorForm, sequence: object) -> int | None:
    for i in form.used("o"):
        if form.rows["o"][i]["sequence"].strip() == str(sequence):
            return i
    return None


def place_error(form: EditorForm, error: PegboardError, message: str) -> None:
    """Put the service's refusal next to the row (or the field) it names, found by its
    parameters (``line``, ``routing_line``, ``parameter``) or the place its message
    starts with (``parameter 2: …``); the page shows it on top as well."""
    params = error.params
    if isinstance(error, FieldError):
        form.errors[error.name] = message
        return
    if params.get("field") == "item":
        form.errors["item"] = message
        return
    key = _row_key(form, params, error.message)
    if key is not None:
        form.errors[key] = message


def _row_key(form: EditorForm, params: Mapping[str, Any], text: str) -> str | None:
    if isinstance(params.get("line"), int):
        used = form.used("l")
        n = params["line"]
        return f"l-{used[n - 1]}" if 0 < n <= len(used) else None
    if "routing_line" in params:
        row = _row_of_sequence(form, params["routing_line"])
        return None if row is None else f"o-{row}"
    found = _WHERE.search(text)
    if found is not None:
        section = {"parameter": "p", "line": "l", "routing line": "o"}[found.group(1)]
        used = form.used(section)
        n = int(found.group(2))
        if section == "o" and text.lstrip().startswith(form.item):
            row = _row_of_sequence(form, n)  # the configurator names it by its sequence
            return None if row is None else f"o-{row}"
        return f"{section}-{used[n - 1]}" if 0 < n <= len(used) else None
    if "parameter" in params:
        for i in form.used("p"):
            if form.rows["p"][i]["name"].strip() == params["parameter"]:
                return f"p-{i}"
    return None


def place_problems(form: EditorForm, problems: Sequence[FormulaProblem]) -> None:
    """Bad formulas next to their fields (a problem names the row of the definition)."""
    for problem in problems:
        s = {"lines": "l", "operations": "o"}[problem.section]
        used = form.used(s)
        if 0 < problem.row <= len(used):
            form.errors[f"{s}-{used[problem.row - 1]}-{problem.field}"] = sentence(problem.message)
