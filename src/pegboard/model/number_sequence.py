"""Document numbering: the last number handed out per kind of document."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base


class NumberSequence(Base):
    """The last number handed out per document kind (``PO``, ``MO``, ``SH``).

    Read with a row lock, so two users firming at once never get the same number.
    """

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int]
    width: Mapped[int] = mapped_column(default=6)
    """Digits, zero-padded: those of the imported series it continues, else 6."""
