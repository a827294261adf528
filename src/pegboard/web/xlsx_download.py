"""Downloads from a page's links: an XLSX report a service built, or a list page's rows
as XLSX or CSV (issue #19 item 5), with their media type and a file name kept to safe
characters (``cost-SO-1042.xlsx``, ``sales-orders.csv``).

A list page exports what it shows: its handler takes ``export`` (``?export=xlsx`` or
``csv``, added to the page's own query, so its filters and sort apply), reads its rows
without paging (at most ``spreadsheet.EXPORT_LIMIT``) and answers ``sheet_download``;
``export_links`` gives the template its two links, the filters kept.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from fastapi.responses import Response

from pegboard.services.spreadsheet import Sheet, csv_bytes
from pegboard.services.xlsx_reports import MEDIA_TYPE, filename, sheet_xlsx
from pegboard.web.render import SECURITY_HEADERS

CSV_TYPE = "text/csv; charset=utf-8"


class Format(StrEnum):
    """The files a list page downloads as."""

    XLSX = "xlsx"
    CSV = "csv"


ExportFormat = Annotated[Format | None, Query(alias="export")]
"""A list page's ``export`` parameter: absent for the page itself."""


def _attachment(data: bytes, media_type: str, name: str) -> Response:
    response = Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def xlsx_download(data: bytes, *name: str) -> Response:
    return _attachment(data, MEDIA_TYPE, filename(*name))


def sheet_download(sheet: Sheet, fmt: Format, *name: str) -> Response:
    """The sheet as the file asked for, named ``name``'s parts joined with ``-``."""
    if fmt is Format.CSV:
        return _attachment(
            csv_bytes(sheet), CSV_TYPE, filename(*name).removesuffix(".xlsx") + ".csv"
        )
    return _attachment(sheet_xlsx(sheet), MEDIA_TYPE, filename(*name))


def export_links(path: str, query: dict[str, str]) -> dict[str, str]:
    """The page's XLSX and CSV links: ``path`` with its filters (empty ones dropped, paging
    left out: a download holds every row that matches)."""
    kept = {k: v for k, v in query.items() if v and k not in ("offset", "page")}
    return {f.value: path + "?" + urlencode(kept | {"export": f.value}) for f in Format}
