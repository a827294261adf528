"""A blank configuration value is refused, naming the parameter, by the service and so
by the command line, the API and the configurator form alike; it never silently becomes
the default (leaving the parameter out is how the default is chosen).

Each test on SQLite and PostgreSQL, on the sample company with a draft order of the
configurable LR-7040.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from pegboard import clock, db
from pegboard.cli import app
from pegboard.model import Bom, Role
from pegboard.services import order_bom, sales, users
from pegboard.services.configurator import ConfigurationError

GIVEN = {"length_m": "14.56", "finish": "black", "control": "dali", "emergency": "yes"}
LogIn = Callable[[str], str]


def _draft(engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        number = sales.create_order(s, customer="Hartwell Construction", author="test")
        sales.add_line(
            s, number, item="LR-7040", qty=4, due=clock.today() + timedelta(days=42), author="test"
        )
    return number


def _boms(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Bom)).scalar_one())


@pytest.mark.parametrize(
    ("name", "blank", "default"),
    [("length_m", "", "2.24"), ("finish", "   ", "white"), ("emergency", "", "no")],
)
def test_the_service_refuses_a_blank_value_naming_the_parameter(
    engine: Engine, sample: None, name: str, blank: str, default: str
) -> None:
    number = _draft(engine)
    before = _boms(engine)
    with db.session_factory(engine)() as s, pytest.raises(ConfigurationError) as refused:
        order_bom.configure_line(
            s, number, 1, GIVEN | {name: blank}, author="test", today=clock.today()
        )
    assert refused.value.params["parameter"] == name
    assert refused.value.message == (
        f"LR-7040: parameter {name!r} is blank: give a value; leave it out for the default "
        f"{default}"
    )
    assert _boms(engine) == before  # nothing written


def test_leaving_a_parameter_out_still_takes_its_default(engine: Engine, sample: None) -> None:
    number = _draft(engine)
    given = {k: v for k, v in GIVEN.items() if k != "finish"}
    with db.session_factory(engine)() as s:
        tree = order_bom.configure_line(s, number, 1, given, author="test", today=clock.today())
    assert tree.bom is not None and tree.bom.configuration["finish"] == "white"


def test_the_command_line_refuses_a_blank_value(engine: Engine, sample: None) -> None:
    number = _draft(engine)
    url = engine.url.render_as_string(hide_password=False)
    args = ["order", "configure", number, "1", "--param", "length_m="]
    args += [f"--param={k}={v}" for k, v in GIVEN.items() if k != "length_m"]
    result = CliRunner().invoke(app, args, env={"PEGBOARD_DATABASE_URL": url, "COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        "error: LR-7040: parameter 'length_m' is blank: give a value; leave it out for the "
        "default 2.24"
    )


def test_the_api_refuses_a_blank_value(engine: Engine, sample: None, web: TestClient) -> None:
    number = _draft(engine)
    with db.session_factory(engine)() as s:
        users.create_user(s, name="ann", password="correct horse", role=Role.PLANNER, author="t")
        _, secret = users.create_token(s, user="ann", name="test", author="test")
    answer = web.post(
        f"/api/sales-orders/{number}/lines/1/configure",
        json={"params": GIVEN | {"finish": ""}},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 422, answer.text
    assert "parameter 'finish' is blank" in answer.text


def test_the_form_shows_the_refusal_next_to_the_cleared_field(
    engine: Engine, sample: None, web: TestClient, log_in: LogIn
) -> None:
    token = log_in("ann")
    number = _draft(engine)
    before = _boms(engine)
    page = web.post(
        f"/orders/{number}/lines/1/configure",
        data={"csrf_token": token, **GIVEN, "length_m": ""},
    )
    assert page.status_code == 422
    field = page.text.split('for="p-1"', 1)[1].split("</div>", 1)[0]
    assert 'aria-invalid="true"' in field
    assert "is blank: give a value; leave it out for the default 2.24" in field
    assert re.search(r'value=""', field)  # the field stays empty, as the user left it
    assert _boms(engine) == before
