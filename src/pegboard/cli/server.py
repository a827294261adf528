"""``pegboard serve``: the API (and later the web UI) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from pegboard.cli._common import console, handles_errors, open_engine, session
from pegboard.services import users


@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[
        int, typer.Option(help="server processes (PostgreSQL; SQLite always uses one)")
    ] = 1,
) -> None:
    """Serve the JSON API (docs at /docs) on the configured database."""
    import uvicorn

    engine = open_engine()  # creates or upgrades the schema once, before any worker starts
    if engine.dialect.name == "sqlite" and workers > 1:
        console.print("SQLite is a single-node database: serving with one process")
        workers = 1
    with session() as s:
        if users.count_users(s) == 0:
            console.print(
                "no users yet: add one with `pegboard user add NAME --role admin` to log in"
            )
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"pegboard on http://{host}:{port}  (API docs: /docs; database {where})")
    engine.dispose()
    uvicorn.run(
        "pegboard.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )
