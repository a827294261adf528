"""The plan: run it (with progress), planned orders to firm, exceptions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
