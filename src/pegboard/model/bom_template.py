"""The configuration of templates: a template's parameters, and what its lines do with them.

An engineering BOM with parameters is a *template* (``model.bom``): each parameter is a
number, a choice or yes/no; a line may use another component for each value of a choice
parameter, and pass parameters down to a configurable sub-assembly as formulas of the
parent's.
"""

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

# The modules of the tables this one's foreign keys name: declared with it, so that
# its foreign keys resolve (the model package declares a module on first use).
import pegboard.model.bom
import pegboard.model.item  # noqa: F401
from pegboard.model._types import enum_column
from pegboard.model.base import Base
from pegboard.model.enums import ParameterKind


class BomParameter(Base):
    """A configuration parameter of a template: a number, a choice, or yes/no."""

    __tablename__ = "bom_parameter"
    __table_args__ = (UniqueConstraint("bom_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("bom.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[ParameterKind] = mapped_column(enum_column(ParameterKind, "parameter_kind"))
    label: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    choices: Mapped[list[str] | None] = mapped_column(JSON)
    default: Mapped[str] = mapped_column(String(200), default="")


class BomLineOption(Base):
    """Which component a template line uses for one value of its choice parameter."""

    __tablename__ = "bom_line_option"
    __table_args__ = (UniqueConstraint("bom_line_id", "choice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_line_id: Mapped[int] = mapped_column(ForeignKey("bom_line.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(200))
    component_id: Mapped[int] = mapped_column(ForeignKey("item.id"))


class BomLineParameter(Base):
    """A parameter passed down to a configurable component, as a formula of the parent's."""

    __tablename__ = "bom_line_parameter"
    __table_args__ = (UniqueConstraint("bom_line_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_line_id: Mapped[int] = mapped_column(ForeignKey("bom_line.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    formula: Mapped[str] = mapped_column(String(500))
