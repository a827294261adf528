"""Order BOMs: read, edit lines, copy to another line, save as a new product."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/boms", tags=["boms"])
