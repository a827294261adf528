"""Company-wide planning settings (settings.csv) and the people/customers around orders."""

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base, CreatedMixin


class CompanySetting(Base):
    __tablename__ = "company_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Holiday(Base):
    """A day the plant does not work (holidays.csv; the weekdays are ``work_days``)."""

    __tablename__ = "holiday"

    day: Mapped[date] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")


class Customer(CreatedMixin, Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Project(CreatedMixin, Base):
    """Groups several sales orders of one customer (the lobby, then the garage, then changes)."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("customer_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))


class NumberSequence(Base):
    """The last number handed out per document kind (``PO``, ``MO``, ``SH``).

    Read with a row lock, so two users firming at once never get the same number.
    """

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int]
    width: Mapped[int] = mapped_column(default=6)
    """Digits, zero-padded: those of the imported series it continues, else 6."""
