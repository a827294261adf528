"""``pegboard db``: the database schema, migrated only when someone asks for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from pegboard.cli._common import console, handles_errors, open_engine
from pegboard.cli._deferred import deferred
from pegboard.config import get_settings

if TYPE_CHECKING:
    from pegboard import db
else:
    db = deferred("pegboard.db")

app = typer.Typer(help="The database schema: see where it is, upgrade it.", no_args_is_help=True)


@app.command()
@handles_errors
def upgrade() -> None:
    """Migrate the database to the schema this pegboard needs (creates it when empty).

    The only command (with ``init`` and ``demo``) that changes the schema: every other
    command refuses to run on an outdated database instead of migrating a shared one.
    After the schema, the data: shipped or closed order lines without a frozen final
    cost (shipped before pegboard kept one) get it (``services.final_cost``)."""
    from pegboard.services.final_cost import backfill_final_costs

    engine = open_engine(upgrade=True)
    try:
        revision = db.current_revision(engine)
        with db.session_scope(engine) as s:
            frozen = backfill_final_costs(s, author=get_settings().user)
    finally:
        engine.dispose()
    console.print(f"database at schema {revision}: {get_settings().database_url}")
    if frozen:
        lines = "line" if frozen == 1 else "lines"
        console.print(f"froze the final cost of {frozen} shipped or closed order {lines}")


@app.command()
@handles_errors
def status() -> None:
    """Print the database's schema revision and the one this pegboard needs."""
    engine = db.make_engine()
    try:
        current = db.current_revision(engine)
    finally:
        engine.dispose()
    head = db.head_revision()
    if current == head:
        console.print(f"schema {current}: up to date")
    elif current is None:
        console.print(f"no pegboard schema yet (this pegboard needs {head}): `pegboard db upgrade`")
    else:
        console.print(f"schema {current}, this pegboard needs {head}: `pegboard db upgrade`")
