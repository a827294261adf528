"""The admin form that adds a stock location (issue #14, item 5)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from _login import post_login
from pegboard.model import Role

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_planner_adds_a_location_and_a_second_one_of_the_same_name_is_refused(
    web: TestClient, log_in: Callable[[str], str], sample: None
) -> None:
    token = log_in("pat")
    listed = web.get("/admin/locations")
    assert listed.status_code == 200
    assert "goods-in" in listed.text and "Add a location" in listed.text

    added = web.post(
        "/admin/locations",
        data={"csrf_token": token, "code": "dock", "description": "Door <2>"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    shown = web.get(added.headers["location"])
    assert "Location dock was added." in shown.text
    assert "Door &lt;2&gt;" in shown.text

    again = web.post("/admin/locations", data={"csrf_token": token, "code": "DOCK"})
    assert again.status_code == 409
    assert "Location &#39;dock&#39; exists already." in again.text

    no_token = web.post("/admin/locations", data={"code": "yard"})
    assert no_token.status_code in (400, 403)
    assert "yard" not in web.get("/admin/locations").text


def test_a_viewer_sees_the_locations_but_may_not_add_one(
    web: TestClient,
    make_user: Callable[..., None],
    log_in: Callable[[str], str],
    sample: None,
) -> None:
    make_user("vic", Role.VIEWER)
    page = post_login(web, {"name": "vic", "password": "correct horse battery"})
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    listed = web.get("/admin/locations")
    assert listed.status_code == 200 and "Add a location" not in listed.text
    refused = web.post("/admin/locations", data={"csrf_token": token, "code": "dock"})
    assert refused.status_code == 403
