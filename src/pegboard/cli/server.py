"""``pegboard serve``: the API (and later the web UI) under uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from pegboard.cli._common import console, handles_errors, open_engine, session
from pegboard.cli._deferred import deferred

if TYPE_CHECKING:
    from pegboard.services import users
else:
    users = deferred("pegboard.services.users")


def uvicorn_options(
    host: str, port: int, workers: int, forwarded_allow_ips: str | None
) -> dict[str, Any]:
    """How uvicorn serves the app.

    The client address is what the login throttle counts failures by, so the
    ``X-Forwarded-For``/``-Proto`` headers are believed only from the proxies named
    in ``forwarded_allow_ips`` (anyone can send them; from elsewhere they are
    ignored). Without it, behind a reverse proxy every user has the proxy's address
    and a few people guessing would lock everyone out.
    """
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        "proxy_headers": bool(forwarded_allow_ips),
        "forwarded_allow_ips": forwarded_allow_ips or None,
    }


@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[
        int, typer.Option(help="server processes (PostgreSQL; SQLite always uses one)")
    ] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="behind a reverse proxy: its address(es), comma-separated (or a network "
            "like 10.0.0.0/8); the client address and https are then read from its "
            "X-Forwarded-For and X-Forwarded-Proto headers, from it only",
        ),
    ] = None,
) -> None:
    """Serve the JSON API (docs at /docs) on the configured database."""
    import uvicorn

    from pegboard.web import vendor

    vendor.htmx_file()  # the pages' htmx from npm: one line naming the fix, not a trace
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
    if forwarded_allow_ips:
        console.print(f"trusting X-Forwarded-For and X-Forwarded-Proto from {forwarded_allow_ips}")
    uvicorn.run(
        "pegboard.api.app:create_app",
        factory=True,
        **uvicorn_options(host, port, workers, forwarded_allow_ips),
    )
