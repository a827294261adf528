"""One upsert, three ways (#19 item 5): the same small bundle (an item added, one
changed) applied to the same company by ``pegboard import --upsert``, by
``POST /api/bundle/upsert`` and by the admin page's Preview then Apply, each by the
same user. The three companies it leaves are equal (every file a bundle export holds),
and so are the audit entries each wrote (author, entity, ref, action, before, after
and note, in order). On both databases: the company is loaded afresh from the lighting
sample before each way, so each starts from the same copy."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from _login import post_login
from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.bundle.writer import dataset_tables
from pegboard.cli import app as cli
from pegboard.demo import demo_path
from pegboard.model import AuditEntry, Item, Role
from pegboard.services import company_data, users

USER = "ada"
PASSWORD = "correct horse battery"
CHANGED = "LED-BRD-24V-280"
ITEMS_CSV = (
    "item,type,description,lead_time_days,unit_cost\n"
    "LED-BRD-24V-300,buy,LED board 24 V 300 mm (added by upsert),21,6.05\n"
    f"{CHANGED},buy,LED board 24 V 280 mm (changed by upsert),30,5.75\n"
)
Company = dict[str, list[tuple[object, ...]]]
Entries = list[tuple[object, ...]]


def _bundle() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("items.csv", ITEMS_CSV)
    return buf.getvalue()


def _fresh_company(engine: Engine) -> int:
    """The lighting sample loaded in place of whatever the database holds; the last
    audit entry's id then (the upsert's entries come after it)."""
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
    with db.session_scope(engine) as s:
        return s.scalar(select(func.max(AuditEntry.id))) or 0


def _company(engine: Engine) -> Company:
    """Every file of the company's bundle export, its rows as values."""
    with db.session_scope(engine) as s:
        data = company_data.read_company(s)
    return {spec.name: [tuple(r) for r in rows] for spec, rows in dataset_tables(data)}


def _entries(engine: Engine, after: int) -> Entries:
    with db.session_scope(engine) as s:
        found = s.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
        ).all()
        return [
            (e.author, e.entity, e.entity_ref, e.action, e.before, e.after, e.note) for e in found
        ]


def _wait(web: TestClient, bearer: dict[str, str], job_id: int) -> dict[str, Any]:
    """The job once it has ended (the upsert runs in a thread of the server)."""
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = web.get(f"/api/jobs/{job_id}", headers=bearer).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def _by_cli(engine: Engine, tmp_path: Path) -> None:
    bundle = tmp_path / "upsert"  # the command takes the folder, the upload its zip
    bundle.mkdir()
    (bundle / "items.csv").write_text(ITEMS_CSV)
    url = engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(
        cli,
        ["import", str(bundle), "--upsert"],
        env={"PEGBOARD_DATABASE_URL": url, "PEGBOARD_USER": USER, "COLUMNS": "160"},
    )
    assert done.exit_code == 0, done.output
    assert "Upserted upsert" in done.output


def _by_api(web: TestClient, bearer: dict[str, str]) -> None:
    files = {"file": ("upsert.zip", _bundle(), "application/zip")}
    started = web.post("/api/bundle/upsert", headers=bearer, files=files)
    assert started.status_code == 202, started.text
    assert _wait(web, bearer, started.json()["id"])["status"] == "done"


def _by_page(web: TestClient, bearer: dict[str, str]) -> None:
    """The admin page as a browser posts it: signed in, Preview, then Apply."""
    page = post_login(web, {"name": USER, "password": PASSWORD})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and csrf
    shown = web.post(
        "/admin/bundle/upsert-preview",
        data={"csrf_token": csrf.group(1)},
        files={"file": ("upsert.zip", _bundle(), "application/zip")},
    )
    assert shown.status_code == 200, shown.text
    assert f"items {CHANGED}: description" in shown.text
    token = re.search(r'name="token" value="([^"]+)"', shown.text)
    assert token
    applied = web.post(
        "/admin/bundle/upsert-apply",
        data={"csrf_token": csrf.group(1), "token": token.group(1)},
        follow_redirects=False,
    )
    assert applied.status_code == 303, applied.text
    job_id = int(applied.headers["location"].rsplit("/", 1)[1])
    assert _wait(web, bearer, job_id)["status"] == "done"
    web.post("/logout", data={"csrf_token": csrf.group(1)})


def test_the_same_upsert_by_cli_api_and_page_leaves_the_same_company_and_audit(
    engine: Engine, tmp_path: Path
) -> None:
    from pegboard.api import create_app

    with db.session_factory(engine)() as s:
        users.create_user(s, name=USER, password=PASSWORD, role=Role.ADMIN, author="test")
        _, secret = users.create_token(s, user=USER, name="test", author="test")
    bearer = {"Authorization": f"Bearer {secret}"}
    companies: dict[str, Company] = {}
    entries: dict[str, Entries] = {}
    with TestClient(create_app(engine), raise_server_exceptions=True) as web:
        for way in ("cli", "api", "page"):
            mark = _fresh_company(engine)
            before = _company(engine)
            if way == "cli":
                _by_cli(engine, tmp_path)
            elif way == "api":
                _by_api(web, bearer)
            else:
                _by_page(web, bearer)
            companies[way], entries[way] = _company(engine), _entries(engine, mark)
            with db.session_scope(engine) as s:
                kept = s.scalar(select(Item.description).where(Item.code == CHANGED))
            assert kept == "LED board 24 V 280 mm (changed by upsert)", way

    # it did what the bundle says, and only that
    before_description = next(str(r[1]) for r in before["items"] if r[0] == CHANGED)
    added = [r for r in companies["cli"]["items"] if r not in before["items"]]
    assert sorted(str(r[0]) for r in added) == [CHANGED, "LED-BRD-24V-300"]
    assert {k: v for k, v in companies["cli"].items() if k != "items"} == {
        k: v for k, v in before.items() if k != "items"
    }
    assert companies["api"] == companies["cli"]
    assert companies["page"] == companies["cli"]

    # the same audit: one entry for the file's counts and one per row, by the same user
    change = (
        USER,
        "item",
        CHANGED,
        "upsert change",
        {"unit_cost": "5.6000", "lead_time_days": 28, "description": before_description},
        {
            "unit_cost": "5.7500",
            "lead_time_days": 30,
            "description": "LED board 24 V 280 mm (changed by upsert)",
        },
        "",
    )
    counts = (
        USER,
        "bundle",
        "items",
        "upsert",
        None,
        {"added": 1, "changed": 1, "unchanged": 0},
        "",
    )
    assert [e[2:4] for e in entries["cli"]] == [
        ("LED-BRD-24V-300", "upsert add"),
        (CHANGED, "upsert change"),
        ("items", "upsert"),
    ]
    assert change in entries["cli"] and counts in entries["cli"]
    assert entries["api"] == entries["cli"]
    assert entries["page"] == entries["cli"]
