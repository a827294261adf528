"""Request size limits, checked before a body is read into memory.

JSON bodies are small; only the bundle upload may be large. A request that
declares or streams more than its limit is answered 413 and not processed.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pegboard.api.errors import error_response

JSON_LIMIT = 2 * 1024 * 1024
UPLOAD_LIMIT = 512 * 1024 * 1024
UPLOAD_PATHS = ("/api/bundle/import",)


class TooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = UPLOAD_LIMIT if path.startswith(UPLOAD_PATHS) else JSON_LIMIT
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except TooLarge:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(
            413, "too_large", f"the request body is larger than {limit // (1024 * 1024)} MiB"
        )
        await response(scope, receive, send)
