"""Suppliers in the browser (issue #19 item 1): listed, one with its items and orders,
a new one set on bought items, one renamed; refusals keep what was typed."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import company_data, suppliers


@pytest.fixture
def company(engine: Engine) -> Iterator[Engine]:
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
    yield engine


def test_a_planner_adds_a_supplier_and_renames_it(
    web: TestClient, log_in: Callable[[str], str], company: Engine
) -> None:
    token = log_in("pat")
    listed = web.get("/suppliers")
    assert listed.status_code == 200 and 'href="/suppliers/Optilens"' in listed.text
    refused = web.post(
        "/suppliers", data={"csrf_token": token, "name": "Lumen <GmbH>", "items": "CAP-7040-W NOPE"}
    )
    assert refused.status_code == 404 and "No item NOPE." in refused.text
    assert (
        'value="Lumen &lt;GmbH&gt;"' in refused.text
        and "CAP-7040-W NOPE</textarea>" in refused.text
    )
    made = web.post(
        "/suppliers",
        data={"csrf_token": token, "name": "Lumen <GmbH>", "items": "CAP-7040-W,\nCAP-5035-W"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    shown = web.get(made.headers["location"])
    assert "Default supplier of 2 items set." in shown.text
    assert 'href="/items/CAP-5035-W"' in shown.text and "Lumen &lt;GmbH&gt;" in shown.text

    taken = web.post(
        "/suppliers/rename",
        data={"csrf_token": token, "name": "Lumen <GmbH>", "new_name": "Optilens"},
    )
    assert taken.status_code == 409 and "merge them, or choose another name" in taken.text
    renamed = web.post(
        "/suppliers/rename",
        data={"csrf_token": token, "name": "Lumen <GmbH>", "new_name": "Lumen AG"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    assert "Renamed from Lumen &lt;GmbH&gt;." in web.get(renamed.headers["location"]).text
    with db.session_factory(company)() as s:
        assert len(suppliers.get_supplier(s, "Lumen AG").items) == 2
    assert web.get("/suppliers/Lumen%20%3CGmbH%3E").status_code == 404
