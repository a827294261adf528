"""Request size limits over HTTP (issue #20, item 9): a bundle uploaded from the browser
may be as large as one uploaded through the API, over-limit answers fit who asked (JSON
for the API, a page for the browser), and a body sent in chunks gets 413, not 400."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _login import post_login
from conftest import PASSWORD, Headers
from pegboard import db
from pegboard.api import create_app, limits
from pegboard.model import Role
from pegboard.services import users

BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _chunks(size: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b"x" * min(piece, size - sent)
        sent += piece


def test_a_chunked_body_over_the_limit_is_413(
    api: TestClient, as_role: Callable[[str], Headers]
) -> None:
    response = api.post(
        "/api/auth/tokens",
        content=_chunks(3 * 1024 * 1024),
        headers={**as_role("viewer"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "too_large"


def _signed_in_admin(api: TestClient, engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        users.create_user(s, name="ada", password=PASSWORD, role=Role.ADMIN, author="test")
    page = post_login(api, {"name": "ada", "password": PASSWORD})
    found = CSRF.search(page.text)
    assert page.status_code == 200 and found, page.text
    return found.group(1)


def _bundle_zip(padding: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for p in sorted(BASIC.iterdir()):
            if p.suffix == ".csv" or p.name == "templates.json":
                zf.writestr(p.name, p.read_bytes())
        zf.writestr("notes/padding.bin", b"\0" * padding)  # not a bundle file: skipped
    return buf.getvalue()


def test_the_browser_uploads_a_bundle_larger_than_a_form(api: TestClient, engine: Engine) -> None:
    """The web page took 2 MiB (the JSON limit) while the README promised a bundle's."""
    token = _signed_in_admin(api, engine)
    data = _bundle_zip(3 * 1024 * 1024)
    assert len(data) > limits.JSON_LIMIT
    sent = api.post(
        "/admin/bundle/import",
        data={"csrf_token": token},
        files={"file": ("bundle.zip", data, "application/zip")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:500]
    assert sent.headers["location"].startswith("/admin/jobs/")


def test_an_upsert_takes_a_bundle_larger_than_a_form(
    api: TestClient, engine: Engine, as_role: Callable[[str], Headers]
) -> None:
    """The upsert's upload routes take a bundle's size too (they took the JSON limit)."""
    token = _signed_in_admin(api, engine)
    data = _bundle_zip(3 * 1024 * 1024)
    files = {"file": ("bundle.zip", data, "application/zip")}
    page = api.post("/admin/bundle/upsert-preview", data={"csrf_token": token}, files=files)
    assert page.status_code == 200 and "what an upsert would do" in page.text, page.text[:500]
    admin = as_role("admin")
    preview = api.post("/api/bundle/upsert/preview", headers=admin, files=files)
    assert preview.status_code == 200, preview.text[:500]
    assert limits.limit_of("/api/bundle/upsert") == limits.UPLOAD_LIMIT


def test_over_the_limit_the_browser_gets_a_page(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEGBOARD_UPLOAD_LIMIT_BYTES", str(1024 * 1024))
    with TestClient(create_app(engine), raise_server_exceptions=False) as api:
        _over_the_limit(api, engine)


def _over_the_limit(api: TestClient, engine: Engine) -> None:
    token = _signed_in_admin(api, engine)
    sent = api.post(
        "/admin/bundle/import",
        data={"csrf_token": token},
        files={"file": ("bundle.zip", _bundle_zip(2 * 1024 * 1024), "application/zip")},
    )
    assert sent.status_code == 413
    assert sent.headers["content-type"].startswith("text/html")
    assert "A bundle may be 1 MiB at most" in sent.text
    chunked = api.post(
        "/admin/bundle/import",
        content=_chunks(2 * 1024 * 1024),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert chunked.status_code == 413 and "<h1>Too large</h1>" in chunked.text


def test_unreadable_json_is_a_documented_400(api: TestClient) -> None:
    broken = api.post(
        "/api/auth/login", content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"] == {
        "code": "bad_json",
        "message": "the request body is not valid JSON (near character 10)",
        "field": None,
        "params": {},
    }
    schema = api.get("/openapi.json").json()
    with_body = [
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert len(with_body) > 20
    for path, method in with_body:
        responses = schema["paths"][path][method]["responses"]
        assert "400" in responses, (method, path)
    bad = schema["paths"]["/api/auth/login"]["post"]["responses"]["400"]
    assert bad["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert "ErrorBody" in schema["components"]["schemas"]
