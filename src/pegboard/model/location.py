"""Stock locations: master data, so a mistyped location is refused instead of created."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from pegboard.model.base import Base


class Location(Base):
    """A place stock may sit (``stock_move.location`` and ``stock_balance.location`` name one).

    The ledger keeps the code as text (no foreign key: its rows are immutable and
    millions long); ``services.locations`` refuses a movement into a code not here.
    """

    __tablename__ = "location"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
