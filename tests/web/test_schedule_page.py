"""The finite schedule on the capacity page (issue #15, item 4): a planner makes it with
one button (CSRF-checked), everyone reads its late orders and why; both databases."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from _login import post_login
from pegboard.model import Role

LogIn = Callable[[str], str]


def test_a_planner_schedules_the_sample_and_the_page_names_the_full_powder_line(
    web: TestClient, sample: None, log_in: LogIn, make_user: Callable[..., None]
) -> None:
    token = log_in("ann")
    before = web.get("/capacity").text
    assert "No finite schedule of the current plan yet" in before
    assert "Schedule the current plan at finite capacity" in before

    assert web.post("/capacity/schedule", data={}).status_code == 403  # no CSRF token
    made = web.post("/capacity/schedule", data={"csrf_token": token}, follow_redirects=False)
    assert made.status_code == 303, made.text
    page = web.get("/capacity").text
    section = page.split('id="schedule-h"', 1)[1].split("</section>", 1)[0]
    assert "orders complete after their due date" in section
    assert "POWDER full 20" in section  # a late order held by the powder line, by day
    assert '<a href="/plan/planned-orders?type=make">PL-' in section

    web.post("/logout", data={"csrf_token": token})
    make_user("vic", Role.VIEWER)
    post_login(web, {"name": "vic", "password": "correct horse battery"})
    seen = web.get("/capacity").text
    assert "POWDER full 20" in seen
    assert "Schedule the current plan at finite capacity" not in seen
