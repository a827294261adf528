"""The master schedule pages on the lighting sample (both databases): the list, the weekly
grid of SA-DRVTRAY-60V (its three weeks of 30), a grid saved all or nothing with each
refused cell marked, the proposal accepted in part, and what a viewer sees."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from _clock import DEMO_DAY, pin_today
from _login import post_login
from pegboard.model import AuditEntry, Role

LogIn = Callable[[str], str]
ITEM = "SA-DRVTRAY-60V"


def _mps_audits(engine: Engine) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "mps")
        return int(conn.execute(query).scalar_one())


def _cell(page: str, monday: str) -> str:
    found = re.search(rf'<input[^>]*name="w-{monday}"[^>]*>', page, re.S)
    assert found, f"no cell for {monday}"
    return found.group(0)


@pin_today(DEMO_DAY)
def test_the_weekly_grid_is_saved_all_or_nothing_and_the_proposal_accepted(
    web: TestClient, sample: None, log_in: LogIn, make_user: Callable[..., None], engine: Engine
) -> None:
    token = log_in("ann")
    listed = web.get("/mps").text
    assert f'href="/mps/{ITEM}"' in listed
    assert 'href="/mps" aria-current="page"' in listed  # the navigation's link
    assert f'href="/mps/{ITEM}"' in web.get(f"/items/{ITEM}").text  # from the item page

    page = web.get(f"/mps/{ITEM}?weeks=10").text
    # ten weeks from 2026-11-23; the year under the first week and under 2027's first
    grid = page.split('id="grid-h"', 1)[1].split("</thead>", 1)[0]
    assert grid.count('<span class="year">') == 2 and '<span class="year">2027</span>' in grid
    assert 'value="30"' in _cell(page, "2027-01-04")
    assert 'value=""' in _cell(page, "2027-01-25")
    assert "Projected available" in page and "Available to promise" in page
    # rough-cut: 30 trays in the week of 2027-01-04 ask 0.1 + 30 × 0.15 h of the 80 the
    # two test benches have
    rough = page.split('id="rough-h"', 1)[1].split("</section>", 1)[0]
    assert 'href="/capacity/WIRE-TEST"' in rough and "4.6 of 80 h" in rough

    # three refused cells: nothing saved, every one marked, what was typed kept
    before = _mps_audits(engine)
    bad = web.post(
        f"/mps/{ITEM}",
        data={
            "csrf_token": token,
            "weeks": "10",
            "w-2026-11-23": "",  # within the fence, but empty and left empty: fine
            "w-2026-11-30": "5",  # within the time fence (until 2026-12-07)
            "w-2027-01-04": "31.5",  # counted in whole pieces
            "w-2027-01-11": "lots",
            "w-2027-01-25": "40",
        },
    )
    assert bad.status_code == 422, bad.text
    for monday in ("2026-11-30", "2027-01-04", "2027-01-11"):
        assert 'aria-invalid="true"' in _cell(bad.text, monday), monday
    assert "aria-invalid" not in _cell(bad.text, "2027-01-25")
    assert 'value="lots"' in _cell(bad.text, "2027-01-11")
    assert "time fence" in bad.text and "whole units" in bad.text and "not a number" in bad.text
    assert _mps_audits(engine) == before
    assert 'value=""' in _cell(web.get(f"/mps/{ITEM}?weeks=10").text, "2027-01-25")

    # no CSRF token: refused
    assert web.post(f"/mps/{ITEM}", data={"w-2027-01-25": "40"}).status_code == 403

    saved = web.post(
        f"/mps/{ITEM}",
        data={"csrf_token": token, "weeks": "10", "w-2027-01-04": "30", "w-2027-01-25": "40",
              "w-2027-01-18": "", "w-2026-11-30": "0"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    page = web.get(saved.headers["location"]).text
    assert "Saved" in page
    assert 'value="40"' in _cell(page, "2027-01-25")
    assert 'value=""' in _cell(page, "2027-01-18")
    assert _mps_audits(engine) == before + 2  # W04 added, W03 removed; W02 unchanged

    # the proposal's weeks are ticked; accepting only one writes only that one
    proposal = page.split('id="proposal-h"', 1)[1]
    assert 'name="accept" value="2027-01-25"' in proposal
    accepted = web.post(
        f"/mps/{ITEM}/accept",
        data={"csrf_token": token, "weeks": "10", "accept": "2026-12-14"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    # on hand 6; beyond the fence the backlog is 48 in W02 and 20 in W03 (of eight weeks),
    # so the level is the smallest q with 6 + 7q ≥ 68: 9 a week
    row = re.search(r'value="2026-12-14".*?</tr>', proposal, re.S)
    assert row and '<td class="num">9</td></tr>' in row.group(0)
    assert _mps_audits(engine) == before + 3  # only the ticked week
    page = web.get(accepted.headers["location"]).text
    assert 'value="9"' in _cell(page, "2026-12-14")
    assert 'value=""' in _cell(page, "2026-12-21")

    web.post("/logout", data={"csrf_token": token})
    make_user("vic", Role.VIEWER)
    post_login(web, {"name": "vic", "password": "correct horse battery"})
    seen = web.get(f"/mps/{ITEM}?weeks=10").text
    assert "Available to promise" in seen and 'name="w-' not in seen
    assert "Save schedule" not in seen
