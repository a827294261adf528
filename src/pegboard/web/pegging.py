"""The pegging explorer: from a sales order down to every supply and purchased part,
and from an item or purchase order up to the sales orders it feeds."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
