"""A location's description changed in the browser (issue #19 item 1), through
``locations.describe_location``: audited, the code kept (the ledger names it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pegboard import db
from pegboard.errors import NotFoundError, ValidationError
from pegboard.services import audit, locations


def test_a_planner_changes_a_locations_description(
    web: TestClient, log_in: Callable[[str], str], engine: Engine
) -> None:
    with db.session_factory(engine)() as s:
        locations.add_location(s, "dock", description="Door 2", author="test")
    token = log_in("pat")
    assert 'href="/admin/locations/dock"' in web.get("/admin/locations").text
    form = web.get("/admin/locations/dock")
    assert form.status_code == 200 and 'value="Door 2"' in form.text
    saved = web.post(
        "/admin/locations/dock",
        data={"csrf_token": token, "description": "Door 2 <north>"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    shown = web.get(saved.headers["location"]).text
    assert "Location dock was changed." in shown and "Door 2 &lt;north&gt;" in shown
    too_long = web.post(
        "/admin/locations/dock", data={"csrf_token": token, "description": "x" * 201}
    )
    assert too_long.status_code == 422
    assert "Description is longer than 200 characters." in too_long.text
    with db.session_factory(engine)() as s:
        assert locations.get_location(s, "dock").description == "Door 2 <north>"
        entry = audit.history(s, entity="location", author="pat")[0]
    assert (entry.action, entry.before, entry.after) == (
        "describe",
        {"description": "Door 2"},
        {"description": "Door 2 <north>"},
    )
    assert web.get("/admin/locations/nowhere").status_code == 404


def test_main_is_described_although_it_has_no_row_and_an_unknown_one_is_refused(
    engine: Engine,
) -> None:
    with db.session_factory(engine)() as s:
        view = locations.describe_location(s, "main", description="Main store", author="pat")
        assert (view.code, view.description, view.on_hand) == ("main", "Main store", 0.0)
        assert locations.get_location(s, "main").description == "Main store"
        with pytest.raises(ValidationError, match="unknown location 'yard'"):
            locations.describe_location(s, "yard", description="x", author="pat")
        with pytest.raises(NotFoundError, match="no location 'yard'"):
            locations.get_location(s, "yard")
