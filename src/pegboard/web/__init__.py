"""Server-rendered pages for planners (Jinja2 templates over the services).

``mount(app)`` adds the pages, ``/static`` and the npm libraries (``vendor``) to the
FastAPI app; the pages share the API's browser session (cookie
``services.users.SESSION_COOKIE``), so one login serves both. Every request of a page
that changes something passes the one CSRF check (``deps.csrf_checked``) before its
handler runs, and the pages' errors are answered with pages (``errors``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pegboard.web import (
    admin,
    board,
    board_planned,
    bom_editor,
    calendar,
    capacity,
    costing,
    customers,
    errors,
    items,
    locations,
    lookup,
    mps,
    order_lines,
    orders,
    pegging,
    plan,
    policy,
    production,
    promise,
    purchasing,
    routes,
    scenarios,
    shop_floor,
    suppliers,
    templates_editor,
    vendor,
    work_centers,
)
from pegboard.web.deps import CsrfChecked
from pegboard.web.render import STATIC

PAGES = (
    routes,
    orders,
    order_lines,
    lookup,
    plan,
    items,
    bom_editor,
    customers,
    production,
    board,
    board_planned,
    purchasing,
    pegging,
    policy,
    promise,
    admin,
    locations,
    calendar,
    capacity,
    mps,
    shop_floor,
    costing,
    templates_editor,
    work_centers,
    suppliers,
    scenarios,
)


def mount(app: FastAPI) -> None:
    """Add the pages (at ``/``, ``/login``, ``/orders`` …) with their CSRF check, their
    ``/static`` files, and their error pages."""
    for pages in PAGES:
        app.include_router(pages.router, dependencies=[CsrfChecked])
    vendor.install(app)  # /static/vendor/…: npm's files, before /static takes the prefix
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)


__all__ = ["mount"]
