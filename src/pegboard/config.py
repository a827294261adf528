"""Settings, read from ``PEGBOARD_*`` environment variables.

A leaf module: every layer may import it; of ours it imports only the error tree.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field
from pydantic import ValidationError as SettingsError
from pydantic_settings import BaseSettings, SettingsConfigDict

from pegboard.errors import ValidationError

DEFAULT_DATABASE_URL = "sqlite:///./pegboard.db"
SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
"""A scenario's name: it becomes a file or database name, so nothing else is allowed."""
_override: list[str | None] = [None]
UPLOAD_LIMIT = 512 * 1024 * 1024
"""The largest bundle upload (512 MiB), and what one may unpack to: the bundle limit."""
UPLOAD_FILES = 100
"""Entries an uploaded zip may hold (a bundle is under a dozen files)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEGBOARD_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL. ``postgresql://`` is rewritten to the psycopg 3 driver."""

    user: str = "cli"
    """Author recorded on changes made from the command line."""

    scenario: str = ""
    """Work on this what-if copy of the company instead of the live one (``--scenario``)."""

    upload_limit_bytes: int = Field(default=UPLOAD_LIMIT, ge=1, le=UPLOAD_LIMIT)
    """The largest bundle upload (API and web), and what an uploaded zip or workbook may
    unpack to, each file and all together: up to the bundle limit, 512 MiB (the
    default). A server reads it when it starts, an import when the upload arrives."""

    upload_max_files: int = Field(default=UPLOAD_FILES, ge=1, le=UPLOAD_FILES)
    """Entries an uploaded zip may hold: 1 to 100 (the default)."""

    promise_workers: int = Field(default=2, ge=0, le=32)
    """Worker processes per server process that compute promises for the API and the
    pages (``services.worker_pool``), so one heavy promise never holds the server; 0
    computes them in the serving process, with no time limit (as the CLI does)."""

    promise_time_limit: float = Field(default=10.0, gt=0, le=3600)
    """Seconds a promise of the API or the pages may take before it is stopped and
    refused (422, ``too_much_work``): ``pegboard promise`` has no limit."""

    def normalized_url(self) -> str:
        """The live company's URL (``postgresql://`` rewritten to the psycopg 3 driver)."""
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    def working_url(self) -> str:
        """The URL of the company this process works on: the scenario's, when one is chosen."""
        live = self.normalized_url()
        return scenario_url(live, self.scenario) if self.scenario else live


def scenario_url(live: str, name: str) -> str:
    """Where scenario ``name`` of the company at ``live`` is kept.

    SQLite: a file ``NAME.db`` in the folder ``<live file's stem>.scenarios`` beside the
    live file. PostgreSQL: the database ``<live database>__NAME`` on the same server.
    A name that is not a plain lowercase word is refused here, before it is used in a path.
    The name is checked before it is ever used as a path or database name.
    """
    if not SCENARIO_NAME.fullmatch(name):
        raise ValidationError(
            f"scenario name {name!r}: use 1-40 lowercase letters, digits and dashes, "
            "starting with a letter or digit"
        )
    if live.startswith("sqlite"):
        prefix, _, path = live.partition(":///")
        if not path or path == ":memory:":
            raise ValidationError("an in-memory SQLite database has no scenarios")
        live_file = Path(path)
        return f"{prefix}:///{live_file.with_name(live_file.stem + '.scenarios') / (name + '.db')}"
    base, _, rest = live.rpartition("/")
    database, question, query = rest.partition("?")
    scenario_db = f"{database}__{name}"
    if len(scenario_db) > 63:
        raise ValidationError(f"scenario name {name!r} is too long for this database's name")
    return f"{base}/{scenario_db}{question}{query}"


def use_scenario(name: str | None) -> None:
    """Choose the scenario for this process (the CLI's ``--scenario``); ``None``: the
    environment's choice (``PEGBOARD_SCENARIO``), usually the live company."""
    _override[0] = name


def get_settings() -> Settings:
    """Read the environment now: cheap, and lets one process (a test) switch databases."""
    try:
        settings = Settings()
    except SettingsError as error:
        problem = error.errors()[0]
        name = "PEGBOARD_" + str(problem["loc"][0]).upper() if problem["loc"] else "PEGBOARD_*"
        raise ValidationError(
            f"{name}={problem.get('input')!r}: {problem['msg']}",
            field=name,
            value=problem.get("input"),
        ) from None
    if _override[0] is not None:
        settings.scenario = _override[0]
    return settings
