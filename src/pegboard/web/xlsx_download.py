"""An XLSX report as a download from a page's link: the bytes a service built, with their
media type and a file name kept to safe characters (``cost-SO-1042.xlsx``)."""

from __future__ import annotations

from fastapi.responses import Response

from pegboard.services.xlsx_reports import MEDIA_TYPE, filename


def xlsx_download(data: bytes, *name: str) -> Response:
    return Response(
        data,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename(*name)}"'},
    )
