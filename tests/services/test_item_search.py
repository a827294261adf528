"""The items list's search (services.items.item_query) on both databases: code or
description containing the text typed, in any case, with ``%``, ``_`` and ``/`` taken
literally (SQLite answers with a plain LIKE, PostgreSQL with ILIKE: the same rows), and
the type and strategy filters beside it (the index of migration 0024)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pegboard.model import ItemType, Strategy
from pegboard.services import items


def _codes(session: Session, **filters: object) -> tuple[list[str], int]:
    rows, total = items.item_page(session, limit=50, offset=0, **filters)  # type: ignore[arg-type]
    return [r.code for r in rows], total


def _shop(session: Session) -> None:
    made = {"type": "make", "strategy": "mto"}
    for code, values in {
        "FST-001": {"description": "Socket cap screw M6x20", "type": "buy"},
        "fst-002": {"description": "Blind rivet 4x10", "type": "buy"},
        "PNL-7": {"description": "Front panel, fasteners FST-001 x4"} | made,
        "P_100": {"description": "Spacer 100% nylon / 5 mm", "type": "buy"},
        "PX1000": {"description": "Spacer 1000 pack", "type": "buy"},
        "CASE": {"description": "Display case", "type": "make", "strategy": "mts"},
    }.items():
        items.create_item(session, code, values, author="t")


def test_code_or_description_contains_the_text_in_any_case(session: Session) -> None:
    _shop(session)
    found, total = _codes(session, q="fst-")
    assert sorted(found) == ["FST-001", "PNL-7", "fst-002"] and total == 3
    assert _codes(session, q="SCREW") == (["FST-001"], 1)
    assert _codes(session, q="ap sCr") == (["FST-001"], 1)
    assert _codes(session, q="nothing like it") == ([], 0)


def test_wildcards_typed_are_literal(session: Session) -> None:
    _shop(session)
    assert _codes(session, q="_1") == (["P_100"], 1)  # not PX1000's "X1"
    assert _codes(session, q="100%") == (["P_100"], 1)  # not PX1000 nor "1000 pack"
    assert _codes(session, q="%") == (["P_100"], 1)
    assert _codes(session, q="/ 5") == (["P_100"], 1)
    assert _codes(session, q="//") == ([], 0)


def test_search_with_type_and_strategy(session: Session) -> None:
    _shop(session)
    make_mto = {"type": ItemType.MAKE, "strategy": Strategy.MTO}
    assert _codes(session, **make_mto) == (["PNL-7"], 1)
    assert _codes(session, q="fst", **make_mto) == (["PNL-7"], 1)
    assert _codes(session, type=ItemType.MAKE) == (["CASE", "PNL-7"], 2)
    found, total = _codes(session, q="spacer", type=ItemType.BUY, sort="-description")
    assert (found, total) == (["PX1000", "P_100"], 2)  # "1000 pack" after "100% nylon"
