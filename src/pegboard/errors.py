"""One error tree for pegboard. Every error has a stable ``code`` and named ``params``.

    PegboardError
    ├── NotFoundError            a referenced thing does not exist
    ├── ValidationError          a value breaks a rule
    │   └── BundleError          a bundle is invalid; holds every BundleProblem found
    ├── ConflictError            the state does not allow the action (wrong status, running plan)
    │   └── SchemaOutdatedError  the database's schema is older (or newer) than this pegboard
    ├── PlanningError            the data cannot be planned (e.g. a BOM cycle)
    ├── AuthenticationError      no valid login, session or token
    ├── PermissionDeniedError    the user's role does not allow the action
    └── RateLimitedError         too many attempts (logins); try again later

A leaf module: any layer may import it. Adapters map the tree once: the CLI prints
``str(error)`` and exits 1; the API answers the error JSON and the pages an error page,
both with the status ``http_status`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


class PegboardError(Exception):
    code: ClassVar[str] = "error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFoundError(PegboardError):
    code = "not_found"


class ValidationError(PegboardError):
    code = "invalid"


class ConflictError(PegboardError):
    code = "conflict"


class SchemaOutdatedError(ConflictError):
    """Only ``pegboard db upgrade`` (or ``init``/``demo``) migrates: a shared PostgreSQL
    must never change schema as a side effect of someone's report."""

    code = "schema_outdated"


class DatabaseUnavailableError(PegboardError):
    """The configured database cannot be opened (a URL pegboard cannot read, a folder
    that does not exist, a file that is not a database, a server that does not answer):
    the user reads which database and why, never the driver's traceback."""

    code = "database_unavailable"


class PlanningError(PegboardError):
    code = "planning_error"


class AuthenticationError(PegboardError):
    code = "unauthenticated"


class PermissionDeniedError(PegboardError):
    code = "forbidden"


class RateLimitedError(PegboardError):
    code = "rate_limited"


@dataclass(frozen=True)
class BundleProblem:
    """One bad cell (or row, or file) of a bundle, located for a person to fix it."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return f"{where}: {self.reason}"


class BundleError(ValidationError):
    code = "bundle_invalid"

    def __init__(self, problems: list[BundleProblem], *, truncated: bool = False) -> None:
        self.problems = problems
        self.truncated = truncated
        more = "+" if truncated else ""
        noun = "problem" if len(problems) == 1 and not truncated else "problems"
        head = f"the bundle has {len(problems)}{more} {noun}; nothing was imported"
        lines = [head, *(f"  {p}" for p in problems)]
        if truncated:
            lines.append("  … more problems not shown")
        super().__init__("\n".join(lines), count=len(problems))


HTTP_STATUS: list[tuple[type[PegboardError], int]] = [
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (RateLimitedError, 429),
    (ValidationError, 422),
    (PlanningError, 422),
    (DatabaseUnavailableError, 503),
]
"""The HTTP status of each kind of error, for the JSON API and the pages alike."""


def http_status(error: PegboardError) -> int:
    """The status an HTTP answer to ``error`` has (400 for a kind not listed)."""
    return next((code for kind, code in HTTP_STATUS if isinstance(error, kind)), 400)
