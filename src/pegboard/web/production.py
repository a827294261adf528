"""Production orders: Gantt chart by sales order and the shop-floor actions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
