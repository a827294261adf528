"""Posting the login form as a browser does: fetch the form first, send its token back."""

from __future__ import annotations

import re
from typing import Any

import httpx2
from fastapi.testclient import TestClient

LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def login_form_token(client: TestClient) -> str:
    """The token of a fresh login form (``GET /login`` also sets the matching cookie)."""
    form = client.get("/login", follow_redirects=False)
    found = LOGIN_TOKEN.search(form.text)
    assert form.status_code == 200 and found, "GET /login shows the form (nobody signed in)"
    return found.group(1)


def post_login(client: TestClient, data: dict[str, str], **kwargs: Any) -> httpx2.Response:
    """``POST /login`` with ``data`` and the token of a login form fetched just before."""
    return client.post("/login", data={"login_token": login_form_token(client)} | data, **kwargs)
