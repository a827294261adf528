"""An XLSX report as an API download: the bytes a service built, with their media type and
a file name, described as a binary body in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from pegboard.services.xlsx_reports import MEDIA_TYPE, filename

XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": "the report as an XLSX workbook (money in cents, dates as dates)",
    }
}


def xlsx_download(data: bytes, *name: str) -> Response:
    """``name``'s parts make the file name (``cost-SO-1042.xlsx``), kept to safe characters."""
    return Response(
        data,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename(*name)}"'},
    )
