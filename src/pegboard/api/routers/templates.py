"""Engineering BOM templates with parameters (configurable products)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/templates", tags=["templates"])
