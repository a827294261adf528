"""Settings, read from ``PEGBOARD_*`` environment variables.

A leaf module: every layer may import it; of ours it imports only the error tree.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

from pegboard.errors import ValidationError

DEFAULT_DATABASE_URL = "sqlite:///./pegboard.db"
SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
"""A scenario's name: it becomes a file or database name, so nothing else is allowed."""
_override: list[str | None] = [None]
UPLOAD_LIMIT = 512 * 1024 * 1024
"""The largest bundle upload (512 MiB), and what one may unpack to: the bundle limit."""
UPLOAD_FILES = 100
"""Entries an uploaded zip may hold (a bundle is under a dozen files)."""
_PREFIX = "PEGBOARD_"


@dataclass
class Settings:
    """The settings of this process. Read by plain code rather than pydantic-settings,
    whose import alone cost every command 0.1-0.2 s of start-up (issue #18); ``_BOUNDS``
    checks the numbers as strictly, naming the variable and the value."""

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL. ``postgresql://`` is rewritten to the psycopg 3 driver."""

    user: str = "cli"
    """Author recorded on changes made from the command line."""

    scenario: str = ""
    """Work on this what-if copy of the company instead of the live one (``--scenario``)."""

    upload_limit_bytes: int = UPLOAD_LIMIT
    """The largest bundle upload (API and web), and what an uploaded zip or workbook may
    unpack to, each file and all together: up to the bundle limit, 512 MiB (the
    default). A server reads it when it starts, an import when the upload arrives."""

    upload_max_files: int = UPLOAD_FILES
    """Entries an uploaded zip may hold: 1 to 100 (the default)."""

    promise_workers: int = 2
    """Worker processes per server process that compute promises for the API and the
    pages (``services.worker_pool``), so one heavy promise never holds the server; 0
    computes them in the serving process, with no time limit (as the CLI does)."""

    promise_time_limit: float = 10.0
    """Seconds a promise of the API or the pages may take before it is stopped and
    refused (422, ``too_much_work``): ``pegboard promise`` has no limit."""

    @classmethod
    def from_environment(cls) -> Settings:
        """Each field from ``PEGBOARD_<FIELD>`` (the name in any case), else its default."""
        environment = {name.upper(): value for name, value in os.environ.items()}
        values: dict[str, str | int | float] = {}
        for spec in fields(cls):
            text = environment.get(_PREFIX + spec.name.upper())
            if text is not None:
                values[spec.name] = _read(spec.name, text)
        return cls(**values)  # type: ignore[arg-type]

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


_BOUNDS: dict[str, tuple[type[int] | type[float], float, float, str]] = {
    "upload_limit_bytes": (int, 1, UPLOAD_LIMIT, f"a whole number from 1 to {UPLOAD_LIMIT}"),
    "upload_max_files": (int, 1, UPLOAD_FILES, f"a whole number from 1 to {UPLOAD_FILES}"),
    "promise_workers": (int, 0, 32, "a whole number from 0 to 32"),
    "promise_time_limit": (float, 0, 3600, "a number of seconds above 0, at most 3600"),
}
"""The numeric settings: their type, the range they must lie in and the range in words
(``promise_time_limit`` must be above its low bound, the others may equal theirs)."""


def _read(name: str, text: str) -> str | int | float:
    """One variable's value as its field's type, or a refusal naming it and the value."""
    if name not in _BOUNDS:
        return text
    kind, low, high, words = _BOUNDS[name]
    try:
        value = kind(text.strip())
    except ValueError:
        value = math.nan  # not a number: refused below, as out of every range
    if (low < value if kind is float else low <= value) and value <= high:
        return value
    variable = _PREFIX + name.upper()
    raise ValidationError(f"{variable}={text!r}: must be {words}", field=variable, value=text)


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
    settings = Settings.from_environment()
    if _override[0] is not None:
        settings.scenario = _override[0]
    return settings
