"""Sales orders and lines: enter, confirm, change, cancel, configure a line."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/sales-orders", tags=["sales-orders"])
