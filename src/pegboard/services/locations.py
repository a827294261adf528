"""Stock locations as master data: a movement names a known location or is refused.

A receipt, completion, transfer, adjustment or issue that names a location not in
the ``location`` table is refused with the known ones listed, so a typo ("nowhere")
no longer creates a place stock then hides in. ``main`` (the default receiving
location, and the bundle format's default) is always known. An admin or planner
adds a location (``add_location``); an import takes the bundle's ``locations.csv``,
or, without one, the locations its stock uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pegboard.errors import ConflictError, NotFoundError, ValidationError
from pegboard.model import Location, StockBalance
from pegboard.services import audit
from pegboard.services._tx import writes
from pegboard.services.codes import check_code
from pegboard.services.dataset import DEFAULT_LOCATION as DEFAULT_LOCATION

MAX_CODE = 100
MAX_DESCRIPTION = 200
KNOWN_SHOWN = 20
"""An unknown location's error lists at most this many known ones."""


@dataclass(frozen=True)
class LocationView:
    code: str
    description: str
    on_hand: float
    """Stock at the location now (every bucket, free and reserved)."""


def clean_code(location: object, field: str = "location") -> str:
    """A location code as typed: text, stripped, not blank, at most 100 characters,
    no control characters (so it prints on one line and stores on every database)."""
    if not isinstance(location, str):
        raise ValidationError(f"{field} must be text, not {location!r}", field=field)
    code = location.strip()
    if not code:
        raise ValidationError(f"{field} must not be blank", field=field)
    if len(code) > MAX_CODE:
        raise ValidationError(f"{field} is longer than {MAX_CODE} characters", field=field)
    if any(ord(c) < 32 or ord(c) == 127 for c in code):
        raise ValidationError(f"{field} {code!r} holds a control character", field=field)
    return code


def known_codes(session: Session) -> list[str]:
    """Every known location code, sorted (``main`` always among them)."""
    codes = set(session.scalars(select(Location.code)))
    return sorted(codes | {DEFAULT_LOCATION})


def require_known(session: Session, location: str, field: str = "location") -> str:
    """``location`` cleaned, when it is a known location; else a ``ValidationError``
    that lists the known ones (and how to add one)."""
    code = clean_code(location, field)
    if code == DEFAULT_LOCATION or session.get(Location, code) is not None:
        return code
    known = known_codes(session)
    shown = ", ".join(known[:KNOWN_SHOWN]) + (" …" if len(known) > KNOWN_SHOWN else "")
    raise ValidationError(
        f"unknown location {code!r} (known: {shown}); "
        "an admin adds one with `pegboard location add`",
        field=field,
        value=code,
        known=known[:KNOWN_SHOWN],
    )


def list_locations(session: Session) -> list[LocationView]:
    described = {
        row.code: row.description
        for row in session.execute(select(Location.code, Location.description))
    }
    stock: dict[str, float] = {
        code: float(qty or 0.0)
        for code, qty in session.execute(
            select(StockBalance.location, func.sum(StockBalance.qty)).group_by(
                StockBalance.location
            )
        )
    }
    codes = sorted(set(described) | {DEFAULT_LOCATION})
    return [LocationView(code, described.get(code, ""), stock.get(code, 0.0)) for code in codes]


def get_location(session: Session, code: str) -> LocationView:
    """One known location with its stock now; an unknown one is refused, naming the known."""
    found = [view for view in list_locations(session) if view.code == code]
    if not found:
        raise NotFoundError(f"no location {code[:100]!r}", location=code[:100])
    return found[0]


def _description(description: object) -> str:
    if not isinstance(description, str):
        raise ValidationError("description must be text", field="description")
    text = description.strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            f"description is longer than {MAX_DESCRIPTION} characters", field="description"
        )
    if "\x00" in text:
        raise ValidationError("description holds a NUL character", field="description")
    return text


@writes
def add_location(
    session: Session, code: str, *, description: str = "", author: str
) -> LocationView:
    """Add a location; refused when it exists already (the same code, ignoring case too,
    so ``Main`` is not a second ``main``)."""
    code = check_code(code, "code")
    description = _description(description)
    same = [c for c in known_codes(session) if c.casefold() == code.casefold()]
    if same:
        raise ConflictError(f"location {same[0]!r} exists already", code=same[0])
    session.add(Location(code=code, description=description))
    audit.record(
        session,
        author=author,
        entity="location",
        ref=code,
        action="add",
        after={"description": description},
    )
    session.flush()
    return LocationView(code, description, 0.0)


@writes
def describe_location(
    session: Session, code: str, *, description: str, author: str
) -> LocationView:
    """Change a location's description. Its code stays: the stock ledger's rows name it,
    and they are never rewritten (a location renamed would orphan its history)."""
    code = clean_code(code, "code")
    text = _description(description)
    row = session.get(Location, code)
    if row is None and code != DEFAULT_LOCATION:
        require_known(session, code, "code")  # raises, naming the known ones
    before = "" if row is None else row.description
    if row is None:  # ``main`` is known without a row until it is described
        row = Location(code=code, description=text)
        session.add(row)
    row.description = text
    audit.record(
        session,
        author=author,
        entity="location",
        ref=code,
        action="describe",
        before={"description": before},
        after={"description": text},
    )
    session.flush()
    on_hand = session.scalar(
        select(func.sum(StockBalance.qty)).where(StockBalance.location == code)
    )
    return LocationView(code, text, float(on_hand or 0.0))
