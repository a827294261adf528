"""The type-aheads (issue #19 item 8): ``GET /lookup/items`` (and ``/lookup/customers``,
``/lookup/projects`` of the new sales order's form) answers the ``<option>`` elements
of the items (customers, projects) matching what was typed, for a field's ``<datalist>``.

A field that takes an item code carries ``lookup_attrs`` (``_item_lookup.html``): htmx
asks this endpoint as one types (after a short pause, the last answer wins) and puts
the options in the field's list; the field sends its own value under its own name
(``item``, ``component``), so the first query parameter is what was typed. Without
htmx (no script) the field is the same free-text field it was.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pegboard.services.customer_lookup import customer_suggestions, project_suggestions
from pegboard.services.item_lookup import item_suggestions
from pegboard.web.deps import DbSession, Viewer
from pegboard.web.render import SECURITY_HEADERS, templates

router = APIRouter(include_in_schema=False)


def _options(request: Request, options: list[tuple[str, str]]) -> Response:
    """The ``<option>`` elements: the code as the value, the description or name beside."""
    response: HTMLResponse = templates.TemplateResponse(
        request, "_item_options.html", {"options": options}
    )
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get("/lookup/items")
def items(request: Request, session: DbSession, who: Viewer) -> Response:
    typed = next(iter(request.query_params.values()), "")
    return _options(request, item_suggestions(session, typed))


@router.get("/lookup/customers")
def customers(request: Request, session: DbSession, who: Viewer) -> Response:
    """Customers for a customer field (the new sales order's), as one types its code or
    a word of the name."""
    typed = next(iter(request.query_params.values()), "")
    return _options(request, customer_suggestions(session, typed))


@router.get("/lookup/projects")
def projects(request: Request, session: DbSession, who: Viewer) -> Response:
    """The projects of the customer in the form's ``customer`` field, for its ``project``
    field (htmx sends both: the project field includes the customer field)."""
    customer = request.query_params.get("customer", "")
    typed = request.query_params.get("project", "")
    return _options(request, project_suggestions(session, customer, typed))
