"""Plan runs (background jobs) and the current plan: planned orders, pegging, exceptions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/plan", tags=["plan"])
