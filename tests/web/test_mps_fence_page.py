"""The planning time fence on the master schedule page (both databases): shown to every
role, saved by a planner with a message, refused as typed with the reason and nothing
saved, and its field not offered to a viewer."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from _login import post_login
from conftest import PASSWORD
from pegboard.model import Role

LogIn = Callable[[str], str]


def test_the_fence_is_shown_and_saved_from_the_master_schedule_page(
    web: TestClient, log_in: LogIn
) -> None:
    token = log_in("ann")
    page = web.get("/mps").text
    assert 'id="fence-days"' in page and 'value="14"' in page
    saved = web.post("/mps/fence", data={"csrf_token": token, "days": "21"})
    assert saved.status_code == 200 and "The planning time fence is now 21 days" in saved.text
    assert 'value="21"' in saved.text
    for typed, reason in (("three", "not a whole number of days"), ("9999", "from 0 to 3650")):
        bad = web.post("/mps/fence", data={"csrf_token": token, "days": typed})
        assert bad.status_code == 422 and reason in bad.text
        assert f'value="{typed}"' in bad.text  # what was typed, kept
    assert 'value="21"' in web.get("/mps").text  # nothing of the refusals saved


def test_a_viewer_sees_the_fence_but_may_not_change_it(
    web: TestClient, make_user: Callable[..., None]
) -> None:
    make_user("vic", Role.VIEWER)
    assert post_login(web, {"name": "vic", "password": PASSWORD}).status_code == 200
    page = web.get("/mps").text
    field = page.split('id="fence-days"', 1)[1].split(">", 1)[0]
    assert 'value="14"' in field and "disabled" in field
    assert ">Save</button>" not in page.split('action="/mps/fence"', 1)[1].split("</form>")[0]
