"""The item type-ahead (issue #19 item 8): ``GET /lookup/items`` answers the ``<option>``
elements of the items matching what was typed, for a field's ``<datalist>``.

A field that takes an item code carries ``lookup_attrs`` (``_item_lookup.html``): htmx
asks this endpoint as one types (after a short pause, the last answer wins) and puts
the options in the field's list; the field sends its own value under its own name
(``item``, ``component``), so the first query parameter is what was typed. Without
htmx (no script) the field is the same free-text field it was.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.services.item_lookup import item_suggestions
from pegboard.web.deps import DbSession, Viewer
from pegboard.web.render import SECURITY_HEADERS, templates

router = APIRouter(include_in_schema=False)


@router.get("/lookup/items")
def items(request: Request, session: DbSession, who: Viewer) -> Response:
    typed = next(iter(request.query_params.values()), "")
    options = item_suggestions(session, typed)
    response: HTMLResponse = templates.TemplateResponse(
        request, "_item_options.html", {"options": options}
    )
    response.headers.update(SECURITY_HEADERS)
    return response
