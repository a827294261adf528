"""The application: routers under ``/api``, error bodies, limits, the database.

``create_app`` takes an engine (tests pass their own); ``pegboard serve`` runs it
under uvicorn. Interactive documentation is at ``/docs``, the OpenAPI document at
``/openapi.json``.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from pegboard import db, web
from pegboard.api import errors
from pegboard.api.limits import BodySizeLimit
from pegboard.api.routers import ROUTERS

DESCRIPTION = """\
Make-to-order planning: items and BOM templates, sales orders configured line by
line, the plan (planned orders, pegging, exceptions), purchasing, production,
stock and shipping.

Authenticate with an API token (`Authorization: Bearer pgb_…`, create one with
`POST /api/auth/tokens` or `pegboard user token NAME`) or log in with
`POST /api/auth/login` for a session cookie (then send `X-CSRF-Token` on changes).
Errors are `{"error": {"code", "message", "field", "params"}}`.
"""


def create_app(engine: Engine | None = None) -> FastAPI:
    engine = engine or db.make_engine()
    app = FastAPI(title="pegboard", version="1", description=DESCRIPTION)
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    errors.install(app)
    app.add_middleware(BodySizeLimit)
    for router in ROUTERS:
        # every operation documents the error body (and FastAPI's own 422 shape is replaced)
        app.include_router(router, prefix="/api", responses=errors.ERROR_RESPONSES)
    web.mount(app)  # the pages for people: /, /login, /logout, /static
    return app
