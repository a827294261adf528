"""Production orders: firm, release, issue, complete, scrap, close, cancel."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/production-orders", tags=["production-orders"])
