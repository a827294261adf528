"""The admin pages: import a bundle with progress and located problems, export it,
manage users and tokens, read the audit log, and the refusals."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from _login import post_login
from pegboard import db
from pegboard.demo import demo_path
from pegboard.model import ApiToken, AuditEntry, Item, Job, Role, User
from pegboard.services import users

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
LogIn = Callable[[str], str]


@pytest.fixture(autouse=True)
def _join_jobs() -> Iterator[None]:
    """No background job outlives its test (the next test empties the database)."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(30)


def _admin(web: TestClient, engine: Engine, name: str = "ada") -> str:
    with db.session_factory(engine)() as s:
        users.create_user(s, name=name, password=PASSWORD, role=Role.ADMIN, author="test")
    page = post_login(web, {"name": name, "password": PASSWORD})
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found
    return found.group(1)


def _zip(folder: Path, replace: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.iterdir()):
            if p.suffix == ".csv" or p.name == "templates.json":
                zf.writestr(p.name, (replace or {}).get(p.name, p.read_bytes()))
    return buf.getvalue()


def _count(engine: Engine, model: type[object]) -> int:
    with db.session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def _upload(web: TestClient, token: str, data: bytes, name: str = "bundle.zip") -> str:
    sent = web.post(
        "/admin/bundle/import",
        data={"csrf_token": token},
        files={"file": (name, data, "application/zip")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert re.fullmatch(r"/admin/jobs/\d+", location)
    return location


def _wait(web: TestClient, url: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        page = web.get(url)
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        assert time.monotonic() < deadline, page.text
        time.sleep(0.05)


def test_index_links_by_role(web: TestClient, engine: Engine, log_in: LogIn) -> None:
    log_in("pia")
    page = web.get("/admin")
    assert page.status_code == 200
    assert 'href="/admin/audit"' in page.text and 'href="/admin/users"' not in page.text
    assert web.get("/admin/users").status_code == 403
    web.post("/logout", data={"csrf_token": CSRF.search(page.text).group(1)})  # type: ignore[union-attr]
    _admin(web, engine)
    assert 'href="/admin/users"' in web.get("/admin").text


def test_import_the_sample_and_export(web: TestClient, engine: Engine) -> None:
    token = _admin(web, engine)
    form = web.get("/admin/bundle")
    assert 'enctype="multipart/form-data"' in form.text
    job_page = _wait(web, _upload(web, token, _zip(demo_path("lighting"))))
    assert "Done." in job_page and "Rows imported" in job_page
    assert _count(engine, Item) > 0
    export = web.get("/admin/bundle/export")
    assert export.status_code == 200
    assert export.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
        assert "items.csv" in zf.namelist()
    assert 'href="/admin/bundle/export.xlsx"' in form.text
    book = web.get("/admin/bundle/export.xlsx")
    assert book.status_code == 200
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheets = load_workbook(io.BytesIO(book.content)).sheetnames
    assert {"items", "bom", "templates"} <= set(sheets)


def test_upsert_preview_page(web: TestClient, engine: Engine) -> None:
    """The admin page's upsert preview: per file added / changed / unchanged and the first
    changes; a bad row's place; nothing written."""
    token = _admin(web, engine)
    _wait(web, _upload(web, token, _zip(BASIC)))
    items = (BASIC / "items.csv").read_text()
    lines = items.splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("description")] = "Renamed <by hand>"
    lines[1] = ",".join(first)
    edited = _zip(BASIC, {"items.csv": "\n".join(lines) + "\n"})
    before = _count(engine, Item)

    def preview(data: bytes) -> str:
        sent = web.post(
            "/admin/bundle/upsert-preview",
            data={"csrf_token": token},
            files={"file": ("edited.zip", data, "application/zip")},
        )
        return sent.text

    page = preview(edited)
    assert "edited.zip: what an upsert would do (nothing was written)" in page
    assert re.search(r"<td>items</td><td class=\"num\">0</td><td class=\"num\">1</td>", page)
    assert f"items {first[0]}: description" in page and "Renamed &lt;by hand&gt;" in page
    assert _count(engine, Item) == before
    bad = _zip(BASIC, {"items.csv": items + "BAD,Broken,maybe,mto,1,lfl,,0,1,\n"})
    refused = preview(bad)
    assert "Not previewed" in refused and "maybe" in refused


APPLY_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def test_upsert_apply_writes_the_previewed_file(web: TestClient, engine: Engine) -> None:
    """The preview's Apply button posts the kept upload's token: an import job in upsert
    mode whose page lists what the preview listed; the item renamed in place, nothing
    else added; the token is spent (a second Apply is refused, nothing written)."""
    token = _admin(web, engine)
    _wait(web, _upload(web, token, _zip(BASIC)))
    lines = (BASIC / "items.csv").read_text().splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("description")] = "Renamed on the web"
    lines[1] = ",".join(first)
    page = web.post(
        "/admin/bundle/upsert-preview",
        data={"csrf_token": token},
        files={"file": ("edited.zip", _zip(BASIC, {"items.csv": "\n".join(lines) + "\n"}))},
    ).text
    found = APPLY_TOKEN.search(page)
    assert found and ">Apply</button>" in page, page
    before = _count(engine, Item)
    sent = web.post(
        "/admin/bundle/upsert-apply",
        data={"csrf_token": token, "token": found.group(1)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    done = _wait(web, sent.headers["location"])
    assert "added and changed in place" in done
    assert re.search(r"<td>items</td><td class=\"num\">0</td><td class=\"num\">1</td>", done)
    with db.session_scope(engine) as s:
        described = s.scalar(select(Item.description).where(Item.code == first[0]))
    assert described == "Renamed on the web" and _count(engine, Item) == before
    again = web.post(
        "/admin/bundle/upsert-apply", data={"csrf_token": token, "token": found.group(1)}
    )
    assert again.status_code == 422 and "preview the file again" in again.text
    other = web.post("/admin/bundle/upsert-apply", data={"csrf_token": token, "token": "../x"})
    assert other.status_code == 422 and "Not applied" in other.text


def test_a_bad_row_shows_where(web: TestClient, engine: Engine) -> None:
    token = _admin(web, engine)
    items = (BASIC / "items.csv").read_text()
    bad_line = items.count("\n") + 1
    data = _zip(BASIC, {"items.csv": items + "BAD,Broken,<b>maybe</b>,mto,1,lfl,,0,1,\n"})
    page = _wait(web, _upload(web, token, data))
    assert "Failed:" in page and "Nothing was written." in page
    row = re.search(r"<tr><td>items\.csv</td><td[^>]*>(\d+)</td><td>type</td>", page)
    assert row and int(row.group(1)) == bad_line, page
    assert "&lt;b&gt;maybe&lt;/b&gt;" in page and "<b>maybe" not in page
    assert _count(engine, Item) == 0


def test_emptying_the_company_needs_the_tick_box(web: TestClient, engine: Engine) -> None:
    """An items.csv with its header only deletes every item: only with "allow empty"
    ticked (issue #20, item 3), as with ``pegboard import --allow-empty``."""
    token = _admin(web, engine)
    assert 'name="allow_empty"' in web.get("/admin/bundle").text
    _wait(web, _upload(web, token, _zip(demo_path("lighting"))))
    items = _count(engine, Item)
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("items.csv", "item,type\n")
    page = _wait(web, _upload(web, token, empty.getvalue()))
    assert "Failed:" in page and "holds no items" in page
    assert _count(engine, Item) == items > 0
    sent = web.post(
        "/admin/bundle/import",
        data={"csrf_token": token, "allow_empty": "1"},
        files={"file": ("empty.zip", empty.getvalue(), "application/zip")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert "Done." in _wait(web, sent.headers["location"])
    assert _count(engine, Item) == 0


def test_an_unsafe_zip_is_refused(web: TestClient, engine: Engine) -> None:
    token = _admin(web, engine)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../items.csv", "item\n")
    sent = web.post(
        "/admin/bundle/import",
        data={"csrf_token": token},
        files={"file": ("evil.zip", buf.getvalue(), "application/zip")},
    )
    assert sent.status_code == 422 and "unsafe entry" in sent.text
    assert _count(engine, Job) == 0


def test_users_add_change_role_and_switch_off(web: TestClient, engine: Engine) -> None:
    token = _admin(web, engine)
    added = web.post(
        "/admin/users",
        data={"csrf_token": token, "name": "<bo>", "role": "viewer", "password": PASSWORD},
    )
    assert added.status_code == 200 and "The user was added." in added.text
    assert "&lt;bo&gt;" in added.text and "<bo>" not in added.text
    twice = web.post(
        "/admin/users",
        data={"csrf_token": token, "name": "<bo>", "role": "viewer", "password": PASSWORD},
    )
    assert twice.status_code == 409 and "exists already" in twice.text
    role = web.post(
        "/admin/users/role", data={"csrf_token": token, "name": "<bo>", "role": "buyer"}
    )
    assert "The role was changed." in role.text
    off = web.post("/admin/users/active", data={"csrf_token": token, "name": "<bo>", "active": "0"})
    assert "Switch on &lt;bo&gt;" in off.text
    with db.session_scope(engine) as s:
        bo = s.scalars(select(User).where(User.name == "<bo>")).one()
        assert (bo.role, bo.active) == (Role.BUYER, False)


def test_tokens_created_once_and_revoked(web: TestClient, engine: Engine) -> None:
    token = _admin(web, engine)
    made = web.post("/admin/tokens", data={"csrf_token": token, "name": "ci"})
    assert made.status_code == 200
    secret = re.search(r'<code id="new-token">([^<]+)</code>', made.text)
    assert secret and secret.group(1).startswith("pgb_")
    again = web.get("/admin/tokens")
    assert secret.group(1) not in again.text and "ci" in again.text
    assert web.get("/api/items", headers={"Authorization": f"Bearer {secret.group(1)}"}).is_success
    ids = re.findall(r'action="/admin/tokens/(\d+)/revoke"', web.get("/admin/users").text)
    assert len(ids) == 1
    gone = web.post(f"/admin/tokens/{ids[0]}/revoke", data={"csrf_token": token, "back": "users"})
    assert gone.status_code == 200 and "The token was revoked." in gone.text
    with db.session_scope(engine) as s:
        assert s.scalars(select(ApiToken)).one().revoked_at is not None
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert web.get("/api/items", headers=headers).status_code == 401


def test_a_user_revokes_only_their_own_token(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    with db.session_factory(engine)() as s:
        users.create_user(s, name="other", password=PASSWORD, role=Role.ADMIN, author="test")
        other_id, _ = users.create_token(s, user="other", name="x", author="test")
    token = log_in("pia")
    made = web.post("/admin/tokens", data={"csrf_token": token, "name": "mine"})
    assert "new-token" in made.text
    assert (
        web.post(f"/admin/tokens/{other_id}/revoke", data={"csrf_token": token}).status_code == 403
    )
    mine = re.findall(r'action="/admin/tokens/(\d+)/revoke"', made.text)
    assert mine and int(mine[0]) != other_id
    assert "revoked" in web.post(f"/admin/tokens/{mine[0]}/revoke", data={"csrf_token": token}).text
    with db.session_scope(engine) as s:
        revoked = {t.name: t.revoked_at is not None for t in s.scalars(select(ApiToken))}
    assert revoked == {"x": False, "mine": True}


def test_audit_log_filters_and_pages(web: TestClient, engine: Engine) -> None:
    token = _admin(web, engine)
    for n in range(3):
        web.post(
            "/admin/users",
            data={"csrf_token": token, "name": f"u{n}", "role": "viewer", "password": PASSWORD},
        )
    web.post("/admin/users/role", data={"csrf_token": token, "name": "u1", "role": "planner"})
    page = web.get("/admin/audit", params={"entity": "user", "action": "update"})
    assert page.status_code == 200
    shown = page.text.replace(token, "")  # the random CSRF token could contain "u0"
    assert "role: viewer → planner" in shown and "u0" not in shown
    everyone = web.get("/admin/audit", params={"author": "ada"}).text.replace(token, "")
    assert everyone.index("u2") < everyone.index("u0")  # newest first
    assert "u1" in web.get("/admin/audit", params={"ref": "u1"}).text
    assert "No entries match." in web.get("/admin/audit", params={"since": "2999-01-01"}).text
    assert web.get("/admin/audit", params={"since": "soon"}).status_code == 422
    assert 'rel="next"' not in everyone
    with db.session_factory(engine)() as s:
        for n in range(60):
            users.create_token(s, user="ada", name=f"t{n}", author="ada")
    first = web.get("/admin/audit").text
    nxt = re.search(r'href="([^"]+)" rel="next"', first)
    assert nxt
    second = web.get(nxt.group(1).replace("&amp;", "&")).text
    assert "Entries 51–" in second

    # the downloads hold every entry that matches (not the page's 50), filter kept
    links = re.findall(r'href="(/admin/audit\?[^"]*export=(?:xlsx|csv))"', first)
    assert len(links) == 2
    csv_text = web.get(links[1].replace("&amp;", "&")).content.decode("utf-8-sig")
    entries = list(csv.reader(io.StringIO(csv_text)))
    assert entries[0] == [
        "when (UTC)",
        "author",
        "entity",
        "reference",
        "action",
        "changes",
        "note",
    ]
    assert len(entries) - 1 == _count(engine, AuditEntry) > 60
    filtered = web.get("/admin/audit", params={"entity": "user", "action": "update"}).text
    wanted = re.search(r'href="([^"]*export=csv)"', filtered)
    assert wanted and "entity=user" in wanted.group(1)
    rows = list(csv.reader(io.StringIO(web.get(wanted.group(1).replace("&amp;", "&")).text)))
    assert [r[3] for r in rows[1:]] == ["u1"] and "role: viewer → planner" in rows[1][5]
    book = openpyxl.load_workbook(io.BytesIO(web.get(links[0].replace("&amp;", "&")).content))
    assert book.active is not None and book.active.max_row == len(entries)


def test_a_planner_is_refused_and_nothing_is_written(
    web: TestClient, engine: Engine, log_in: LogIn
) -> None:
    token = log_in("pia")
    before = (_count(engine, User), _count(engine, AuditEntry))
    add = web.post(
        "/admin/users",
        data={"csrf_token": token, "name": "eve", "role": "admin", "password": PASSWORD},
    )
    assert add.status_code == 403
    assert (
        web.post(
            "/admin/users/role", data={"csrf_token": token, "name": "pia", "role": "admin"}
        ).status_code
        == 403
    )
    assert (
        web.post(
            "/admin/users/active", data={"csrf_token": token, "name": "pia", "active": "0"}
        ).status_code
        == 403
    )
    sent = web.post(
        "/admin/bundle/import",
        data={"csrf_token": token},
        files={"file": ("b.zip", _zip(demo_path("lighting")), "application/zip")},
    )
    assert sent.status_code == 403
    assert (_count(engine, User), _count(engine, AuditEntry)) == before
    assert _count(engine, Job) == 0 and _count(engine, Item) == 0


def test_a_post_without_the_token_is_refused(web: TestClient, engine: Engine) -> None:
    _admin(web, engine)
    before = (_count(engine, User), _count(engine, ApiToken))
    for url, data in (
        ("/admin/users", {"name": "eve", "role": "admin", "password": PASSWORD}),
        ("/admin/users/role", {"name": "ada", "role": "viewer"}),
        ("/admin/tokens", {"name": "x"}),
    ):
        assert web.post(url, data=data).status_code == 403
        assert web.post(url, data=data | {"csrf_token": "forged"}).status_code == 403
    files = {"file": ("b.zip", _zip(demo_path("lighting")), "application/zip")}
    assert web.post("/admin/bundle/import", files=files).status_code == 403
    assert (_count(engine, User), _count(engine, ApiToken)) == before
    assert _count(engine, Job) == 0


def test_signed_out_goes_to_login(web: TestClient) -> None:
    for url in ("/admin", "/admin/users", "/admin/audit", "/admin/bundle/export"):
        got = web.get(url, follow_redirects=False)
        assert got.status_code == 303 and "/login" in got.headers["location"]


def test_a_running_import_is_cancelled_from_its_page(web: TestClient, engine: Engine) -> None:
    """The job page of a running import has a cancel button; the import rolls back."""
    from pegboard.services.jobs import kinds as job_kinds
    from pegboard.services.jobs import records as job_records
    from pegboard.services.jobs import running as job_running

    release = threading.Event()

    def waiting(_s: object, progress: job_kinds.Progress) -> dict[str, object]:
        progress("reading", 0, 1)
        release.wait(20)
        progress("writing", 1, 2)  # where the cancel is seen
        return {}

    token = _admin(web, engine)
    with db.session_factory(engine)() as s:
        job_id = job_records.start_job(s, "import", author="ada")
    thread = job_running.start_in_background(engine, job_id, waiting)
    page = web.get(f"/admin/jobs/{job_id}")
    assert f'action="/jobs/{job_id}/cancel"' in page.text and "Cancel this job" in page.text
    refused = web.post(f"/jobs/{job_id}/cancel", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    sent = web.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/admin/jobs/{job_id}"
    assert "ada asked this job to stop" in web.get(f"/admin/jobs/{job_id}").text
    release.set()
    thread.join(20)
    text = _wait(web, f"/admin/jobs/{job_id}")
    assert "cancelled by ada; nothing was written" in text
    assert "Cancel this job" not in text
