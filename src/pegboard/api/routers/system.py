"""Health: the one endpoint besides login that needs no authentication."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from pegboard.api.deps import DbSession

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    database: str


@router.get("/health")
def health(session: DbSession) -> Health:
    """Is the server up, and does the database answer?"""
    session.execute(text("SELECT 1"))
    return Health(status="ok", database=session.get_bind().dialect.name)
