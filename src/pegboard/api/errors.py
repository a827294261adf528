"""One error body for every failure: a machine-readable code, a human message, the field.

    {"error": {"code": "insufficient_stock", "message": "not enough …", "field": null,
               "params": {…}}}

Domain errors map to HTTP statuses here, once. Anything unexpected becomes a 500
with a generic message; the stack trace goes to the server log, never to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from pegboard.db import DataError
from pegboard.errors import BundleError, PegboardError, RateLimitedError, http_status

log = logging.getLogger("pegboard.api")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    params: dict[str, Any] = {}


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 413, 422, 429)
}
"""Declared on every router, so the OpenAPI document describes the error bodies."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def error_response(
    status: int, code: str, message: str, field: str | None = None, /, **params: Any
) -> JSONResponse:
    body = ErrorBody(
        error=ErrorDetail(code=code, message=message, field=field, params=_jsonable(params))
    )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _domain(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PegboardError)
    status = http_status(error)
    params = dict(error.params)
    field = params.pop("field", None)
    if isinstance(error, BundleError):
        params["problems"] = [str(p) for p in error.problems]
    response = error_response(
        status, error.code, error.message, str(field) if field else None, **params
    )
    if isinstance(error, RateLimitedError):
        response.headers["Retry-After"] = str(error.params.get("retry_after", 900))
    return response


def _validation(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    unreadable = next((e for e in error.errors() if e.get("type") == "json_invalid"), None)
    if unreadable is not None:  # not JSON at all: nothing to validate
        where = [p for p in unreadable.get("loc", ()) if isinstance(p, int)]
        near = f" (near character {where[0] + 1})" if where else ""
        return error_response(400, "bad_json", f"the request body is not valid JSON{near}")
    problems = []
    for e in error.errors():
        loc = [str(part) for part in e.get("loc", ()) if part not in ("body", "query", "path")]
        problems.append({"field": ".".join(loc), "message": str(e.get("msg", "invalid"))})
    first = problems[0] if problems else {"field": "", "message": "invalid request"}
    message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return error_response(422, "invalid", message, first["field"] or None, problems=problems)


def _http(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    codes = {
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
    }
    return error_response(
        error.status_code, codes.get(error.status_code, "http_error"), str(error.detail)
    )


def _out_of_range(_request: Request, error: Exception) -> JSONResponse:
    """A value the database cannot hold got past validation (a number out of range, a NUL
    character in text): still the client's input, not a server fault."""
    return error_response(
        422, "invalid", "a value in the request is out of range or not allowed in text"
    )


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal", "internal error; the server log has the details")


BAD_BODY: dict[str, Any] = {
    "description": "The body could not be read: not JSON, or a form that is not one",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
}


def _document_bad_bodies(app: FastAPI) -> None:
    """Every operation that takes a body may answer 400 when the body cannot be read at
    all (FastAPI's own answer to a broken form, ours to broken JSON): say so."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault("responses", {}).setdefault("400", BAD_BODY)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    app.add_exception_handler(PegboardError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(Exception, _unexpected)
    _document_bad_bodies(app)
