"""One item: stock position, projected stock chart, where used, supply and demand."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
