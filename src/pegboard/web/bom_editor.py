"""The engineering BOM's tree editor on the item page: add a line, and for each line of
any level save its quantity and scrap, move it up, down or under another item, or
remove it (after a question naming the line). Plain forms (each line one form, the
button says what to do), so they work from the keyboard and without JavaScript; every
change is ``services.bom_edit``'s, with its rules (a cycle refused with its items
named) and audit.

With htmx (the forms' ``hx-post``) a change answers with the BOM section alone, swapped
in place with a message saying what was done (or, refused, why, beside what was typed);
removing asks its question in the section too. Without it, a change redirects to the
item page and a refusal shows the item page again, so both paths apply the same
service call and show the same messages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pegboard.errors import PegboardError, ValidationError
from pegboard.services import bom_edit, items
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.items import item_url, render_item
from pegboard.web.render import Form, chrome, form_text, number, page, redirect

router = APIRouter(include_in_schema=False)

Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change BOMs.")),
]
ACTIONS = ("save", "up", "down", "move", "remove")


def _number(text: str | None, name: str) -> float:
    value = (text or "").strip().replace(",", "")
    try:
        return float(value)
    except ValueError:
        raise ValidationError(f"{name} must be a number, not {value!r}", field=name) from None


def _back(posted: Any, code: str) -> str:
    """The item page the editor was on (the top of the tree), else this BOM's item."""
    return (form_text(posted, "back") or code).strip() or code


def _htmx(request: Request) -> bool:
    """Asked by htmx for the section alone (not a history restore, which wants a page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def section(
    request: Request,
    session: Any,
    who: auth.SignedIn,
    back: str,
    *,
    done: str | None = None,
    error: PegboardError | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The BOM section of ``back``'s item page alone (``_bom_tree.html``), as htmx swaps
    it: the tree after the change, with ``done`` or the refusal beside its field."""
    field = error.params.get("field") if error else None
    context = {
        "csrf_token": who.csrf_token,
        "item": items.get_item(session, back),
        "tree": bom_edit.bom_tree(session, back),
        "may_edit": may(who, Permission.MASTER_DATA),
        "bom_done": done,
        "bom_error": error.message + "." if error else None,
        "bom_field": field if isinstance(field, str) else "",
        "bom_typed": typed or {},
        "item_url": item_url,
    }
    return page(request, "_bom_tree.html", context, status_code=status_code)


def _refused(
    request: Request,
    session: Any,
    who: auth.SignedIn,
    back: str,
    e: PegboardError,
    typed: dict[str, str],
) -> Response:
    status = 409 if "cycle" in e.params else 422
    if _htmx(request):
        return section(request, session, who, back, error=e, typed=typed, status_code=status)
    field = e.params.get("field")
    return render_item(
        request,
        session,
        who,
        back,
        bom_error=e.message + ".",
        bom_field=field if isinstance(field, str) else "",
        bom_typed=typed,
        status_code=status,
    )


def _changed(request: Request, session: Any, who: auth.SignedIn, back: str, done: str) -> Response:
    """What a saved change answers: the section with ``done`` for htmx, else the item
    page again (a redirect, so a reload does not post twice)."""
    if _htmx(request):
        return section(request, session, who, back, done=done)
    return redirect(item_url(back) + "?saved=bom#bom")


@router.get("/items/{code}/bom")
def bom_section(request: Request, session: DbSession, who: Viewer, code: str) -> Response:
    """The BOM section alone (htmx: "No, keep the line" puts the tree back); else the
    item page at its BOM."""
    if _htmx(request):
        return section(request, session, who, code)
    return redirect(item_url(code) + "#bom")


@router.post("/items/{code}/bom/add")
def add_line(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str
) -> Response:
    back = _back(posted, code)
    typed = {
        n: (form_text(posted, n) or "")[:100]
        for n in ("parent", "component", "qty_per", "scrap_pct")
    }
    parent = typed["parent"].strip() or code
    component = typed["component"].strip()
    try:
        qty = _number(typed["qty_per"], "qty_per")
        bom_edit.add_line(
            session,
            parent,
            component=component,
            qty_per=qty,
            scrap_pct=_number(typed["scrap_pct"] or "0", "scrap_pct"),
            author=who.user.name,
        )
    except PegboardError as e:
        return _refused(request, session, who, back, e, typed)
    return _changed(request, session, who, back, f"{component} × {number(qty)} added to {parent}.")


@router.post("/items/{code}/bom/{position}")
def change_line(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str, position: int
) -> Response:
    back = _back(posted, code)
    action = form_text(posted, "action") or "save"
    if action == "remove" and form_text(posted, "confirm") != "yes":
        return _confirm_removal(request, session, who, back, code, position)
    try:
        line = bom_edit.line_view(session, code, position)
        done = _apply(session, line, action, posted, author=who.user.name)
    except PegboardError as e:
        return _refused(request, session, who, back, e, {})
    return _changed(request, session, who, back, done)


def _apply(session: Any, line: bom_edit.LineView, action: str, posted: Any, *, author: str) -> str:
    """Make the change the button asks for on ``line``; what was done, as a sentence."""
    code, position, what = line.parent, line.position, line.component
    if action == "remove":
        bom_edit.remove_line(session, code, position, author=author)
        return f"{what} removed from {code}."
    if action in ("up", "down"):
        direction: Literal["up", "down"] = "up" if action == "up" else "down"
        if bom_edit.move_line(session, code, position, direction, author=author) == position:
            end = "first" if direction == "up" else "last"
            return f"{what} is the {end} line of {code} already: nothing moved."
        return f"{what} moved {direction} in {code}."
    if action == "move":
        target = (form_text(posted, "new_parent") or "").strip()
        if not target:
            raise ValidationError("name the item to move the line under", field="new_parent")
        bom_edit.move_line_to(session, code, position, target, author=author)
        if target == code:
            return f"{what} is in {code} already: nothing moved."
        return f"{what} moved from {code} to {target}."
    qty = _number(form_text(posted, "qty_per"), "qty_per")
    scrap = _number(form_text(posted, "scrap_pct") or "0", "scrap_pct")
    bom_edit.change_line(session, code, position, qty_per=qty, scrap_pct=scrap, author=author)
    return f"{what} in {code} saved: {number(qty)} per unit, {number(scrap)} % scrap."


def _confirm_removal(
    request: Request, session: Any, who: auth.SignedIn, back: str, code: str, position: int
) -> Response:
    """The question before a line goes: which line, under which item, and what stays
    (htmx: in the BOM section, in place of the tree; else a page of its own)."""
    try:
        line = bom_edit.line_view(session, code, position)
    except PegboardError as e:
        return _refused(request, session, who, back, e, {})
    question = {
        "title": f"Remove {line.component} from {line.parent}?",
        "line": line,
        "back": back,
        "action_url": f"{item_url(code)}/bom/{position}",
        "back_url": item_url(back) + "#bom",
        "section_url": item_url(back) + "/bom",
    }
    if _htmx(request):
        context = question | {"csrf_token": who.csrf_token, "in_section": True}
        return page(request, "_bom_remove_question.html", context)
    return page(request, "bom_remove.html", chrome(who, "items") | question | {"in_section": False})
