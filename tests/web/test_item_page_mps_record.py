"""The item page of a scheduled item shows its MPS record (issue #17 item 4): backlog,
schedule, projected available balance and ATP per week, the same figures the grid and
``pegboard mps show`` have, with a link to the grid; an item off the schedule has none."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _clock import DEMO_DAY, pin_today
from pegboard import db
from pegboard.services import mps

LogIn = Callable[[str], str]
ITEM = "SA-DRVTRAY-60V"
ROWS = ("Backlog", "MPS", "Projected available", "Available to promise")


def _section(page: str) -> str:
    assert 'id="mps-h"' in page
    return page.split('id="mps-h"', 1)[1].split("</section>", 1)[0]


def _row(section: str, name: str) -> list[str]:
    found = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', section, re.S)
    assert found, name
    return [re.sub(r"<[^>]+>|short", "", c).strip() for c in re.findall(
        r'<td class="num">(.*?)</td>', found.group(1), re.S)]  # fmt: skip


@pin_today(DEMO_DAY)
def test_the_item_page_shows_the_weekly_mps_record(
    web: TestClient, sample: None, log_in: LogIn, engine: Engine
) -> None:
    log_in("ann")
    section = _section(web.get(f"/items/{ITEM}").text)
    assert f'href="/mps/{ITEM}"' in section  # the grid, for more weeks and editing
    # eight weeks from Monday 2026-11-23: W48 of 2026 to W02 of 2027
    heads = re.findall(r'<th scope="col" class="num">(\d{4}-W\d\d)', section)
    assert heads == [f"2026-W{w}" for w in range(48, 54)] + ["2027-W01", "2027-W02"]
    assert "On hand 6" in section
    mps_row = _row(section, "MPS")
    assert mps_row == ["0"] * 6 + ["30", "30"]  # the sample's lines of 2027-01-04, 01-11
    with db.session_factory(engine)() as s:
        record = mps.mps_record(s, ITEM, weeks=8)
    expected = {
        "Backlog": [w.backlog for w in record.weeks],
        "MPS": [w.mps for w in record.weeks],
        "Projected available": [w.pab for w in record.weeks],
        "Available to promise": [w.atp for w in record.weeks],
    }
    for name in ROWS:
        shown = [float(c.replace(",", "")) for c in _row(section, name)]
        assert shown == expected[name], name
    # the balance carries on hand through each week: pab = previous + mps + other - backlog
    pab = record.on_hand
    for w in record.weeks:
        pab += w.mps + w.receipts - w.backlog
        assert w.pab == pab


@pin_today(DEMO_DAY)
def test_an_item_off_the_schedule_has_no_mps_record(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/items/SA-LEDMOD-2240").text
    assert "Stock position" in page and 'id="mps-h"' not in page
