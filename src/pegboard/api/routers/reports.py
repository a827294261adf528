"""Reports on the current plan: late, shortages, buy, make, actions, where used."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/reports", tags=["reports"])
