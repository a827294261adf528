"""The revisions of what estimated costs and the plan are computed from.

A stored estimate or plan is current only while the revisions it was computed at are:
``services.cost_inputs`` and ``services.plan_inputs`` raise them. The stored line costs
themselves are in ``model.line_cost``.
"""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import UtcDateTime
from pegboard.model.base import Base


class CostRevision(Base):
    """A counter raised by every change to what estimated costs are computed from:
    scope ``company`` for the whole company, ``order:<id>`` for one sales order; and
    (``services.plan_inputs``) by every transaction that changes what the plan is
    planned from: ``plan`` (material) and ``plan-capacity`` (routings, work centers)."""

    __tablename__ = "cost_revision"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int]
    change: Mapped[str | None] = mapped_column(String(200))
    """The scope's last change, in words (the plan's scopes keep it: ``plan_inputs``)."""
    changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
