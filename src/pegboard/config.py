"""Settings, read from ``PEGBOARD_*`` environment variables.

A leaf module: every layer may import it, it imports nothing of ours.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./pegboard.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEGBOARD_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL. ``postgresql://`` is rewritten to the psycopg 3 driver."""

    user: str = "cli"
    """Author recorded on changes made from the command line."""

    def normalized_url(self) -> str:
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


def get_settings() -> Settings:
    """Read the environment now: cheap, and lets one process (a test) switch databases."""
    return Settings()
