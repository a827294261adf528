"""Company-wide planning settings (settings.csv) and the customers and projects around
orders. The plant's holidays are in ``model.holiday``, the document numbering in
``model.number_sequence``."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base, CreatedMixin


class CompanySetting(Base):
    __tablename__ = "company_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


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
