"""``pegboard user`` and ``pegboard audit``: who may log in, and who changed what."""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from pegboard.cli._common import console, emit, esc, handles_errors, session
from pegboard.cli._deferred import deferred
from pegboard.cli.stock import author
from pegboard.errors import ValidationError

if TYPE_CHECKING:
    from pegboard.services import audit, users
    from pegboard.services import permissions as _permissions
else:
    _permissions = deferred("pegboard.services.permissions")
    audit = deferred("pegboard.services.audit")
    users = deferred("pegboard.services.users")

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
PASSWORD_ENV = "PEGBOARD_PASSWORD"


def _password(given: str | None) -> str:
    """From --password, else $PEGBOARD_PASSWORD, else asked (twice, hidden)."""
    if given:
        return given
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    value: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return value


@app.command("add")
@handles_errors
def add(
    name: str,
    role: Annotated[str, typer.Option(help="admin, planner, buyer, shopfloor or viewer")],
    password: Annotated[str | None, typer.Option(help=f"else ${PASSWORD_ENV}, else asked")] = None,
) -> None:
    """Add a user who can log in to the API and the web UI."""
    with session() as s:
        user = users.create_user(
            s, name=name, password=_password(password), role=role, author=author()
        )
    console.print(f"user {esc(user.name)} added ({user.role.value})")


@app.command("list")
@handles_errors
def list_(as_csv: Annotated[bool, typer.Option("--csv")] = False) -> None:
    """Every user with role and whether they may log in."""
    with session() as s:
        rows = users.list_users(s)
    emit(
        "Users",
        ("user", "role", "active"),
        [(u.name, u.role.value, "yes" if u.active else "no") for u in rows],
        as_csv=as_csv,
    )


@app.command("set")
@handles_errors
def set_(
    name: str,
    role: Annotated[str | None, typer.Option(help="a new role")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    new_password: Annotated[
        bool, typer.Option("--password", help="ask for a new password")
    ] = False,
) -> None:
    """Change a user's role, switch them off or on, or set a new password (which ends
    their sessions and revokes their API tokens)."""
    if role is None and active is None and not new_password:
        raise ValidationError("nothing to change: give --role, --active/--inactive or --password")
    with session() as s:
        user = users.update_user(
            s,
            name=name,
            role=role,
            active=active,
            password=_password(None) if new_password else None,
            author=author(),
        )
    console.print(f"{esc(user.name)}: {user.role.value}, {'active' if user.active else 'inactive'}")
    if new_password:
        console.print(
            f"new password set: their sessions ended and {user.tokens_revoked} API token(s) "
            "were revoked (create new ones with `pegboard user token`)",
            highlight=False,
        )


@app.command("token")
@handles_errors
def token(
    name: str, label: Annotated[str, typer.Option(help="what the token is for")] = "cli"
) -> None:
    """Create an API token for a user; it is printed this once."""
    with session() as s:
        token_id, secret = users.create_token(s, user=name, name=label, author=author())
    console.print(f"token {token_id} for {esc(name)} (shown once, keep it safe):")
    console.print(secret, markup=False, highlight=False)


@app.command("tokens")
@handles_errors
def tokens(name: Annotated[str | None, typer.Argument(help="one user's")] = None) -> None:
    """API tokens (never the secrets): prefix, created, last used, revoked."""
    with session() as s:
        rows = users.list_tokens(s, name)
    emit(
        "API tokens",
        ("id", "user", "name", "prefix", "created", "last used", "revoked"),
        [
            (
                t.id,
                t.user,
                t.name,
                t.prefix,
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
                "yes" if t.revoked else "",
            )
            for t in rows
        ],
        numeric=("id",),
    )


@app.command("revoke")
@handles_errors
def revoke(token_id: int) -> None:
    """Revoke an API token: it stops working at once."""
    with session() as s:
        users.revoke_token(s, token_id=token_id, user=None, author=author())
    console.print(f"token {token_id} revoked")


@app.command("roles")
def roles() -> None:
    """The permission matrix: which role may do what."""
    console.print(_permissions.matrix_markdown(), markup=False, highlight=False)


@handles_errors
def audit_command(
    entity: Annotated[str | None, typer.Option(help="sales_order, purchase_order, user …")] = None,
    ref: Annotated[str | None, typer.Option(help="a number: SO-1042, PO-31025/1 …")] = None,
    sales_order: Annotated[str | None, typer.Option(help="an order, its lines and BOMs")] = None,
    by: Annotated[str | None, typer.Option("--author", help="who made the change")] = None,
    action: Annotated[str | None, typer.Option()] = None,
    since: Annotated[datetime | None, typer.Option(help="YYYY-MM-DD[THH:MM]")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_csv: Annotated[bool, typer.Option("--csv")] = False,
) -> None:
    """The audit trail, newest first: who changed what, when, before and after."""
    with session() as s:
        rows = audit.history(
            s,
            entity=entity,
            ref=ref,
            sales_order=sales_order,
            author=by,
            action=action,
            since=since,
            limit=limit,
        )
    emit(
        "Audit trail",
        ("when", "who", "what", "action", "change"),
        [
            (
                f"{r.at:%Y-%m-%d %H:%M}",
                r.author,
                f"{r.entity} {r.entity_ref}",
                r.action,
                _change(r.before, r.after, r.note),
            )
            for r in rows
        ],
        as_csv=as_csv,
    )


def _change(before: dict[str, object] | None, after: dict[str, object] | None, note: str) -> str:
    """``key: old → new`` for what changed, ``key: value`` for what was set."""
    before, after = before or {}, after or {}
    parts = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in before and key in after:
            if before[key] != after[key]:
                parts.append(f"{key}: {_short(before[key], 30)} → {_short(after[key], 30)}")
        elif key in after:
            parts.append(f"{key}: {_short(after[key], 40)}")
        else:
            parts.append(f"{key}: {_short(before[key], 30)} → –")
    if note:
        parts.append(note)
    return "; ".join(parts)


def _short(value: object, width: int = 80) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
