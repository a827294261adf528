"""What every paged, sortable list page gives its template: the rows shown, "first–last
of total", previous and next links, a link per sortable column (a second click sorts
descending) and the export links, all keeping the filters in the address so a link
or a download shows what the page shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from pegboard.web.xlsx_download import export_links


def list_context(
    path: str,
    filters: Mapping[str, str],
    *,
    rows: Sequence[Any],
    total: int,
    page_no: int,
    page_size: int,
    sort: str,
    default_sort: str,
    sorts: Iterable[str],
) -> dict[str, Any]:
    """The list's part of a page's context; the page adds its title and its own keys."""
    pages = max(1, -(-total // page_size))

    def link(**change: Any) -> str:
        args = {k: v for k, v in ({**filters, "sort": sort} | change).items() if v}
        if args.get("sort") == default_sort:
            del args["sort"]
        if args.get("page") == 1:
            del args["page"]
        return path + ("?" + urlencode(args) if args else "")

    first = (page_no - 1) * page_size
    return {
        "rows": rows,
        "total": total,
        "first": first + 1 if rows else 0,
        "last": first + len(rows),
        "page_no": page_no,
        "pages": pages,
        "prev": link(page=page_no - 1) if page_no > 1 else None,
        "next": link(page=page_no + 1) if page_no < pages else None,
        "sorts": {name: link(sort=f"-{name}" if sort == name else name, page=1) for name in sorts},
        "sort": sort,
        "filters": filters,
        "exports": export_links(path, {**filters, "sort": sort}),
    }
