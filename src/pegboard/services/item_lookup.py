"""Items a person may mean while typing a code (issue #19 item 8: a type-ahead wherever
an item is entered): codes that start with what was typed first, then codes or
descriptions that contain it, each with its description, at most ``LIMIT``.

The pages fill an HTML ``<datalist>`` with them (``web.lookup``), so the browser
offers them under the field; the field itself stays free text, checked by the service
that receives the form.
"""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from pegboard.services.items import item_query

LIMIT = 20
MAX_TYPED = 100


def item_suggestions(session: Session, typed: str, *, limit: int = LIMIT) -> list[tuple[str, str]]:
    """``(code, description)`` of the items matching ``typed`` (any case), the codes
    starting with it first, then by code; nothing for blank text."""
    text = typed.strip()[:MAX_TYPED]
    if not text:
        return []
    found = item_query(q=text).subquery()
    starts = case((found.c.code.istartswith(text, autoescape=True), 0), else_=1)
    stmt = select(found.c.code, found.c.description).order_by(starts, found.c.code).limit(limit)
    return [(code, description or "") for code, description in session.execute(stmt)]
