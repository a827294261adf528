"""The heaviest configurable product the limits allow, on the planned sample company.

Issue #20, item 1: any reader can ask ``POST /api/promise`` or the promise page for a
product a planner saved, so the worst template that can be saved is what a hostile
or careless one costs the server. Every line has its own bought component, and a
quantity formula and a condition each as long as a formula may be (powers with
fractional exponents, the dearest operation), as many lines as one configuration's
formula budget allows.
"""

from __future__ import annotations

from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import company_data, planning, templates
from pegboard.services.configurator import MAX_FORMULA_PARTS
from pegboard.services.dataset import ItemRow
from pegboard.services.formula import Formula, FormulaError

HOSTILE = "HOSTILE-RUN"


def _largest_formula(term: str, join: str, wrap: str) -> str:
    """``wrap`` around as many ``term``s joined by ``join`` as one formula may hold."""
    parts = [term]
    while True:
        try:
            Formula.parse(wrap.format(join.join([*parts, term])))
        except FormulaError:
            return wrap.format(join.join(parts))
        parts.append(term)


def hostile_template() -> tuple[dict[str, object], list[ItemRow]]:
    """The template and the bought items its lines use."""
    qty = _largest_formula("max(x,1.5)**1.5", "+", "ceil({})")
    condition = _largest_formula("max(x,1.5)**0.5", "+", "{}>=0")
    per_line = Formula.parse(qty).parts + Formula.parse(condition).parts
    lines, parts = [], []
    for n in range(MAX_FORMULA_PARTS // per_line):
        code = f"HOSTILE-P{n:04d}"
        parts.append(ItemRow(code, "", "buy", "mts", "ea", 5, "lfl", None, None, 0, 0, 0, 1.0, ""))
        lines.append({"component": code, "qty": qty, "condition": condition})
    template = {
        "item": HOSTILE,
        "parameters": [{"name": "x", "kind": "number", "min": 0, "max": 100, "default": "50"}],
        "lines": lines,
    }
    return template, parts


def load_hostile_company(engine: Engine) -> int:
    """The lighting sample with the hostile product, planned; returns its line count."""
    template, parts = hostile_template()
    data = read_bundle(demo_path("lighting"))
    top = ItemRow(HOSTILE, "", "make", "mto", "ea", 2, "lfl", None, None, 0, 0, 0, 1.0, "")
    data.items = [*data.items, top, *parts]
    factory = db.session_factory(engine)
    with factory() as s:
        company_data.replace_company(s, data, author="test")
    with factory() as s:
        templates.define_template(s, template, author="test")
    with factory() as s:
        planning.run_plan(s, author="test")
    return len(parts)
