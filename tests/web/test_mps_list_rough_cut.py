"""The master schedule's list page has the rough-cut of the whole schedule (issue #17
item 5): per key work center and week the schedule's hours, the other orders', their
total and the hours available (the lighting sample, both databases)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from _clock import DEMO_DAY, pin_today

LogIn = Callable[[str], str]


def _row(table: str, name: str) -> list[float]:
    found = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', table, re.S)
    assert found, name
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [float(re.sub(r"<[^>]+>|over", "", c).strip()) for c in cells]


@pin_today(DEMO_DAY)
def test_the_list_page_checks_the_whole_schedule(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    page = web.get("/mps").text
    section = page.split('id="rough-h"', 1)[1].split("</section>", 1)[0]
    tables = {
        re.search(r'href="/capacity/([^"]+)"', t).group(1): t  # type: ignore[union-attr]
        for t in section.split("<table")[1:]
    }
    assert {"LED-ASM", "WIRE-TEST"} <= set(tables)
    wire = tables["WIRE-TEST"]
    heads = re.findall(r'<th scope="col" class="num">(\d{4}-W\d\d)</th>', wire)
    assert heads[0] == "2026-W48" and len(heads) == 12
    schedule, other = _row(wire, "Master schedule"), _row(wire, "Other orders")
    total, available = _row(wire, "Total"), _row(wire, "Available")
    # 30 trays in the week of 2027-01-04 (W01 of 2027, the seventh week shown): 0.1 + 30 ×
    # 0.15 h of the two test benches' 80
    assert schedule[6] == 4.6 and available[6] == 80
    # each figure rounded to a tenth on its own
    assert all(abs(s + o - t) <= 0.1 + 1e-9 for s, o, t in zip(schedule, other, total, strict=True))
    assert sum(other) > 0  # the sample's other orders load the test benches too

    # the item's grid says the same under each week's hours of the schedule
    grid = web.get("/mps/SA-DRVTRAY-60V").text.split('id="rough-h"', 1)[1]
    grid = grid.split("</section>", 1)[0]
    wire_row = grid.split('href="/capacity/WIRE-TEST"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", wire_row, re.S)
    assert len(cells) == 12
    for cell, o, t in zip(cells, other, total, strict=True):
        assert o == 0 or f"+ {o:.1f} other = {t:.1f} h" in cell, cell
    assert any("other =" in cell for cell in cells)
    assert "4.6 of 80 h" in cells[6]
