"""The plan and purchasing pages: run the plan with progress, firm planned buys into a
purchase order, confirm and receive it through the forms, and the refusals."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from _login import post_login
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import (
    Item,
    ItemType,
    Job,
    JobStatus,
    PlannedOrder,
    PurchaseOrder,
    PurchaseOrderLine,
    Role,
)
from pegboard.model.base import utcnow
from pegboard.services import company_data

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LogIn = Callable[[str], str]


def _two_buys_of_one_supplier(engine: Engine) -> list[str]:
    with db.session_factory(engine)() as s:
        rows = s.execute(
            select(PlannedOrder.number, Item.supplier)
            .join(Item, Item.id == PlannedOrder.item_id)
            .where(PlannedOrder.type == ItemType.BUY, PlannedOrder.firmed_as.is_(None))
            .order_by(PlannedOrder.id)
        ).all()
    by_supplier: dict[str, list[str]] = {}
    for number, supplier in rows:
        by_supplier.setdefault(supplier, []).append(number)
    return next(numbers[:2] for numbers in by_supplier.values() if len(numbers) >= 2)


def _count(engine: Engine, table: type[object]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _received(engine: Engine, number: str) -> list[float]:
    with engine.connect() as conn:
        return [
            float(q)
            for (q,) in conn.execute(
                select(PurchaseOrderLine.received_qty)
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
                .where(PurchaseOrder.number == number)
                .order_by(PurchaseOrderLine.line)
            )
        ]


def _firm_one_po(web: TestClient, engine: Engine, token: str) -> str:
    chosen = _two_buys_of_one_supplier(engine)
    listing = web.get("/plan/planned-orders", params={"type": "buy", "open": "1"})
    assert listing.status_code == 200
    for number in chosen:
        assert f'name="selected" value="{number}"' in listing.text
    done = web.post("/plan/firm", data={"csrf_token": token, "selected": chosen})
    assert done.status_code == 200, done.text
    assert "Purchase orders created, by supplier" in done.text
    found = re.findall(r'href="/purchasing/([^"]+)"', done.text)
    assert len(found) == 1
    return found[0]


def test_run_the_plan_from_the_page_and_watch_it(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
    token = log_in("pam")
    start = web.get("/plan")
    assert "No plan yet." in start.text and "Run the plan" in start.text
    response = web.post("/plan/run", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/plan/jobs/\d+", location)
    deadline = time.monotonic() + 60
    while True:
        job = web.get(location)
        assert job.status_code == 200
        if 'http-equiv="refresh"' not in job.text:
            break
        assert "<progress" in job.text
        assert time.monotonic() < deadline, "the plan run did not finish in time"
        time.sleep(0.2)
    assert "Done." in job.text and 'href="/plan"' in job.text
    summary = web.get("/plan")
    assert "Current plan" in summary.text and "Planned orders" in summary.text
    assert web.get("/plan/exceptions").status_code == 200

    # a second start while one is running is refused with the reason
    with db.session_factory(engine)() as s, s.begin():
        s.add(Job(kind="plan", status=JobStatus.RUNNING, author="other", heartbeat_at=utcnow()))
    again = web.post("/plan/run", data={"csrf_token": token})
    assert again.status_code == 409
    assert "is still running" in again.text


def test_firm_confirm_and_receive_through_the_forms(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    token = log_in("pam")
    number = _firm_one_po(web, engine, token)
    order = web.get(f"/purchasing/{number}")
    assert order.status_code == 200 and "draft" in order.text
    confirmed = web.post(f"/purchasing/{number}/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 200 and "Receive goods" in confirmed.text
    prefilled = re.findall(r'name="qty" value="([^"]+)"', confirmed.text)
    assert len(prefilled) == 2
    ordered = [float(q) for q in prefilled]

    # over-receipt: re-rendered with the message, nothing written
    over = web.post(
        f"/purchasing/{number}/receive",
        data={"csrf_token": token, "line": ["1", "2"], "qty": [str(ordered[0] * 10), ""]},
    )
    assert over.status_code == 422
    assert "tolerance" in over.text and "Not done:" in over.text
    assert _received(engine, number) == [0.0, 0.0]

    # a part of line 1 only
    part = ordered[0] / 2
    received = web.post(
        f"/purchasing/{number}/receive",
        data={"csrf_token": token, "line": ["1", "2"], "qty": [str(part), ""]},
    )
    assert received.status_code == 200, received.text
    assert _received(engine, number) == [part, 0.0]
    listing = web.get("/purchasing", params={"status": "confirmed"})
    assert number in listing.text

    # a wrong status is a conflict: confirming twice
    twice = web.post(f"/purchasing/{number}/confirm", data={"csrf_token": token})
    assert twice.status_code == 409 and "Not done:" in twice.text


def test_viewer_sees_no_buttons_and_forged_posts_are_refused(
    web: TestClient, engine: Engine, make_user: Callable[..., None], sample: None
) -> None:
    # a planner firms one order, then a viewer looks at it
    planner = TestClient(web.app)
    make_user("pam")
    first = post_login(planner, {"name": "pam", "password": PASSWORD})
    found = CSRF.search(first.text)
    assert found
    number = _firm_one_po(planner, engine, found.group(1))

    make_user("vic", Role.VIEWER)
    page = post_login(web, {"name": "vic", "password": PASSWORD})
    found = CSRF.search(page.text)
    assert found
    token = found.group(1)
    assert "Run the plan" not in web.get("/plan").text
    orders = web.get("/plan/planned-orders")
    assert orders.status_code == 200 and "Firm selected" not in orders.text
    po_page = web.get(f"/purchasing/{number}")
    assert po_page.status_code == 200 and "/confirm" not in po_page.text

    jobs, pos = _count(engine, Job), _count(engine, PurchaseOrder)
    chosen = _two_buys_of_one_supplier(engine)
    for url, data in [
        ("/plan/run", {"csrf_token": token}),
        ("/plan/firm", {"csrf_token": token, "selected": chosen}),
        (f"/purchasing/{number}/confirm", {"csrf_token": token}),
        (f"/purchasing/{number}/receive", {"csrf_token": token, "line": "1", "qty": "1"}),
    ]:
        refused = web.post(url, data=data)
        assert refused.status_code == 403, url
    assert (_count(engine, Job), _count(engine, PurchaseOrder)) == (jobs, pos)
    assert "draft" in web.get(f"/purchasing/{number}").text


def test_posts_without_the_csrf_token_are_refused(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    log_in("pam")
    chosen = _two_buys_of_one_supplier(engine)
    pos = _count(engine, PurchaseOrder)
    assert web.post("/plan/firm", data={"selected": chosen}).status_code == 403
    assert web.post("/plan/run", data={"csrf_token": "forged"}).status_code == 403
    assert _count(engine, PurchaseOrder) == pos
    assert _count(engine, Job) == 0


def test_exceptions_and_planned_orders_filter_and_escape(
    web: TestClient, log_in: LogIn, sample: None
) -> None:
    log_in("pam")
    page = web.get("/plan/exceptions", params={"item": "<script>x</script>"})
    assert page.status_code == 200 and "<script>x" not in page.text
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text
    everything = web.get("/plan/exceptions")
    assert "Suggested action" in everything.text
    bad = web.get("/plan/planned-orders", params={"until": "tomorrow"})
    assert bad.status_code == 422 and "is not a date" in bad.text
    first = web.get("/plan/planned-orders", params={"type": "make"})
    assert first.status_code == 200 and "Rows 1–" in first.text
    beyond = web.get("/plan/planned-orders", params={"offset": "100000"})
    assert beyond.status_code == 200 and "No planned orders match." in beyond.text
