"""Bundle import (zip of CSVs or xlsx, as a background job) and export (zip)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/bundle", tags=["bundle"])
