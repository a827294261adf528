"""Sales orders: the list, one order with its lines, order BOM tree and production
orders, and the configurator form for a line."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
