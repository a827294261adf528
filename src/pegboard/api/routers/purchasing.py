"""Purchase orders: firm from the plan, confirm, in transit, receive, cancel."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/purchase-orders", tags=["purchase-orders"])
