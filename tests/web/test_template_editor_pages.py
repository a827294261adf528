"""The configurable-template editor in the browser's shape (issue #19 item 1).

The pages post what a browser posts: the editor's own form, read from its HTML, with
fields changed as a planner would type them. Saving goes through
``templates.define_template`` (rules, bounds, formula budget, audit); each formula is
also checked on its own, as typed (``POST /templates/check``) and again on save, with
the message next to its field.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _login import post_login
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import ItemType, Role, Strategy
from pegboard.services import audit, company_data, items, templates
from pegboard.services.formula import Formula

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INPUT = re.compile(r'<input type="(?:text|hidden)" id="[^"]*" name="([^"]+)" value="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
SELECT = re.compile(r'<select id="([^"]+)" name="[^"]+"[^>]*>(.*?)</select>', re.S)


@pytest.fixture
def company(engine: Engine) -> Iterator[Engine]:
    """The lighting sample, loaded (not planned: the editor needs no plan), and a made
    item with no BOM yet, to be given a template."""
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
        items.create_item(
            s,
            "LR-NEW",
            {"type": ItemType.MAKE, "strategy": Strategy.MTO, "description": "New linear"},
            author="test",
        )
    yield engine


def _fields(page: str) -> dict[str, str]:
    """The fields a browser would post from the editor's form, as shown."""
    found = {k: html.unescape(v) for k, v in HIDDEN.findall(page)}
    found |= {k: html.unescape(v) for k, v in INPUT.findall(page)}
    for name, options in SELECT.findall(page):
        chosen = re.search(r'<option value="([^"]+)" selected', options)
        found[name] = chosen.group(1) if chosen else "number"
    return found


def _error_of(page: str, field: str) -> str:
    found = re.search(rf'id="err-{field}"[^>]*>([^<]*)<', page)
    assert found, f"no message element for {field}"
    return html.unescape(found.group(1)).strip()


def _definition(engine: Engine, item: str) -> dict[str, object]:
    with db.session_factory(engine)() as s:
        return templates.template_definition(s, item)


def _new_template_form(token: str) -> dict[str, str]:
    """A new template of LR-NEW: one parameter, a formula line, a fixed line and a
    routing line, as typed into the blank rows of ``/templates/new``."""
    return {
        "csrf_token": token,
        "new": "1",
        "p_rows": "2",
        "l_rows": "3",
        "o_rows": "2",
        "item": "LR-NEW",
        "p-0-name": "length_m",
        "p-0-kind": "number",
        "p-0-label": "Run length",
        "p-0-unit": "m",
        "p-0-min": "0.5",
        "p-0-max": "20",
        "p-0-default": "2",
        "p-1-kind": "number",
        "l-0-component": "BODY-7040",
        "l-0-qty": "ceil(length_m / 2)",
        "l-1-component": "LR-7040",
        "l-1-qty": "1",
        "l-1-condition": "length_m > 10",
        "o-0-sequence": "10",
        "o-0-work_center": "LED-ASM",
        "o-0-setup": "0.5",
        "o-0-run": "0.1 * length_m",
        "act": "save",
    }


