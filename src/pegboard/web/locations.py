"""Admin: the stock locations — the list, a small form to add one, and one to
change a location's description.

Stock goes only into a known location (``services.locations``); this is where a
new shelf or yard is added. A location's code never changes (the stock ledger names
it); its description does. Both need the master-data permission.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError
from pegboard.services import locations
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.errors import refused_change, sentence
from pegboard.web.render import chrome, page, redirect

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Form(max_length=1000)]
Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not add or change locations.")),
]


def _page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    *,
    error: str | None = None,
    notice: str | None = None,
    typed: tuple[str, str] = ("", ""),
    status: int = 200,
) -> Response:
    context = chrome(who, "admin") | {
        "title": "Locations",
        "error": error,
        "notice": notice,
        "locations": locations.list_locations(session),
        "may_add": may(who, Permission.MASTER_DATA),
        "typed_code": typed[0],
        "typed_description": typed[1],
    }
    return page(request, "admin_locations.html", context, status_code=status)


@router.get("/admin/locations")
def locations_home(
    request: Request,
    session: DbSession,
    who: Viewer,
    added: str | None = None,
    changed: str | None = None,
) -> Response:
    notice = f"Location {added} was added." if added else None
    if changed:
        notice = f"Location {changed} was changed."
    return _page(request, session, who, notice=notice)


@router.post("/admin/locations")
def location_add(
    request: Request,
    session: DbSession,
    who: Keeper,
    code: Text = None,
    description: Text = None,
) -> Response:
    try:
        view = locations.add_location(
            session, code or "", description=description or "", author=who.user.name
        )
    except PegboardError as e:
        status = refused_change(session, e)
        typed = (code or "", description or "")
        return _page(request, session, who, error=sentence(e.message), typed=typed, status=status)
    return redirect(f"/admin/locations?{urlencode({'added': view.code})}")


def _edit_page(
    request: Request,
    who: auth.SignedIn,
    view: locations.LocationView,
    *,
    typed: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = chrome(who, "admin") | {
        "title": f"Location {view.code}",
        "location": view,
        "typed_description": typed,
        "error": error,
    }
    return page(request, "admin_location.html", context, status_code=status)


@router.get("/admin/locations/{code}")
def location_edit(request: Request, session: DbSession, who: Keeper, code: str) -> Response:
    view = locations.get_location(session, code)
    return _edit_page(request, who, view, typed=view.description)


@router.post("/admin/locations/{code}")
def location_change(
    request: Request, session: DbSession, who: Keeper, code: str, description: Text = None
) -> Response:
    try:
        view = locations.describe_location(
            session, code, description=description or "", author=who.user.name
        )
    except PegboardError as e:
        status = refused_change(session, e)
        view = locations.get_location(session, code)
        return _edit_page(
            request, who, view, typed=description or "", error=sentence(e.message), status=status
        )
    return redirect(f"/admin/locations?{urlencode({'changed': view.code})}")
