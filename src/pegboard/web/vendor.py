"""The browser libraries the pages load, served from the npm packages ``scripts/install``
puts in ``node_modules`` (``npm ci`` of ``package-lock.json``): never copied into the
repository, never loaded from a CDN, so the pages work on a network without internet
and a library's version is the lockfile's.

Only ``/static/vendor/htmx.min.js`` today (the pages' partial updates). Its file is
found at run time, and a missing one stops the app at start-up with what to run,
instead of pages whose filters and editors silently do nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from pegboard.errors import PegboardError

HTMX_URL = "/static/vendor/htmx.min.js"
HTMX_FILE = Path("htmx.org") / "dist" / "htmx.min.js"
"""The file of the ``htmx.org`` package (pinned in ``package.json``)."""
NODE_MODULES_ENV = "PEGBOARD_NODE_MODULES"
"""A ``node_modules`` folder elsewhere (an installed pegboard outside its checkout)."""


class AssetsMissingError(PegboardError):
    code = "assets_missing"


def _candidates() -> list[Path]:
    """Where ``node_modules`` may be: the setting, then the checkout this package runs
    from (``src/pegboard/web`` → the repository root) and the folders above it."""
    found: list[Path] = []
    if setting := os.environ.get(NODE_MODULES_ENV):
        found.append(Path(setting))
    found += [parent / "node_modules" for parent in Path(__file__).resolve().parents]
    return found


def htmx_file(places: Sequence[Path] | None = None) -> Path:
    """The htmx file to serve, from the first of ``places`` (the usual ones when not
    given) holding it; ``AssetsMissingError`` naming where it looked and the command
    that installs it."""
    folders = _candidates() if places is None else list(places)
    for folder in folders:
        if (folder / HTMX_FILE).is_file():
            return folder / HTMX_FILE
    looked = ", ".join(str(p) for p in folders[:3])
    raise AssetsMissingError(
        f"the web pages need htmx ({HTMX_FILE}) from npm, not found in node_modules "
        f"(looked in {looked} …): run scripts/install (npm ci), or set {NODE_MODULES_ENV} "
        "to the node_modules folder holding it",
        file=str(HTMX_FILE),
    )


def install(app: FastAPI) -> None:
    """Serve the vendored libraries (before ``/static`` is mounted, which would else
    answer their URLs with a 404)."""
    path = htmx_file()

    @app.get(HTMX_URL, include_in_schema=False)
    def htmx() -> Response:
        # the same bytes until the lockfile changes: a browser may keep them for a day
        return FileResponse(
            path,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )
