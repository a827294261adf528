"""Request size limits, checked before a body is read into memory.

JSON bodies and forms are small; only the bundle uploads (``/api/bundle/import``,
``/api/bundle/upsert`` and its preview, and the web page's import and upsert preview)
may be as large as a bundle (``BUNDLE_LIMIT``,
512 MiB), and those are streamed to disk as they arrive. A request that declares or
streams more than its limit is answered 413 and not processed: as the error JSON under
``/api``, as a page elsewhere. A body sent in chunks (no ``Content-Length``) is counted
as it comes; going past the limit stops the request even where the reader of the body
would turn any error into a 400.
"""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pegboard.api.errors import error_response
from pegboard.bundle.archive import BUNDLE_LIMIT, mib

JSON_LIMIT = 2 * 1024 * 1024
UPLOAD_LIMIT = BUNDLE_LIMIT
UPLOAD_PATHS = (
    "/api/bundle/import",
    "/admin/bundle/import",
    "/api/bundle/upsert",  # and its /preview
    "/admin/bundle/upsert-preview",
)


class TooLarge(BaseException):
    """Raised from ``receive`` past the limit. A ``BaseException``, so that no ``except
    Exception`` on the way (FastAPI's body parsing answers 400 for any) swallows it."""


def limit_of(path: str, upload_limit: int = UPLOAD_LIMIT) -> int:
    return upload_limit if path.startswith(UPLOAD_PATHS) else JSON_LIMIT


class BodySizeLimit:
    """``upload_limit``: the limit of the upload routes (``PEGBOARD_UPLOAD_LIMIT_BYTES``)."""

    def __init__(self, app: ASGIApp, upload_limit: int = UPLOAD_LIMIT) -> None:
        self.app = app
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = limit_of(path, self.upload_limit)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_large(path, limit)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except TooLarge:
            if not started:
                await too_large(path, limit)(scope, receive, send)
        except BaseExceptionGroup as group:  # raised inside a task group (anyio)
            rest = group.split(TooLarge)[1]
            if rest is not None:
                raise rest from None
            if not started:
                await too_large(path, limit)(scope, receive, send)


def too_large(path: str, limit: int) -> Response:
    """The 413 answer: the error JSON for the API, a short page for the web."""
    message = f"the request body is larger than {mib(limit)}"
    if path.startswith("/api"):
        return error_response(413, "too_large", message)
    what = "A bundle" if path.startswith(UPLOAD_PATHS) else "A form"
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Too large</title></head><body><main>"
        "<h1>Too large</h1>"
        f"<p>{html.escape(what)} may be {html.escape(mib(limit))} at most; "
        "this one is larger, so nothing was read or changed.</p>"
        '<p><a href="/admin/bundle">Back to import and export</a></p>'
        "</main></body></html>"
    )
    return HTMLResponse(
        page, status_code=413, headers={"Content-Security-Policy": "default-src 'none'"}
    )
