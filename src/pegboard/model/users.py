"""People who use pegboard, their API tokens and browser sessions, and login attempts.

Secrets are never stored: passwords as argon2 hashes, tokens and session ids as
SHA-256 digests (they are long random strings, so a fast digest is enough to
make a stolen table useless).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime, enum_column
from pegboard.model.base import Base, CreatedMixin, utcnow
from pegboard.model.enums import Role


class User(CreatedMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())


class ApiToken(CreatedMixin, Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    """The first characters, so a person can tell their tokens apart."""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebSession(CreatedMixin, Base):
    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_name_at", "name", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool]
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
