"""Property-based fuzzing of every endpoint from the app's own OpenAPI document.

Schemathesis generates requests for each operation (valid and invalid) and sends
them as a signed-in planner to the real app on the sample company: no response
may be a 5xx, and every response must match the documented status codes,
content types and schemas. The plan may be started by the fuzzer; its
background job is awaited before the database goes away.
"""

from __future__ import annotations

import math
import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy import Engine, func, select

from pegboard import db
from pegboard.api import create_app
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.model import Job, Role
from pegboard.services import users, worker_pool
from pegboard.services.company_data import replace_company

EXAMPLES = int(os.environ.get("PEGBOARD_FUZZ_EXAMPLES") or 12)
"""Cases per operation; a longer run: ``PEGBOARD_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py``
sets more."""
MUST_COVER = {
    ("GET", "/api/capacity/load"),
    ("PUT", "/api/capacity/work-centers/{code}"),
    ("PUT", "/api/capacity/routings/{item}"),
    ("GET", "/api/locations"),
    ("POST", "/api/locations"),
    ("GET", "/api/jobs"),
    ("POST", "/api/jobs/{job_id}/cancel"),
    ("POST", "/api/promise"),
    ("POST", "/api/bundle/import"),
}
"""Operations added since the first fuzz run: the document must list them (the fuzzer
covers whatever it lists, the ``X-Pegboard-Scenario`` header of each included, so a
route missing from it would go unfuzzed)."""
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
"""No 5xx, and the response is what the document says. A request the schema allows may
still break a rule it cannot express (a formula that does not check out): a 422 then
is right, so positive-data acceptance is not asserted."""
SKIP = {
    # would sign the fuzzer out (its own token or session), not a property of the API
    ("DELETE", "/api/auth/tokens/{token_id}"),
    ("POST", "/api/auth/logout"),
}


def _wait_for_jobs(engine: Engine, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            open_jobs = conn.execute(
                select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
            ).scalar_one()
        if not open_jobs:
            return
        time.sleep(0.1)


def _start_the_promise_workers() -> None:
    """A server starts its first promise worker process on the first promise (seconds on a
    loaded machine, past the fuzzer's 10 s read timeout): start it first, so that each
    case's time is its own (``services.worker_pool``)."""
    workers = worker_pool.pool()
    if workers is not None:
        workers.run(math.factorial, 1, limit=60, too_long="")


@pytest.fixture
def planner_token(engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        replace_company(s, read_bundle(demo_path("lighting")), author="import")
    with db.session_factory(engine)() as s:
        users.create_user(s, name="fuzz", password="fuzz-password", role=Role.PLANNER, author="t")
        _, secret = users.create_token(s, user="fuzz", name="fuzz", author="t")
    return secret


def test_no_server_errors_and_responses_match_the_schema(
    engine: Engine, planner_token: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(engine))
    headers = {"Authorization": f"Bearer {planner_token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    listed = {(o.method.upper(), o.path) for o in operations}
    assert listed >= MUST_COVER, MUST_COVER - listed
    _start_the_promise_workers()
    try:
        for operation in operations:
            if (operation.method.upper(), operation.path) in SKIP:
                continue

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as error:  # try every operation, report all
                failures.append(f"{operation.label}: {error}")
    finally:
        _wait_for_jobs(engine)
        worker_pool.shutdown()
    assert len(operations) > 10
    assert failures == [], "\n\n".join(failures)
