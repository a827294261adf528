"""``services.paging.sorted_page``: the one way a list is sorted and paged for the API and
the pages, by names a user gives (``name,-other``), never SQL from a string."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.services import sales

CUSTOMERS = [("ACME", "Zeta lamps"), ("BOLT", "Alpha lights"), ("CRUX", "Alpha lights")]


@pytest.fixture
def customers(session: Session) -> Session:
    for code, name in CUSTOMERS:
        sales.create_customer(session, code=code, name=name, author="test")
    return session


def _codes(session: Session, sort: str | None, limit: int = 10, offset: int = 0) -> list[str]:
    with session.begin():
        rows, total = sales.customer_page(session, sort=sort, limit=limit, offset=offset)
    assert total == len(CUSTOMERS)
    return [code for code, _name in rows]


def test_a_page_is_sorted_by_the_names_given_then_by_the_tie(customers: Session) -> None:
    assert _codes(customers, None) == ["ACME", "BOLT", "CRUX"]  # the tie alone: by code
    assert _codes(customers, "-code") == ["CRUX", "BOLT", "ACME"]
    assert _codes(customers, "+name") == ["BOLT", "CRUX", "ACME"]  # equal names: by code
    assert _codes(customers, "name,-code") == ["CRUX", "BOLT", "ACME"]
    assert _codes(customers, "-name", limit=1, offset=1) == ["BOLT"]


@pytest.mark.parametrize("sort", ["city", "code,", "name;drop table customer", "-"])
def test_an_unknown_name_is_refused_naming_the_known_ones(customers: Session, sort: str) -> None:
    with pytest.raises(ValidationError, match=r"cannot sort by .* \(can: code, name\)") as e:
        _codes(customers, sort)
    assert e.value.params["field"] == "sort"
