"""Counts read right for one and for many (issue #19 item 8: "1 days late", "(1 lines")."""

from __future__ import annotations

from pegboard.services.wording import counted, plural, plural_of


def test_one_takes_the_singular_every_other_count_the_plural() -> None:
    assert plural(1, "day") == "1 day"
    assert plural(0, "day") == "0 days"
    assert plural(3, "line") == "3 lines"
    assert plural(1.5, "day") == "1.5 days"
    assert plural(1.0, "order") == "1 order"
    assert plural(1250, "order") == "1,250 orders"


def test_irregular_words_and_phrases() -> None:
    assert plural(2, "supply") == "2 supplies"
    assert plural(1, "supply") == "1 supply"
    assert plural_of("production order") == "production orders"
    assert plural(4, "work center") == "4 work centers"
    assert counted(1, "is") == "is" and counted(2, "is") == "are"
    assert counted(2, "completes", "complete") == "complete"
