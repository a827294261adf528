"""Issue #19 item 8 in the browser's pages: a single order line changed and cancelled, a
whole order cancelled only after a confirmation page, a message after each action that
is shown once (flash after redirect), "tick all" on the planned orders without a script,
and a styled 404 for an unknown line. On both databases, over the planned sample."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from pegboard import clock

LogIn = Callable[[str], str]
DONE = re.compile(r'<div class="message notice done" role="status"><p>([^<]*)</p>')


def _done(text: str) -> str | None:
    found = DONE.search(text)
    return found.group(1) if found else None


def test_cancelling_an_order_asks_first(web: TestClient, log_in: LogIn, sample: None) -> None:
    token = log_in("petra")
    order = web.get("/orders/SO-1001")
    assert 'href="/orders/SO-1001/cancel">Cancel order…</a>' in order.text
    ask = web.get("/orders/SO-1001/cancel")
    assert ask.status_code == 200 and "Cancel SO-1001?" in ask.text
    assert "cancels 2 open lines" in ask.text and "SO-1001/2" in ask.text
    assert "No, keep the order" in ask.text

    # a post without the confirmation (an old form) is sent to the question, not obeyed
    unasked = web.post(
        "/orders/SO-1001/status",
        data={"csrf_token": token, "status": "cancelled"},
        follow_redirects=False,
    )
    assert unasked.status_code == 303 and unasked.headers["location"] == "/orders/SO-1001/cancel"
    assert "confirmed" in web.get("/orders/SO-1001").text

    done = web.post(
        "/orders/SO-1001/status",
        data={"csrf_token": token, "status": "cancelled", "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = web.get(done.headers["location"])
    assert _done(shown.text) == "Sales order SO-1001 cancelled."
    assert _done(web.get("/orders/SO-1001").text) is None  # once, not on every visit
    assert "it cannot be cancelled" in web.get("/orders/SO-1001/cancel").text


def test_one_line_changed_then_cancelled(web: TestClient, log_in: LogIn, sample: None) -> None:
    token = log_in("petra")
    assert 'href="/orders/SO-1003/lines/2/edit">Change or cancel' in web.get("/orders/SO-1003").text
    form = web.get("/orders/SO-1003/lines/2/edit")
    assert form.status_code == 200 and 'name="qty" value="8"' in form.text

    due = (clock.today() + timedelta(days=60)).isoformat()
    sent = {"csrf_token": token, "qty": "10", "due": due, "price": "305.00", "discount": ""}
    changed = web.post("/orders/SO-1003/lines/2", data=sent)
    assert changed.status_code == 200 and changed.url.path == "/orders/SO-1003"
    assert (_done(changed.text) or "").startswith("SO-1003/2 changed.")
    again = web.get("/orders/SO-1003/lines/2/edit").text
    assert 'name="qty" value="10"' in again and f'value="{due}"' in again

    # a bad value: the form again with the message and what was typed, nothing saved
    bad = web.post("/orders/SO-1003/lines/2", data=sent | {"qty": "ten"})
    assert bad.status_code == 422 and "qty must be a number" in bad.text
    assert 'value="ten"' in bad.text
    assert 'name="qty" value="10"' in web.get("/orders/SO-1003/lines/2/edit").text

    unasked = web.post(
        "/orders/SO-1003/lines/2/cancel", data={"csrf_token": token}, follow_redirects=False
    )
    assert unasked.headers["location"] == "/orders/SO-1003/lines/2/edit"
    cancelled = web.post(
        "/orders/SO-1003/lines/2/cancel", data={"csrf_token": token, "confirm": "yes"}
    )
    assert (_done(cancelled.text) or "").startswith("SO-1003/2 cancelled.")
    assert "it can no longer be changed" in web.get("/orders/SO-1003/lines/2/edit").text
    # the other line is untouched, the order still open
    assert 'href="/orders/SO-1003/lines/1/edit"' in web.get("/orders/SO-1003").text

    missing = web.get("/orders/SO-1003/lines/9/edit")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "has no line 9" in missing.text


def test_tick_all_planned_orders_without_a_script(
    web: TestClient, log_in: LogIn, sample: None
) -> None:
    log_in("petra")
    plain = web.get("/plan/planned-orders?type=buy").text
    boxes = plain.count('name="selected"')
    assert boxes > 1 and " checked>" not in plain
    link = re.search(r'<a href="([^"]+)">Tick all on this page</a>', plain)
    assert link
    ticked = web.get(link.group(1).replace("&amp;", "&")).text
    assert ticked.count('name="selected"') == boxes
    assert ticked.count(" checked>") == boxes and "Untick all" in ticked
    assert "<script" not in ticked.split("</head>", 1)[1]


def test_a_production_action_says_what_it_did(web: TestClient, log_in: LogIn, sample: None) -> None:
    token = log_in("petra")
    listed = web.get("/production?status=planned").text
    number = re.search(r'<a href="/production/([^"]+)">', listed)
    assert number
    done = web.post(f"/production/{number.group(1)}/release", data={"csrf_token": token})
    assert done.status_code == 200
    assert _done(done.text) == f"{number.group(1)}: released."
