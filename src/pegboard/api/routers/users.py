"""Users and roles (admin only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from pegboard.api.deps import DbSession, require
from pegboard.model.enums import Role
from pegboard.services import users
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[UserView, Depends(require(Permission.USERS))]


class UserOut(BaseModel):
    name: str
    role: Role
    active: bool


class UserChanged(UserOut):
    tokens_revoked: int = Field(
        description="API tokens this change revoked (a new password revokes all of them)"
    )


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=users.MIN_PASSWORD, max_length=1000)
    role: Role


class UserChange(BaseModel):
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=users.MIN_PASSWORD, max_length=1000)


def _out(view: UserView) -> UserOut:
    return UserOut(name=view.name, role=view.role, active=view.active)


@router.get("")
def list_users(admin: Admin, session: DbSession) -> list[UserOut]:
    return [_out(u) for u in users.list_users(session)]


@router.post("", status_code=201)
def add_user(body: NewUser, admin: Admin, session: DbSession) -> UserOut:
    return _out(
        users.create_user(
            session, name=body.name, password=body.password, role=body.role, author=admin.name
        )
    )


@router.patch("/{name}")
def change_user(name: str, body: UserChange, admin: Admin, session: DbSession) -> UserChanged:
    """Change a role, switch a user off or on, or set a new password. A new password ends
    the user's browser sessions and revokes every API token of theirs
    (``tokens_revoked`` says how many)."""
    view = users.update_user(
        session,
        name=name,
        role=body.role,
        active=body.active,
        password=body.password,
        author=admin.name,
    )
    return UserChanged(**_out(view).model_dump(), tokens_revoked=view.tokens_revoked)
