"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc``, with no internet.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so on a plant network without
internet ``/docs`` is blank. Here the assets come from the ``fastapi-offline`` package
(installed from PyPI like every other dependency, never copied into this repository),
and the pages carry no inline script: Swagger UI is started by ``/static/docs-swagger.js``
and ReDoc starts itself from its ``<redoc>`` element, so the pages keep a strict
content-security policy (scripts only from this server).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))

DOCS_HEADERS = {
    # Swagger UI and ReDoc set inline styles and ReDoc searches in a worker made from a
    # blob; scripts still come from this server only
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

_SWAGGER = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pegboard API</title>
<link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs-swagger.js"></script>
</body>
</html>
"""

_REDOC = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pegboard API reference</title>
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<redoc spec-url="{openapi}"></redoc>
<script src="{assets}/redoc.standalone.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from packaged assets (the app is made with
    ``docs_url=None, redoc_url=None``)."""
    openapi = app.openapi_url or "/openapi.json"
    app.mount(ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    swagger = _SWAGGER.format(assets=ASSETS, openapi=openapi)
    redoc = _REDOC.format(assets=ASSETS, openapi=openapi)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(swagger, headers=DOCS_HEADERS)

    @app.get("/redoc", include_in_schema=False)
    def reference() -> HTMLResponse:
        return HTMLResponse(redoc, headers=DOCS_HEADERS)
