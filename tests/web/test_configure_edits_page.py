"""Re-configuring from the page (#14, item 1): the form lists the order BOM's hand edits
it would drop and needs the tick box before dropping them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from _sample_order import RUN, confirmed_run_order
from pegboard import clock, db
from pegboard.services import order_bom


def test_the_configure_form_asks_before_dropping_hand_edits(
    web: TestClient, engine: Engine, sample: None, log_in: Callable[[str], str]
) -> None:
    token = log_in("ann")
    number = confirmed_run_order(engine)
    with db.session_factory(engine)() as s:
        order_bom.configure_line(s, number, 1, RUN, author="planner", today=clock.today())
    url = f"/orders/{number}/lines/1/configure"
    assert "changed by hand" not in web.get(url).text

    added = web.post(
        f"/orders/{number}/boms/BOM-{number}-1/lines",
        data={"csrf_token": token, "component": "SNS-PIR-010V", "qty": "2"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    form = web.get(url).text
    assert "changed by hand" in form and "SNS-PIR-010V × 2 added" in form
    assert 'name="discard_edits"' in form

    refused = web.post(url, data={"csrf_token": token, **RUN}, follow_redirects=False)
    assert refused.status_code == 409
    assert "hand edits that re-configuring drops" in refused.text
    assert "SNS-PIR-010V" in web.get(f"/orders/{number}").text

    done = web.post(
        url, data={"csrf_token": token, **RUN, "discard_edits": "1"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert "SNS-PIR-010V" not in web.get(f"/orders/{number}").text
    assert "changed by hand" not in web.get(url).text
