"""Configurable templates in the browser: the list, a new one, and the editor.

A template is an item's engineering BOM with parameters: its formula lines and its
routing lines are formulas of them (``services.templates``). The editor is one form
(``template_form``); saving goes through ``templates.define_template`` with the
rules, bounds, formula budget and audit of ``pegboard template define`` and
``POST /api/templates``. Each formula is checked as it is typed
(``POST /templates/check``, answered with its message from
``services.template_checks``), and again, every one of them, when the form is
saved, so the form works the same without scripts: the errors show next to their
fields and what was typed is kept.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import NotFoundError, PegboardError
from pegboard.services import capacity, items, template_checks, templates
from pegboard.services.permissions import Permission
from pegboard.web import auth, template_form
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.plan import PAGE_SIZE, offset_of, pager
from pegboard.web.render import Form, chrome, page, redirect
from pegboard.web.template_form import EditorForm

router = APIRouter(include_in_schema=False)
Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change templates.")),
]


@router.get("/templates")
def templates_home(
    request: Request,
    session: DbSession,
    who: Viewer,
    q: str | None = None,
    offset: str | None = None,
    saved: str | None = None,
) -> Response:
    """The templates, by item, a page at a time, optionally those whose item holds ``q``."""
    search = (q or "").strip()[:100]
    start = offset_of(offset)
    rows, total = templates.template_page(session, q=search or None, limit=PAGE_SIZE, offset=start)
    context = chrome(who, "templates") | {
        "title": "Templates",
        "rows": rows,
        "q": search,
        "pager": pager("/templates", {"q": search} if search else {}, start, total),
        "may_edit": may(who, Permission.MASTER_DATA),
        "notice": f"Template of {saved} saved." if saved else None,
    }
    return page(request, "templates_list.html", context)


@router.get("/templates/new")
def new_template(request: Request, session: DbSession, who: Keeper) -> Response:
    return _editor(request, session, who, EditorForm().padded())


@router.get("/templates/{item}")
def edit_template(request: Request, session: DbSession, who: Viewer, item: str) -> Response:
    """The editor of ``item``'s template (or of its plain BOM, which parameters make a
    template); read-only for a role that may not change it."""
    definition = templates.template_definition(session, item)
    described = items.get_item(session, item).description
    form = template_form.from_definition(definition, description=described)
    return _editor(request, session, who, form)


@router.post("/templates")
def save_template(request: Request, session: DbSession, who: Keeper, posted: Form) -> Response:
    """Save the template (or, for "More rows", show the form again with more blank rows).

    Every formula is checked first, each next to its field; then the service checks
    and saves the whole, all or nothing, its refusal shown next to the row it names."""
    form = template_form.from_post(posted)
    if posted.get("act") == "rows":
        return _editor(request, session, who, form.padded())
    try:
        definition = template_form.definition(form)
    except template_form.FieldError as e:
        template_form.place_error(form, e, sentence(e.message))
        return _editor(request, session, who, form, error=sentence(e.message), status=422)
    if form.new and templates.has_engineering_bom(session, form.item):
        error = f"{form.item} has a BOM already: open it from the list to change it."
        form.errors["item"] = error
        return _editor(request, session, who, form, error=error, status=409)
    problems = template_checks.formula_problems(definition)
    if problems:
        template_form.place_problems(form, problems)
        count = f"{len(problems)} formulas" if len(problems) > 1 else "A formula"
        error = f"{count} cannot be saved; see the marked fields."
        return _editor(request, session, who, form, error=error, status=422)
    try:
        templates.define_template(session, definition, author=who.user.name)
    except PegboardError as e:
        status = refused_change(session, e)
        template_form.place_error(form, e, sentence(e.message))
        return _editor(request, session, who, form, error=sentence(e.message), status=status)
    return redirect(f"/templates/{quote(form.item, safe='')}?{urlencode({'saved': '1'})}")


@router.post("/templates/check")
def check_formula(request: Request, who: Keeper, posted: Form, field: str = "") -> Response:
    """One formula of the editor checked as it is typed: the form is posted whole (its
    parameters are what the formula may read); the answer is the field's message element,
    empty when the formula would be saved."""
    form = template_form.from_post(posted)
    section, _, rest = field.partition("-")
    row, _, name = rest.partition("-")
    place = template_form.FORMULA_FIELDS.get((section, name))
    rows = form.rows.get(section, [])
    if place is None or not row.isdigit() or int(row) >= len(rows):
        raise NotFoundError(f"no formula field {field[:40]!r} in the template form")
    text = rows[int(row)][name]
    message = template_checks.check_formula(text, template_form.parameters(form), place=place)
    context = {"field": field, "message": sentence(message) if message else ""}
    return page(request, "_formula_check.html", context)


def _editor(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    form: EditorForm,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    saved = request.query_params.get("saved") == "1" and error is None
    context: dict[str, Any] = chrome(who, "templates") | {
        "title": "New template" if form.new else f"Template {form.item}",
        "form": form,
        "error": error,
        "notice": f"Template of {form.item} saved." if saved else None,
        "may_edit": may(who, Permission.MASTER_DATA),
        "work_centers": [wc.code for wc in capacity.list_work_centers(session)],
        "kinds": ("number", "choice", "bool"),
        "max_rows": template_form.MAX_ROWS,
    }
    return page(request, "templates_editor.html", context, status_code=status)
