"""The engineering BOM's tree editor on the item page: add a line, and for each line of
any level save its quantity and scrap, move it up, down or under another item, or
remove it (after a page that asks, naming the line). Plain forms (each line one form, the
button says what to do), so they work
from the keyboard and without JavaScript; every change is ``services.bom_edit``'s, with
its rules (a cycle refused with its items named) and audit. A refusal shows the item
page again with the message beside the BOM and what was typed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pegboard.errors import PegboardError, ValidationError
from pegboard.services import bom_edit
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, require
from pegboard.web.items import item_url, render_item
from pegboard.web.render import Form, chrome, form_text, page, redirect

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


def _refused(
    request: Request,
    session: Any,
    who: auth.SignedIn,
    back: str,
    e: PegboardError,
    typed: dict[str, str],
) -> Response:
    field = e.params.get("field")
    return render_item(
        request,
        session,
        who,
        back,
        bom_error=e.message + ".",
        bom_field=field if isinstance(field, str) else "",
        bom_typed=typed,
        status_code=409 if "cycle" in e.params else 422,
    )


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
    try:
        bom_edit.add_line(
            session,
            parent,
            component=typed["component"].strip(),
            qty_per=_number(typed["qty_per"], "qty_per"),
            scrap_pct=_number(typed["scrap_pct"] or "0", "scrap_pct"),
            author=who.user.name,
        )
    except PegboardError as e:
        return _refused(request, session, who, back, e, typed)
    return redirect(item_url(back) + "?saved=bom#bom")


@router.post("/items/{code}/bom/{position}")
def change_line(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str, position: int
) -> Response:
    back = _back(posted, code)
    action = form_text(posted, "action") or "save"
    author = who.user.name
    if action == "remove" and form_text(posted, "confirm") != "yes":
        return _confirm_removal(request, session, who, back, code, position)
    try:
        if action == "remove":
            bom_edit.remove_line(session, code, position, author=author)
        elif action in ("up", "down"):
            bom_edit.move_line(
                session, code, position, "up" if action == "up" else "down", author=author
            )
        elif action == "move":
            target = (form_text(posted, "new_parent") or "").strip()
            if not target:
                raise ValidationError("name the item to move the line under", field="new_parent")
            bom_edit.move_line_to(session, code, position, target, author=author)
        else:
            bom_edit.change_line(
                session,
                code,
                position,
                qty_per=_number(form_text(posted, "qty_per"), "qty_per"),
                scrap_pct=_number(form_text(posted, "scrap_pct") or "0", "scrap_pct"),
                author=author,
            )
    except PegboardError as e:
        return _refused(request, session, who, back, e, {})
    return redirect(item_url(back) + "?saved=bom#bom")


def _confirm_removal(
    request: Request, session: Any, who: auth.SignedIn, back: str, code: str, position: int
) -> Response:
    """The question before a line goes: which line, under which item, and what stays."""
    try:
        line = bom_edit.line_view(session, code, position)
    except PegboardError as e:
        return _refused(request, session, who, back, e, {})
    context = chrome(who, "items") | {
        "title": f"Remove {line.component} from {line.parent}?",
        "line": line,
        "back": back,
        "action_url": f"{item_url(code)}/bom/{position}",
        "back_url": item_url(back) + "#bom",
    }
    return page(request, "bom_remove.html", context)
