"""One error handler and one CSRF check for every page (issue #14, a thin web layer).

An unknown address outside ``/api`` is a page, not the API's JSON; a service's error a
page with its status; not signed in the login page; and every post of every page needs
the session's CSRF token, checked before the role and before anything is read.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pegboard import web
from pegboard.web.deps import OWN_TOKEN

LogIn = Callable[[str], str]


def test_an_unknown_page_is_a_page_and_an_unknown_api_path_json(
    web: TestClient, log_in: LogIn
) -> None:
    anonymous = web.get("/no/such/<b>page</b>")
    assert anonymous.status_code == 404
    assert anonymous.headers["content-type"].startswith("text/html")
    assert "Not found" in anonymous.text and "<b>page</b>" not in anonymous.text
    assert "Content-Security-Policy" in anonymous.headers

    api = web.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"

    log_in("ann")
    signed_in = web.get("/orders/SO-NOPE/nothing-here")
    assert signed_in.status_code == 404 and "Signed in as <strong>ann</strong>" in signed_in.text
    assert 'href="/orders">Back to the sales orders' in signed_in.text
    wrong_method = web.get("/plan/run")
    assert wrong_method.status_code == 405 and "does not take a GET" in wrong_method.text


def test_a_services_error_is_a_page_with_its_status(web: TestClient, log_in: LogIn) -> None:
    log_in("ann")
    missing = web.get("/production/MO-NOPE")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "MO-NOPE" in missing.text and 'href="/production"' in missing.text
    bad_query = web.get("/orders?page=0")
    assert bad_query.status_code == 422 and bad_query.headers["content-type"].startswith(
        "text/html"
    )


def test_not_signed_in_is_the_login_page(web: TestClient) -> None:
    page = web.get("/plan/planned-orders?type=buy", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/plan/planned-orders%3Ftype%3Dbuy"
    post = web.post("/plan/run", data={"csrf_token": "x"}, follow_redirects=False)
    assert post.status_code == 303 and post.headers["location"] == "/login"


def _posts() -> list[str]:
    """Every state-changing page address (path parameters filled in)."""
    paths = []
    for pages in web.PAGES:
        for route in pages.router.routes:
            assert isinstance(route, APIRoute)
            if (route.methods or set()) - {
                "GET",
                "HEAD",
                "OPTIONS",
            } and route.path not in OWN_TOKEN:
                path = route.path
                for name in route.param_convertors:
                    path = path.replace("{" + name + "}", "1")
                paths.append(path)
    return sorted(set(paths))


@pytest.mark.parametrize("path", _posts())
def test_every_post_of_every_page_needs_the_csrf_token(
    web: TestClient, log_in: LogIn, path: str
) -> None:
    """Signed in as a planner, a post without the token (or with a forged one) is refused
    before anything else is looked at: the page says so, nothing is done."""
    log_in("ann")
    for data in ({}, {"csrf_token": "forged"}):
        refused = web.post(path, data=data, follow_redirects=False)
        assert refused.status_code == 403, path
        assert "no valid security token" in refused.text, path
