"""The stock policy pages: recompute as a job with progress, the list with filters,
sorting and paging, one item's explanation, settings and applying, and who may do what."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from _login import post_login
from conftest import CSRF, PASSWORD
from pegboard import db
from pegboard.model import AuditEntry, Item, Job, JobStatus, Role
from pegboard.model.base import utcnow
from pegboard.services.policy import explain as policy_explain
from pegboard.services.policy import runs as policy_runs
from pegboard.services.policy import settings as policy_settings
from pegboard.web.render import number

LogIn = Callable[[str], str]


def _recompute(web: TestClient, token: str) -> str:
    response = web.post("/policy/run", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/policy/jobs/\d+", location)
    deadline = time.monotonic() + 60
    while True:
        job = web.get(location)
        assert job.status_code == 200
        if 'http-equiv="refresh"' not in job.text:
            return job.text
        assert "<progress" in job.text
        assert time.monotonic() < deadline, "the policy run did not finish in time"
        time.sleep(0.1)


def test_recompute_list_explain_and_apply(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    token = log_in("pam")
    start = web.get("/policy")
    assert start.status_code == 200
    assert "No policy computed yet." in start.text and "Compute the policy" in start.text
    assert 'aria-current="page"' in start.text
    done = _recompute(web, token)
    assert "Done." in done and 'href="/policy"' in done

    listing = web.get("/policy")
    assert "Recompute" in listing.text and "Policy run 1, computed" in listing.text
    assert 'href="/items/DIF-PRISM-5035"' in listing.text
    with db.session_factory(engine)() as s:
        prism = policy_explain.explain(s, "DIF-PRISM-5035").policy
    # the window covers the backlog that matters (at least 28 days); figures in whole steps
    assert prism.window_days >= 28 and prism.decimals == 3
    assert prism.order_qty % 3 == 0  # the item's multiple
    # the status in words, not colour alone
    assert f"order {number(prism.suggested_qty)}" in listing.text
    below = web.get("/policy", params={"below": "1"})
    assert "BRK-MNT-7040" not in below.text and "DIF-PRISM-5035" in below.text
    found = web.get("/policy", params={"q": "dali"})
    assert "DRV-DALI-40W" in found.text and "DIF-PRISM-5035" not in found.text
    assert web.get("/policy", params={"sort": "-adu", "offset": "x"}).status_code == 200
    assert web.get("/policy", params={"q": "<script>"}).text.count("<script>") == 0

    item = web.get("/policy/DIF-PRISM-5035")
    assert item.status_code == 200
    formulas = {f.name: f.formula for f in prism.formulas}
    for name in ("safety stock", "reorder point", "annual demand", "order qty"):
        assert formulas[name] in item.text
    assert "up to 3 decimals" in formulas["safety stock"] + formulas["order qty"]
    assert f"extrapolated from the need of the {prism.window_days}-day window" in item.text
    assert "Save settings" in item.text
    assert 'href="/policy/DIF-PRISM-5035"' in web.get("/items/DIF-PRISM-5035").text
    missing = web.get("/policy/NOPE")
    assert missing.status_code == 404 and "No item" in missing.text

    # settings: saved, said to count from the next run; as a buffer the zones show
    saved = web.post(
        "/policy/DIF-PRISM-5035/settings",
        data={"csrf_token": token, "buffer": "1", "ordering_cost": "", "service_level": ""},
    )
    assert saved.status_code == 200 and "Settings saved" in saved.text
    assert "settings changed since this run" in saved.text
    bad = web.post(
        "/policy/DIF-PRISM-5035/settings", data={"csrf_token": token, "service_level": "2"}
    )
    assert bad.status_code == 422 and "service_level" in bad.text
    _recompute(web, token)
    buffer = web.get("/policy/DIF-PRISM-5035")
    assert "DDMRP zones" in buffer.text and "<svg" in buffer.text and "TOG = TOY" in buffer.text
    assert "zone-" in web.get("/policy", params={"q": "DIF-PRISM"}).text

    # apply: a confirmation listing before and after, then written with an audit entry
    confirm = web.post("/policy/apply", data={"csrf_token": token, "selected": ["DRV-DALI-40W"]})
    assert confirm.status_code == 200 and "safety_stock" in confirm.text
    assert "Write these to 1 item</button>" in confirm.text
    assert _ss(engine) == 20  # nothing written yet
    with db.session_factory(engine)() as s:
        dali = policy_explain.explain(s, "DRV-DALI-40W").policy
    written = web.post(
        "/policy/apply",
        data={"csrf_token": token, "selected": ["DRV-DALI-40W"], "confirm": "1"},
    )
    assert written.status_code == 200 and "1 item changed" in written.text
    assert _ss(engine) == dali.target_safety_stock == int(dali.target_safety_stock)
    with db.session_factory(engine)() as s:
        audits = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "policy_apply")
        )
        assert audits == 1
    assert web.post("/policy/apply", data={"csrf_token": token}).status_code == 422

    # a second recompute while one runs is refused with the reason
    with db.session_factory(engine)() as s, s.begin():
        s.add(Job(kind="policy", status=JobStatus.RUNNING, author="other", heartbeat_at=utcnow()))
    again = web.post("/policy/run", data={"csrf_token": token})
    assert again.status_code == 409 and "is still running" in again.text


def test_a_viewer_sees_but_may_not_change(
    web: TestClient, engine: Engine, make_user: Callable[..., None], sample: None
) -> None:
    with db.session_factory(engine)() as s:
        policy_runs.run_policy(s, author="test")
    make_user("vic", Role.VIEWER)
    page = post_login(web, {"name": "vic", "password": PASSWORD})
    found = CSRF.search(page.text)
    assert found
    token = found.group(1)
    listing = web.get("/policy")
    assert listing.status_code == 200 and "DIF-PRISM-5035" in listing.text
    assert "Recompute" not in listing.text and "Apply selected" not in listing.text
    item = web.get("/policy/DIF-PRISM-5035")
    assert item.status_code == 200 and "Save settings" not in item.text
    jobs_before = _jobs(engine)
    for url, data in [
        ("/policy/run", {"csrf_token": token}),
        ("/policy/apply", {"csrf_token": token, "selected": ["DRV-DALI-40W"], "confirm": "1"}),
        ("/policy/DIF-PRISM-5035/settings", {"csrf_token": token, "buffer": "1"}),
    ]:
        assert web.post(url, data=data).status_code == 403, url
    assert _jobs(engine) == jobs_before
    assert _ss(engine) == 20
    with db.session_factory(engine)() as s:
        assert policy_settings.get_item_policy(s, "DIF-PRISM-5035").buffer is False


def test_forged_tokens_and_signed_out_users(
    web: TestClient, engine: Engine, log_in: LogIn, sample: None
) -> None:
    assert web.get("/policy", follow_redirects=False).status_code == 303
    log_in("pam")
    assert web.post("/policy/run", data={"csrf_token": "forged"}).status_code == 403
    assert web.post("/policy/apply", data={"selected": ["DRV-DALI-40W"]}).status_code == 403
    assert _jobs(engine) == 0
    assert web.get("/policy/jobs/999").status_code == 404


def _jobs(engine: Engine) -> int:
    with db.session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(Job)) or 0)


def _ss(engine: Engine) -> float:
    with db.session_factory(engine)() as s:
        return float(s.scalar(select(Item.safety_stock).where(Item.code == "DRV-DALI-40W")) or 0)
