"""Items: anything stocked, bought or made."""

from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, Numeric, String, false
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model._types import enum_column
from pegboard.model.base import Base, CreatedMixin
from pegboard.model.enums import ItemType, LotRule, Strategy


class Item(CreatedMixin, Base):
    __tablename__ = "item"
    __table_args__ = (
        CheckConstraint("lead_time_days >= 0", name="lead_time"),
        CheckConstraint("min_qty >= 0 AND multiple >= 0 AND safety_stock >= 0", name="qty"),
        # the suppliers pages count and list the bought items of each supplier name
        Index("ix_item_supplier_type", "supplier", "type"),
        # the dashboard's planned buys and makes, by supplier then item: the first few
        # items in that order are walked, not every planned order sorted (migration 0032)
        Index("ix_item_supplier_code", "supplier", "code"),
        # the items list's filters and their counts (migration 0024)
        Index("ix_item_type_strategy", "type", "strategy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    type: Mapped[ItemType] = mapped_column(enum_column(ItemType, "item_type"))
    strategy: Mapped[Strategy] = mapped_column(enum_column(Strategy, "item_strategy"))
    uom: Mapped[str] = mapped_column(String(20), default="ea")
    decimals: Mapped[int] = mapped_column(default=0, server_default="3")
    """Decimal places a planned quantity may have (rule 7): 0 = whole units."""
    lead_time_days: Mapped[int] = mapped_column(default=0)
    lot_rule: Mapped[LotRule] = mapped_column(enum_column(LotRule, "lot_rule"))
    lot_qty: Mapped[float | None]
    period_days: Mapped[int | None]
    min_qty: Mapped[float] = mapped_column(default=0.0)
    multiple: Mapped[float] = mapped_column(default=0.0)
    safety_stock: Mapped[float] = mapped_column(default=0.0)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0))
    """The standard cost of one unit (exact, 4 decimals): what stock is valued at when
    nothing better is known (an adjustment into empty stock, rows from before #16)."""
    supplier: Mapped[str] = mapped_column(String(200), default="")
    mps: Mapped[bool] = mapped_column(default=False, server_default=false())
    """On the master production schedule: made to a schedule the planner keeps
    (``services.mps``), not lot-for-lot whenever an order needs it."""
