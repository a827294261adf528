"""The release days a firm request body may give instead of naming planned orders
(``POST /api/purchase-orders/firm`` and ``/api/production-orders/firm``): ``from``,
``until`` and ``window``, the same names and meanings as the planned-orders lists'
query (``GET /api/plan/planned-orders``, ``/api/reports/buy|make``), read by the same
service, so a firm takes exactly the orders such a list showed."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from pegboard.services.release_windows import WindowName

NAMED_OR_DAYS: JsonDict = {
    "not": {
        "anyOf": [
            {"required": ["planned", "until"]},
            {"required": ["planned", "from"]},
            {"required": ["planned", "window"]},
        ]
    }
}
"""The schema's words for "name planned orders or give release days, not both"."""


class ReleaseDays(BaseModel):
    """Release days to firm by: from ``from`` to ``until``, or a ``window``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=NAMED_OR_DAYS)

    until: date | None = Field(
        default=None, description="every unfirmed planned order released by this date"
    )
    since: date | None = Field(
        default=None,
        alias="from",
        description="every unfirmed planned order released on or after this date",
    )
    window: WindowName | None = Field(
        default=None,
        description="instead of from/until, as of today: overdue, today (overdue ones too), "
        "this-week (Monday to Sunday, overdue ones too), next-week",
    )
