"""The dashboard's planned buys and makes to release by today (#19): the first few, the
count of all, and a link to the whole list on the planned-orders page with the same
filter (type, release until today), where a planner pages through them and firms."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from pegboard import clock

LogIn = Callable[[str], str]


def _section(text: str, kind: str) -> str:
    return text.split(f'id="{kind}-h"', 1)[1].split("</section>", 1)[0]


def test_each_release_list_links_to_the_planned_orders_page_filtered_alike(
    web: TestClient, sample: None, log_in: LogIn
) -> None:
    log_in("ann")
    text = web.get("/").text
    today = clock.today().isoformat()
    linked = 0
    for kind in ("buy", "make"):
        section = _section(text, kind)
        numbers = re.findall(r'<th scope="row"><a href="[^"]*">(PL-\d+)</a></th>', section)
        if not numbers:
            assert "Nothing to release." in section
            continue
        href = f"/plan/planned-orders?type={kind}&amp;until={today}"
        assert href in section, section[:600]
        page = web.get(unescape(href))
        assert page.status_code == 200
        assert f'<option value="{kind}" selected>' in page.text
        assert f'value="{today}"' in page.text
        listed = re.findall(r'<th scope="row">(PL-\d+)[ <]', page.text)  # a make's: move link
        assert listed and (set(numbers) <= set(listed) or len(listed) == 50)
        linked += 1
    assert linked, "the sample has planned orders to release today"
