"""Items: list, search, read, create and change (master data)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/items", tags=["items"])
