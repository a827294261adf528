"""Suppliers in the browser (issue #19 item 1): the list, one supplier's bought items
and open purchase orders, a supplier set as the default of some bought items (how a
new supplier comes to exist: pegboard keeps suppliers as the names items and orders
carry, ``services.suppliers``), and a supplier renamed or merged into another.

Every change goes through ``services.suppliers``, all or nothing and audited; a
refusal shows the form again with what was typed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError
from pegboard.services import suppliers
from pegboard.services.permissions import Permission
from pegboard.services.wording import plural
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.render import Form, chrome, form_text, page, redirect

router = APIRouter(include_in_schema=False)
Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change suppliers.")),
]


def _url(name: str) -> str:
    return "/suppliers/" + quote(name, safe="")


def _codes(text: str) -> list[str]:
    """Item codes typed one per line, or separated by commas or spaces."""
    return [code for code in re.split(r"[\s,;]+", text) if code]


def _list_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    q: str = "",
    typed: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "suppliers") | {
        "title": "Suppliers",
        "rows": suppliers.list_suppliers(session, q=q or None),
        "q": q,
        "typed": typed or {"name": "", "items": ""},
        "error": error,
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    return page(request, "suppliers.html", context, status_code=status)


@router.get("/suppliers")
def suppliers_home(
    request: Request, session: DbSession, who: Viewer, q: str | None = None
) -> Response:
    return _list_page(request, session, who, q=(q or "").strip()[:100])


@router.post("/suppliers")
def assign_supplier(request: Request, session: DbSession, who: Keeper, posted: Form) -> Response:
    """Make the supplier named the default supplier of the bought items listed."""
    typed = {key: (form_text(posted, key) or "").strip()[:20_000] for key in ("name", "items")}
    try:
        changed = suppliers.assign_supplier(
            session, typed["name"], _codes(typed["items"]), author=who.user.name
        )
    except PegboardError as e:
        status = refused_change(session, e)
        return _list_page(
            request, session, who, typed=typed, error=sentence(e.message), status=status
        )
    name = suppliers.clean_name(typed["name"])
    return redirect(f"{_url(name)}?{urlencode({'assigned': str(len(changed))})}")


def _detail_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    name: str,
    *,
    notice: str | None = None,
    typed: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    view = suppliers.get_supplier(session, name)
    context = chrome(who, "suppliers") | {
        "title": f"Supplier {view.name}",
        "supplier": view,
        "notice": notice,
        "typed": typed or {"new_name": "", "merge": False, "items": ""},
        "error": error,
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    return page(request, "supplier.html", context, status_code=status)


@router.get("/suppliers/{name:path}")
def supplier_page(
    request: Request,
    session: DbSession,
    who: Viewer,
    name: str,
    assigned: str | None = None,
    renamed: str | None = None,
) -> Response:
    notice = None
    if assigned is not None and assigned.isdecimal() and len(assigned) <= 9:
        # the count the assign redirect put in the URL; anything else shows no notice
        notice = f"Default supplier of {plural(int(assigned), 'item')} set."
    if renamed is not None:
        notice = f"Renamed from {renamed}."
    return _detail_page(request, session, who, name, notice=notice)


@router.post("/suppliers/rename")
def rename_supplier(request: Request, session: DbSession, who: Keeper, posted: Form) -> Response:
    """Rename the supplier (``name``) to ``new_name`` on its items and open orders; onto
    a name in use only with ``merge`` ticked."""
    old = (form_text(posted, "name") or "").strip()
    new_name = (form_text(posted, "new_name") or "").strip()[:300]
    merge = form_text(posted, "merge") == "1"
    typed: dict[str, Any] = {"new_name": new_name, "merge": merge, "items": ""}
    try:
        view = suppliers.rename_supplier(session, old, new_name, author=who.user.name, merge=merge)
    except PegboardError as e:
        status = refused_change(session, e)
        return _detail_page(
            request, session, who, old, typed=typed, error=sentence(e.message), status=status
        )
    return redirect(f"{_url(view.name)}?{urlencode({'renamed': old})}")