def test_a_new_template_is_saved_with_its_parameter_formula_line_and_routing_line(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    token = log_in("pat")
    blank = web.get("/templates/new")
    assert blank.status_code == 200
    shown = _fields(blank.text)
    assert shown["p_rows"] == "2" and shown["l_rows"] == "3" and shown["item"] == ""

    saved = web.post("/templates", data=_new_template_form(token), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/templates/LR-NEW?saved=1"
    assert "Template of LR-NEW saved." in web.get(saved.headers["location"]).text

    assert _definition(company, "LR-NEW") == {
        "item": "LR-NEW",
        "parameters": [
            {"name": "length_m", "kind": "number", "label": "Run length", "unit": "m"}
            | {"default": "2", "min": 0.5, "max": 20}
        ],
        "lines": [
            {"component": "BODY-7040", "qty": "ceil(length_m / 2)"},
            {"component": "LR-7040", "qty": 1, "condition": "length_m > 10"},
        ],
        "operations": [
            {"sequence": 10, "work_center": "LED-ASM", "setup": 0.5} | {"run": "0.1 * length_m"}
        ],
    }
    with db.session_factory(company)() as s:
        entry = audit.history(s, entity="bom", ref="BOM-LR-NEW", limit=1)[0]
    assert (entry.author, entry.action) == ("pat", "define_template")
    listed = web.get("/templates?q=new").text
    assert 'href="/templates/LR-NEW"' in listed and "length_m (m)" in listed
    assert "LR-7040" not in re.sub(r"<form.*?</form>", "", listed, flags=re.S)


def test_a_template_saved_again_unchanged_keeps_its_definition(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    log_in("pat")
    before = _definition(company, "LR-7040")
    editor = web.get("/templates/LR-7040")
    assert editor.status_code == 200
    fields = _fields(editor.text)
    assert set(fields["l-0-params"].split("; ")) == {"finish=finish", "length_m=length_m"}
    saved = web.post("/templates", data=fields | {"act": "save"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    # the one change: the emergency kit's quantity, the formula "1", is typed as the
    # number 1, a fixed quantity (the same quantity: the form cannot tell them apart)
    assert before["lines"][6] == {  # type: ignore[index]
        "component": "SA-EMG-KIT-3H",
        "qty": "1",
        "condition": "emergency == 'yes'",
    }
    before["lines"][6]["qty"] = 1  # type: ignore[index]
    assert _definition(company, "LR-7040") == before


def test_bad_formulas_show_next_to_their_fields_and_nothing_is_saved(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    log_in("pat")
    before = _definition(company, "LR-7040")
    fields = _fields(web.get("/templates/LR-7040").text)
    typed = fields | {"l-0-qty": "lenght_m * 2", "o-0-run": "length_m ** 40", "act": "save"}
    refused = web.post("/templates", data=typed)
    assert refused.status_code == 422
    assert "2 formulas cannot be saved; see the marked fields." in refused.text
    assert _error_of(refused.text, "l-0-qty") == "Unknown parameter(s): lenght_m."
    assert "can reach about" in _error_of(refused.text, "o-0-run")
    assert 'value="lenght_m * 2"' in refused.text  # what was typed is kept
    assert 'aria-describedby="err-l-0-qty" aria-invalid="true"' in refused.text
    assert _definition(company, "LR-7040") == before


def test_the_formula_is_checked_as_it_is_typed(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    log_in("pat")
    page = web.get("/templates/LR-7040").text
    assert 'hx-post="/templates/check?field=l-0-qty"' in page
    assert 'hx-trigger="keyup changed delay:300ms"' in page
    fields = _fields(page)

    def check(field: str, text: str) -> str:
        answer = web.post(f"/templates/check?field={field}", data=fields | {field: text})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        return html.unescape(answer.text).strip()

    assert check("l-0-qty", "ceil(length_m / 2.24)") == ""
    assert check("l-0-qty", "import os") == "Not a valid expression (SyntaxError)."
    assert check("l-0-condition", "finish") == "Gives 'white'; a condition must be true or false."
    assert check("o-0-run", "length_m * 1e5") == (
        "Gives 224000 with the defaults; at most 100000 hours."
    )
    # the parameters are the form's, as typed: a parameter renamed is no longer known
    renamed = fields | {"p-0-name": "len"}
    answer = web.post("/templates/check?field=l-0-qty", data=renamed | {"l-0-qty": "length_m"})
    assert "Unknown parameter(s): length_m." in answer.text
    # text is text: markup typed into a formula comes back escaped, never as markup
    typed = fields | {"l-0-qty": '"><b>x', "act": "save"}
    shown = web.post("/templates", data=typed)
    assert shown.status_code == 422 and "<b>x" not in shown.text
    assert 'value="&#34;&gt;&lt;b&gt;x"' in shown.text
    assert web.post("/templates/check?field=l-0-component", data=fields).status_code == 404
    assert web.post("/templates/check?field=l-99-qty", data=fields).status_code == 404


def test_a_refusal_of_the_service_shows_on_its_row(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    token = log_in("pat")
    form = _new_template_form(token)
    unknown = web.post("/templates", data=form | {"l-1-component": "NO-SUCH"})
    assert unknown.status_code == 422
    assert "Template LR-NEW: unknown item(s) NO-SUCH." in unknown.text
    wrong_center = web.post("/templates", data=form | {"o-0-work_center": "NOWHERE"})
    assert wrong_center.status_code == 422
    assert "Row 1: Template LR-NEW routing line 10: unknown work center &#39;NOWHERE&#39;" in (
        wrong_center.text
    )
    bad_bound = web.post("/templates", data=form | {"p-0-min": "short"})
    assert bad_bound.status_code == 422
    assert "Row 1: Parameter 1: min must be a number, not &#39;short&#39;." in bad_bound.text
    options = web.post("/templates", data=form | {"l-2-choice": "finish", "l-2-options": "white"})
    assert options.status_code == 422
    assert _error_of(options.text, "l-2-options") == "Options: 'white' is not name=value."
    taken = web.post("/templates", data=form | {"item": "LR-7040"})
    assert taken.status_code == 409
    assert _error_of(taken.text, "item") == (
        "LR-7040 has a BOM already: open it from the list to change it."
    )
    bought = web.post("/templates", data=form | {"item": "CAP-7040-W"})
    assert bought.status_code == 422
    assert "CAP-7040-W is bought, so it cannot have a BOM." in bought.text
    assert _definition_missing(company, "LR-NEW")


def test_the_formula_budget_refuses_a_template_as_the_cli_does(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    """60 lines each evaluating five formulas of ~190 parts: more than one configuration
    may evaluate, though every formula alone is fine."""
    token = log_in("pat")
    heavy = "max(" + ",".join(["x"] * 90) + ")"
    assert 150 < Formula.parse(heavy).parts <= 200
    form = _new_template_form(token) | {"l_rows": "60", "p-0-name": "x", "o-0-run": "0.1"}
    passed = "; ".join(f"p{k}={heavy}" for k in range(4))
    for i in range(60):
        form |= {f"l-{i}-component": "BODY-7040", f"l-{i}-qty": heavy, f"l-{i}-params": passed}
    form["l-1-condition"] = ""
    refused = web.post("/templates", data=form)
    assert refused.status_code == 422
    assert "one configuration may evaluate: use fewer lines or shorter formulas" in refused.text
    assert _definition_missing(company, "LR-NEW")


def _definition_missing(engine: Engine, item: str) -> bool:
    with db.session_factory(engine)() as s:
        return s.scalars(templates.template_query(q=item)).all() == []


def test_a_viewer_reads_a_template_but_may_not_change_or_check_it(
    web: TestClient, make_user: Callable[..., None], company: Engine
) -> None:
    make_user("vic", Role.VIEWER)
    page = post_login(web, {"name": "vic", "password": "correct horse battery"})
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    shown = web.get("/templates/LR-7040")
    assert shown.status_code == 200 and "Save template" not in shown.text
    assert "may read this template but not change it" in shown.text
    assert web.get("/templates/new").status_code == 403
    form = _new_template_form(token)
    assert web.post("/templates", data=form).status_code == 403
    assert web.post("/templates/check?field=l-0-qty", data=form).status_code == 403
    assert _definition_missing(company, "LR-NEW")
