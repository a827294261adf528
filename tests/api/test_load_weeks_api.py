"""The capacity page's load from the API (GET /api/capacity/load/weeks) and the CLI
(pegboard capacity weeks): the same service as the page, the same filter, window, order
and numbers on every surface, the weeks equal /api/capacity/load's; bad values refused
naming the parameter. Both databases."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from pegboard import db
from pegboard.bundle.importer import read_bundle
from pegboard.cli import app
from pegboard.demo import demo_path
from pegboard.services import company_data, planning

AsRole = Callable[[str], dict[str, str]]


def _sample(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        company_data.replace_company(s, read_bundle(demo_path("lighting")), author="test")
        planning.run_plan(s, author="test")


def test_the_api_and_the_cli_page_the_load_as_the_page_does(
    api: TestClient, as_role: AsRole, engine: Engine
) -> None:
    _sample(engine)
    viewer = as_role("viewer")
    got = api.get("/api/capacity/load/weeks?from=2026-11-25&weeks=4&per_page=2", headers=viewer)
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["start"], body["weeks"], body["page"], body["pages"]) == ("2026-11-23", 4, 1, 3)
    assert (body["matching"], body["total"]) == (6, 6)
    first = body["work_centers"][0]
    assert first["work_center"] == "POWDER" and first["over_hours"] > 0
    assert [w["label"] for w in first["weeks"]] == [f"2026-W{n}" for n in (48, 49, 50, 51)]
    # the weeks are /api/capacity/load's
    whole = {
        (p["work_center"], p["start"]): p
        for p in api.get("/api/capacity/load", headers=viewer).json()["periods"]
    }
    for wc in body["work_centers"]:
        for w in wc["weeks"]:
            p = whole.get((wc["work_center"], w["start"]))
            if p is None:
                assert w["required_hours"] == 0 and w["orders"] == 0
                continue
            assert (w["required_hours"], w["available_hours"], w["over"]) == (
                p["required_hours"],
                p["available_hours"],
                p["over"],
            )
            assert w["orders"] == len(p["orders"])
            assert {o for o, _h in w["most"]} <= set(p["orders"]) and len(w["most"]) <= 3
    # every page: each work center once, most hours over first
    pages = [
        api.get(
            f"/api/capacity/load/weeks?from=2026-11-23&weeks=4&per_page=2&page={n}",
            headers=viewer,
        ).json()["work_centers"]
        for n in (1, 2, 3)
    ]
    listed = [wc for page in pages for wc in page]
    assert len({wc["work_center"] for wc in listed}) == 6
    over = [wc["over_hours"] for wc in listed]
    assert over == sorted(over, reverse=True)
    found = api.get(
        "/api/capacity/load/weeks?q=oven&overloaded=true&from=2026-11-23", headers=viewer
    ).json()
    assert [wc["work_center"] for wc in found["work_centers"]] == ["POWDER"]
    for bad, name in (("weeks=27", "weeks"), ("from=someday", "from"), ("per_page=0", "per_page")):
        refused = api.get(f"/api/capacity/load/weeks?{bad}", headers=viewer)
        assert refused.status_code == 422 and name in refused.text, bad

    # the CLI: the same rows
    url = engine.url.render_as_string(hide_password=False)
    ran = CliRunner().invoke(
        app,
        ["capacity", "weeks", "--from", "2026-11-25", "--weeks", "4", "--per-page", "2", "--csv"],
        env={"PEGBOARD_DATABASE_URL": url},
    )
    assert ran.exit_code == 0, ran.output
    rows = list(csv.DictReader(io.StringIO(ran.stdout)))
    shown = [
        (wc["work_center"], w["start"], w["orders"])
        for wc in body["work_centers"]
        for w in wc["weeks"]
        if w["required_hours"] > 0
    ]
    assert [(r["work center"], r["week of"], int(r["orders"])) for r in rows] == shown
    wrong = CliRunner().invoke(
        app, ["capacity", "weeks", "--from", "someday"], env={"PEGBOARD_DATABASE_URL": url}
    )
    assert wrong.exit_code != 0 and "YYYY-MM-DD" in wrong.output
    assert "Traceback" not in wrong.output
