"""Shipments of sales-order lines: ship, deliver."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/shipments", tags=["shipments"])
