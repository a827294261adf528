"""The order routing shown once a line is configured (#15 item 2): on the configure page
and in the order page's BOM tree, each configured node's operations with the hours its
routing formulas give (hand-computed in tests/services/test_template_routing.py) and
the hours for what the node's production orders make. Both databases.

SO-… orders four 14.56 m black LR-7040 runs with DALI and an emergency pack:

* LR-7040 × 4: 10 LED-ASM 0.5 + 4 × 2.05 = 8.70 h; 20 WIRE-TEST 0.25 + 4 × 0.55 = 2.45;
  25 WIRE-TEST 4 × 0.5 = 2.00; 30 PACK 0.25 + 4 × 0.40 = 1.85: 15.00 h in all.
* BODY-7040 × 4 (one a run): 10 SAW 0.25 + 4 × 0.6824 = 2.98 h; 20 CNC-DRILL
  0.5 + 4 × 0.47 = 2.38; 30 POWDER 3 + 4 × 2.284 = 12.14, one queue day.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _sample_order import RUN, confirmed_run_order


def _rows(html: str, routing: str) -> list[list[str]]:
    """The cells of an order routing's table, by its caption's routing number."""
    start = html.index(f"Order routing {routing} ")
    table = html[start : html.index("</table>", start)]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        if "<td" in row
    ]
    # sequence, work center code, then the figures (names and texts are the sample's)
    return [[row[0], row[1].split()[0], *row[3:]] for row in rows]


def test_the_configured_routing_is_shown_with_its_hours(
    web: TestClient, engine: Engine, sample: None, log_in: Callable[[str], str]
) -> None:
    token = log_in("ann")
    number = confirmed_run_order(engine)
    url = f"/orders/{number}/lines/1/configure"
    assert "Order routing as configured" not in web.get(url).text  # nothing configured yet

    saved = web.post(url, data={"csrf_token": token, **RUN}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    top, body = f"RT-BOM-{number}-1", f"RT-BOM-{number}-1.1"
    form = web.get(url).text
    assert "Order routing as configured" in form
    assert form.index(top) < form.index(body)  # top first, as the tree nests them
    assert f"Order routing {top} of LR-7040-{number}-1: hours for 4 ordered, 15.00 h" in form
    assert _rows(form, top) == [
        ["10", "LED-ASM", "0.50", "2.05", "8.70", "0 + 0"],
        ["20", "WIRE-TEST", "0.25", "0.55", "2.45", "0 + 0"],
        ["25", "WIRE-TEST", "0.00", "0.5", "2.00", "0 + 0"],
        ["30", "PACK", "0.25", "0.4", "1.85", "0 + 0"],
    ]
    assert _rows(form, body) == [
        ["10", "SAW", "0.25", "0.6824", "2.98", "0 + 0"],
        ["20", "CNC-DRILL", "0.50", "0.47", "2.38", "0 + 0"],
        ["30", "POWDER", "3.00", "2.284", "12.14", "1 + 0"],
    ]
    assert "fit LED modules" in form  # the operation's text from the template
    assert 'href="/capacity/POWDER"' in form

    order = web.get(f"/orders/{number}").text
    tree = order[order.index('id="tree-h"') :]
    assert _rows(tree, top) == _rows(form, top) and _rows(tree, body) == _rows(form, body)
    # each routing sits in its own node of the tree, under the node's configuration
    assert tree.index(f"BOM-{number}-1<") < tree.index(top) < tree.index(f"BOM-{number}-1.1<")
    assert tree.index(f"BOM-{number}-1.1<") < tree.index(body)
