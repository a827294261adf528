"""Health: the one endpoint besides login that needs no authentication."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from pegboard import db
from pegboard.api.deps import DbSession

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    database: str


@router.get("/health")
def health(session: DbSession) -> Health:
    """Is the server up, and does the database answer?"""
    return Health(status="ok", database=db.ping(session))
