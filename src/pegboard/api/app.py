"""The application: routers under ``/api``, error bodies, limits, the database.

``create_app`` takes an engine (tests pass their own); ``pegboard serve`` runs it
under uvicorn. Interactive documentation is at ``/docs``, the OpenAPI document at
``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pegboard import db, web
from pegboard.api import docs, errors
from pegboard.api.limits import BodySizeLimit
from pegboard.api.routers import ROUTERS
from pegboard.bundle.upload import clean_up_after_crashes
from pegboard.config import get_settings
from pegboard.services import worker_pool

DESCRIPTION = """\
Make-to-order planning: items and BOM templates, sales orders configured line by
line, the plan (planned orders, pegging, exceptions), purchasing, production,
stock and shipping.

Authenticate with an API token (`Authorization: Bearer pgb_…`, create one with
`POST /api/auth/tokens` or `pegboard user token NAME`) or log in with
`POST /api/auth/login` for a session cookie (then send `X-CSRF-Token` on changes).
Errors are `{"error": {"code", "message", "field", "params"}}`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    clean_up_after_crashes(app.state.engine)  # staging folders and jobs of ended processes
    yield
    # engines on scenarios opened by requests (api.deps); the live one is the caller's
    for sessions in app.state.scenario_sessions.values():
        bind = sessions.kw.get("bind")
        if isinstance(bind, db.Engine):
            bind.dispose()
    app.state.scenario_sessions.clear()
    worker_pool.shutdown()  # the promise workers (services.worker_pool), if any started


def create_app(engine: db.Engine | None = None) -> FastAPI:
    engine = engine or db.make_engine()
    app = FastAPI(
        title="pegboard",
        version="1",
        description=DESCRIPTION,
        lifespan=_lifespan,
        docs_url=None,  # served from packaged assets instead of a CDN: api.docs
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    app.state.scenario_sessions = {}
    errors.install(app)
    app.add_middleware(BodySizeLimit, upload_limit=get_settings().upload_limit_bytes)
    for router in ROUTERS:
        # every operation documents the error body (and FastAPI's own 422 shape is replaced)
        app.include_router(router, prefix="/api", responses=errors.ERROR_RESPONSES)
    docs.install(app)
    web.mount(app)  # the pages for people: /, /login, /logout, /static
    return app
