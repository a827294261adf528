"""Stock: position, projected stock, ledger, adjust, transfer, reserve."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/stock", tags=["stock"])
