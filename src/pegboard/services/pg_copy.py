"""Copy a PostgreSQL database into another with the server's own tools.

``CREATE DATABASE … TEMPLATE`` is refused while anybody is connected to the source,
and a running server always is; ``pg_dump`` reads one consistent snapshot (a
repeatable-read transaction) without blocking anyone, and ``psql`` restores it in a
single transaction into an empty database, so a failed copy leaves nothing half done.
The binaries are found the way ``scripts/pg`` finds them (the newest installed
``/usr/lib/postgresql/*/bin``), else on ``PATH``: ``pg_dump`` must be at least the
server's version, and the newest one is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from pegboard.errors import ConflictError


def _binary(name: str) -> str:
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(folders):
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise ConflictError(
            f"copying a PostgreSQL database in use needs {name} (the PostgreSQL client "
            "tools): install them, or stop everything connected to the company and try again"
        )
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URL for ``url`` (an SQLAlchemy URL) and the environment that
    carries its password, which never goes on a command line others can read."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def dump_into(source: str, target: str) -> None:
    """Copy every table, sequence and row of ``source`` into the empty database ``target``."""
    source_url, env = _libpq(source)
    target_url, _ = _libpq(target)
    with subprocess.Popen(
        [_binary("pg_dump"), "--no-owner", "--no-privileges", "--dbname", source_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as dump:
        restore = subprocess.run(
            [
                _binary("psql"),
                "--quiet",
                "--no-psqlrc",
                "--single-transaction",
                "--set",
                "ON_ERROR_STOP=1",
                "--dbname",
                target_url,
            ],
            stdin=dump.stdout,
            capture_output=True,
            env=env,
            check=False,
        )
        _, dump_errors = dump.communicate()
    if dump.returncode != 0 or restore.returncode != 0:
        detail = (dump_errors or restore.stderr).decode(errors="replace").strip()
        raise ConflictError(
            f"copying database {make_url(source).database!r} failed: {detail[-500:]}",
            database=make_url(source).database,
        )
