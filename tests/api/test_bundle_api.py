"""Bundle import (an upload, run as a background job) and export (a zip), through the API."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Item, Job, SalesOrder
from pegboard.services.company_data import replace_company
from pegboard.services.jobs import records as job_records
from pegboard.services.planning import run_plan

Headers = dict[str, str]
LIGHTING = demo_path("lighting")
BASIC = Path(__file__).parents[1] / "scenarios" / "basic" / "bundle"
ZIP = "application/zip"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _join_jobs() -> Iterator[None]:
    """No background job outlives its test (the next test empties the database)."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(30)


def wait_for(api: TestClient, headers: Headers, job_id: int, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        job: dict[str, Any] = api.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}: {job}"
        time.sleep(0.05)


def zip_bytes(files: Mapping[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def folder_files(folder: Path, prefix: str = "") -> dict[str, bytes | str]:
    return {
        prefix + p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.suffix == ".csv" or p.name == "templates.json"
    }


def upload(
    api: TestClient, headers: Headers, data: bytes, name: str = "bundle.zip", kind: str = ZIP
) -> Any:
    return api.post("/api/bundle/import", headers=headers, files={"file": (name, data, kind)})


def count(engine: Engine, model: type[Any]) -> int:
    with db.session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def item_codes(engine: Engine) -> set[str]:
    with db.session_scope(engine) as s:
        return set(s.scalars(select(Item.code)))


def csv_column(path: Path, column: int = 0) -> set[str]:
    return {line.split(",")[column] for line in path.read_text().splitlines()[1:] if line}


@pytest.fixture
def lighting(engine: Engine) -> Engine:
    with db.session_scope(engine) as s:
        replace_company(s, read_bundle(LIGHTING), author="test")
    return engine


def test_import_a_zip_replaces_the_data(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    admin = as_role("admin")
    # the files in one top folder, as zipping a folder gives
    response = upload(api, admin, zip_bytes(folder_files(BASIC, "basic/")))
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "import" and response.headers["location"] == f"/api/jobs/{job['id']}"
    job = wait_for(api, admin, job["id"])
    assert job["status"] == "done", job
    assert job["result"]["file"] == "bundle.zip"
    assert job["result"]["rows"]["items"] == len(csv_column(BASIC / "items.csv"))
    assert item_codes(lighting) == csv_column(BASIC / "items.csv")


def test_import_the_sample_with_templates(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    admin = as_role("admin")
    files = folder_files(LIGHTING) | {"__MACOSX/._items.csv": b"junk", ".DS_Store": b"junk"}
    job = upload(api, admin, zip_bytes(files)).json()
    job = wait_for(api, admin, job["id"])
    assert job["status"] == "done", job
    assert item_codes(engine) == csv_column(LIGHTING / "items.csv")
    assert job["result"]["rows"]["templates"] > 0
    assert count(engine, SalesOrder) == len(csv_column(LIGHTING / "sales_orders.csv"))


def test_a_bad_row_fails_the_job_with_located_problems(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    admin = as_role("admin")
    files = folder_files(BASIC)
    files["items.csv"] = (BASIC / "items.csv").read_text() + "BAD,Broken,maybe,mto,1,lfl,,0,1,\n"
    bad_line = (BASIC / "items.csv").read_text().count("\n") + 1
    job = upload(api, admin, zip_bytes(files)).json()
    job = wait_for(api, admin, job["id"])
    assert job["status"] == "failed"
    assert "nothing was imported" in job["message"]
    problems = job["result"]["problems"]
    assert job["result"]["code"] == "bundle_invalid"
    assert any(
        (p["file"], p["line"], p["column"], p["value"]) == ("items.csv", bad_line, "type", "maybe")
        for p in problems
    ), problems
    assert all(p["text"].startswith(p["file"]) for p in problems)
    assert item_codes(lighting) == csv_column(LIGHTING / "items.csv")  # nothing written
    # the failed import does not hold the lock
    job = upload(api, admin, zip_bytes(folder_files(BASIC))).json()
    assert wait_for(api, admin, job["id"])["status"] == "done"


@pytest.mark.parametrize("entry", ["../items.csv", "/etc/items.csv", "a/../../items.csv"])
def test_an_entry_outside_the_folder_is_refused(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine, entry: str
) -> None:
    files = folder_files(BASIC) | {entry: "item\nX\n"}
    response = upload(api, as_role("admin"), zip_bytes(files))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "file" and "unsafe entry" in error["message"]
    assert count(engine, Job) == 0


def test_zip_limits(
    api: TestClient,
    as_role: Callable[[str], Headers],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = as_role("admin")
    data = zip_bytes(folder_files(BASIC))
    monkeypatch.setenv("PEGBOARD_UPLOAD_MAX_FILES", "3")
    response = upload(api, admin, data)
    assert response.status_code == 422 and "entries" in response.json()["error"]["message"]
    monkeypatch.delenv("PEGBOARD_UPLOAD_MAX_FILES")
    monkeypatch.setenv("PEGBOARD_UPLOAD_LIMIT_BYTES", "200")
    response = upload(api, admin, data)
    assert response.status_code == 422 and "unpacks to more" in response.json()["error"]["message"]
    # a zip bomb that lies about its sizes is refused too
    bomb = zip_bytes({"items.csv": "item\n" + "X\n" * 1000})
    monkeypatch.setenv("PEGBOARD_UPLOAD_LIMIT_BYTES", "1000")
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 1000
    forged = bytearray(bomb)  # patch both declared sizes of items.csv to 10 bytes
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = forged.index(header) + offset
        forged[at : at + 4] = (10).to_bytes(4, "little")
    response = upload(api, admin, bytes(forged))
    assert response.status_code == 422, response.text
    assert count(engine, Job) == 0


def test_not_a_bundle_upload(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    admin = as_role("admin")
    response = upload(api, admin, b"item\nX\n", name="items.csv", kind="text/csv")
    assert response.status_code == 422 and "upload a .zip" in response.json()["error"]["message"]
    response = upload(api, admin, b"not a zip at all")
    assert response.status_code == 422 and "not a readable zip" in response.text
    response = upload(api, admin, zip_bytes({"readme.txt": "hello"}))
    assert response.status_code == 422 and "no CSV files" in response.text
    assert api.post("/api/bundle/import", headers=admin).status_code == 422  # no file
    assert count(engine, Job) == 0


def test_import_an_xlsx_workbook(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for path in sorted(BASIC.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        for line in path.read_text().splitlines():
            sheet.append(line.split(","))
    buf = io.BytesIO()
    book.save(buf)
    admin = as_role("admin")
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    job = upload(api, admin, buf.getvalue(), name="company.xlsx", kind=kind).json()
    job = wait_for(api, admin, job["id"])
    assert job["status"] == "done", job
    assert item_codes(engine) == csv_column(BASIC / "items.csv")


def test_import_needs_the_import_permission(
    api: TestClient, as_role: Callable[[str], Headers], engine: Engine
) -> None:
    response = upload(api, as_role("planner"), zip_bytes(folder_files(BASIC)))
    assert response.status_code == 403
    assert response.json()["error"]["params"]["permission"] == "import"
    assert count(engine, Job) == 0


def test_import_while_a_plan_runs_is_409(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    with db.session_scope(lighting) as s:
        running = job_records.start_job(s, "plan", author="planner")
    response = upload(api, as_role("admin"), zip_bytes(folder_files(BASIC)))
    assert response.status_code == 409
    assert f"job {running}" in response.json()["error"]["message"]
    assert count(lighting, Job) == 1
    assert item_codes(lighting) == csv_column(LIGHTING / "items.csv")


def test_upsert_while_a_plan_runs_is_409(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    """An upsert is an import job: refused while a plan run is open, nothing written."""
    with db.session_scope(lighting) as s:
        running = job_records.start_job(s, "plan", author="planner")
    files = {"file": ("b.zip", zip_bytes({"items.csv": "item,unit_cost\nNEW-X,1\n"}), ZIP)}
    response = api.post("/api/bundle/upsert", headers=as_role("admin"), files=files)
    assert response.status_code == 409
    assert f"job {running}" in response.json()["error"]["message"]
    assert count(lighting, Job) == 1
    assert "NEW-X" not in item_codes(lighting)


def test_export_is_a_zip_that_imports_again(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    with db.session_scope(lighting) as s:
        summary = run_plan(s, author="test")
    viewer = as_role("viewer")
    response = api.get("/api/bundle/export", headers=viewer)
    assert response.status_code == 200
    assert response.headers["content-type"] == ZIP
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = set(zf.namelist())
        assert {"items.csv", "bom.csv", "sales_orders.csv", "templates.json"} <= names
        assert {"planned_orders.csv", "pegging.csv", "exceptions.csv"} <= names
        planned = zf.read("planned_orders.csv").decode().strip().splitlines()
        assert len(planned) - 1 == summary.planned_orders
        items = zf.read("items.csv")
    before = item_codes(lighting)

    admin = as_role("admin")
    job = upload(api, admin, zip_bytes(folder_files(BASIC))).json()
    assert wait_for(api, admin, job["id"])["status"] == "done"
    job = upload(api, admin, response.content, name="export.zip").json()
    job = wait_for(api, admin, job["id"])
    assert job["status"] == "done", job
    assert item_codes(lighting) == before
    again = api.get("/api/bundle/export", headers=viewer)
    with zipfile.ZipFile(io.BytesIO(again.content)) as zf:
        assert zf.read("items.csv") == items
        assert "planned_orders.csv" not in zf.namelist()  # the import cleared the plan
    assert api.get("/api/bundle/export").status_code == 401


def test_export_xlsx_is_a_workbook_that_imports_again(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    """GET /api/bundle/export.xlsx: the data as one workbook (a sheet per file, templates
    too), which the import takes back as it is."""
    from openpyxl import load_workbook

    viewer = as_role("viewer")
    response = api.get("/api/bundle/export.xlsx", headers=viewer)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert {"items", "bom", "sales_orders", "templates"} <= set(book.sheetnames)
    before = item_codes(lighting)

    admin = as_role("admin")
    job = upload(api, admin, zip_bytes(folder_files(BASIC))).json()
    assert wait_for(api, admin, job["id"])["status"] == "done"
    job = upload(api, admin, response.content, name="company.xlsx", kind=XLSX_TYPE).json()
    assert wait_for(api, admin, job["id"])["status"] == "done", job
    assert item_codes(lighting) == before
    again = load_workbook(io.BytesIO(api.get("/api/bundle/export.xlsx", headers=viewer).content))
    for name in book.sheetnames:
        rows = list(book[name].iter_rows(values_only=True))
        assert rows == list(again[name].iter_rows(values_only=True)), name
    assert api.get("/api/bundle/export.xlsx").status_code == 401


def test_upsert_preview_of_an_edited_workbook(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    """POST /api/bundle/upsert/preview: the rows an upsert would add and change, per file;
    a bad row located (422); nothing written; importers only."""
    from openpyxl import load_workbook

    viewer, admin = as_role("viewer"), as_role("admin")
    content = api.get("/api/bundle/export.xlsx", headers=viewer).content
    book = load_workbook(io.BytesIO(content))
    items = book["items"]
    header = [c.value for c in items[1]]
    code = items.cell(row=2, column=1).value
    items.cell(row=2, column=header.index("lead_time_days") + 1).value = 99
    edited = io.BytesIO()
    book.save(edited)
    before = item_codes(lighting)

    def post(data: bytes, headers: Headers) -> Any:
        files = {"file": ("company.xlsx", data, XLSX_TYPE)}
        return api.post("/api/bundle/upsert/preview", headers=headers, files=files)

    answer = post(edited.getvalue(), admin)
    assert answer.status_code == 200, answer.text
    files = {p["file"]: p for p in answer.json()}
    assert (files["items"]["added"], files["items"]["changed"]) == (0, 1)
    [change] = files["items"]["first_changes"]
    assert change["key"] == [code]
    assert [(f["field"], f["after"]) for f in change["fields"]] == [("lead_time_days", 99)]
    assert all(p["changed"] == 0 for name, p in files.items() if name != "items")
    assert item_codes(lighting) == before
    assert post(edited.getvalue(), viewer).status_code == 403

    items.cell(row=2, column=header.index("type") + 1).value = "maybe"
    bad = io.BytesIO()
    book.save(bad)
    refused = post(bad.getvalue(), admin)
    assert refused.status_code == 422
    assert "maybe" in refused.text and "company.xlsx[items]" in refused.text


def test_upsert_applies_what_the_preview_said(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    """POST /api/bundle/upsert: a job that writes what the preview listed (one changed
    lead time, one new item), answers the same counts in its result, and after which a
    preview sees nothing left to change; a bad row fails the job and writes nothing."""
    from openpyxl import load_workbook

    admin = as_role("admin")
    book = load_workbook(io.BytesIO(api.get("/api/bundle/export.xlsx", headers=admin).content))
    items = book["items"]
    header = [c.value for c in items[1]]
    code = items.cell(row=2, column=1).value
    items.cell(row=2, column=header.index("lead_time_days") + 1).value = 99
    new: list[Any] = [None] * len(header)
    new[header.index("item")], new[header.index("type")] = "API-NEW", "buy"
    items.append(new)
    edited = io.BytesIO()
    book.save(edited)
    files = {"file": ("company.xlsx", edited.getvalue(), XLSX_TYPE)}
    said = api.post("/api/bundle/upsert/preview", headers=admin, files=files).json()
    started = api.post("/api/bundle/upsert", headers=admin, files=files)
    assert started.status_code == 202, started.text
    job = wait_for(api, admin, started.json()["id"])
    assert job["status"] == "done", job
    done = job["result"]["upsert"]
    assert [(f["file"], f["added"], f["changed"]) for f in done] == [
        (f["file"], f["added"], f["changed"]) for f in said
    ]
    assert item_codes(lighting) >= {"API-NEW", code}
    with db.session_scope(lighting) as s:
        assert s.scalar(select(Item.lead_time_days).where(Item.code == code)) == 99
    again = api.post("/api/bundle/upsert/preview", headers=admin, files=files).json()
    assert all(f["added"] == 0 and f["changed"] == 0 for f in again)

    items.cell(row=3, column=header.index("type") + 1).value = "maybe"
    bad = io.BytesIO()
    book.save(bad)
    before = item_codes(lighting)
    failed = api.post(
        "/api/bundle/upsert", headers=admin, files={"file": ("company.xlsx", bad.getvalue())}
    )
    job = wait_for(api, admin, failed.json()["id"])
    assert job["status"] == "failed"
    assert "maybe" in str(job["result"]) and "company.xlsx[items]" in str(job["result"])
    assert item_codes(lighting) == before
    assert api.post("/api/bundle/upsert", headers=as_role("viewer"), files=files).status_code == 403


def test_an_upload_without_items_empties_the_company_only_when_asked(
    api: TestClient, as_role: Callable[[str], Headers], lighting: Engine
) -> None:
    """items.csv with its header only would delete every item: ``allow_empty`` (issue #20,
    item 3) is the upload's twin of ``pegboard import --allow-empty``."""
    admin = as_role("admin")
    empty = zip_bytes({"items.csv": "item,type\n"})
    job = wait_for(api, admin, upload(api, admin, empty).json()["id"])
    assert job["status"] == "failed"
    (problem,) = job["result"]["problems"]
    assert problem["file"] == "items.csv" and "allow_empty" in problem["reason"]
    assert item_codes(lighting) == csv_column(LIGHTING / "items.csv")

    response = api.post(
        "/api/bundle/import",
        headers=admin,
        files={"file": ("bundle.zip", empty, ZIP)},
        data={"allow_empty": "true"},
    )
    assert response.status_code == 202, response.text
    job = wait_for(api, admin, response.json()["id"])
    assert job["status"] == "done", job
    assert item_codes(lighting) == set() and count(lighting, SalesOrder) == 0
