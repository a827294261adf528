"""Counts in words that read right for one and for many: "1 day late", "3 days late",
"(1 line", "2 lines" (issue #19 item 8: pages said "1 days late" and "(1 lines").

Every page, report and message that puts a number before a noun goes through
``plural`` (the pages as the Jinja filter ``plural``), so the rule lives in one place:
exactly 1 takes the singular, any other number (0, 2, 1.5) the plural. The plural is the
word with an ``s`` unless a word is in ``IRREGULAR`` or the caller names it.
"""

from __future__ import annotations

IRREGULAR = {
    "supply": "supplies",
    "quantity": "quantities",
    "child": "children",
    "this": "these",
    "is": "are",
    "was": "were",
    "has": "have",
}
"""Nouns (and the verbs that agree with them) whose plural is not the word plus ``s``."""


def plural_of(word: str) -> str:
    """``word``'s plural: the last word of a phrase takes it ("work center" → "work
    centers", "sales order line" → "sales order lines")."""
    head, _, last = word.rpartition(" ")
    many = IRREGULAR.get(last, last + "s")
    return f"{head} {many}" if head else many


def counted(n: float, word: str, many: str | None = None) -> str:
    """``word`` or its plural, as the count ``n`` wants, without the number."""
    if n == 1:
        return word
    return many if many is not None else plural_of(word)


def plural(n: float, word: str, many: str | None = None) -> str:
    """The count and the word: ``plural(1, "day")`` is "1 day", ``plural(3, "day")``
    "3 days", ``plural(2, "supply")`` "2 supplies"; a whole count is grouped by
    thousands ("1,250 orders"), a fraction keeps its decimals ("1.5 days")."""
    shown = f"{int(n):,}" if float(n).is_integer() else f"{n:,}"
    return f"{shown} {counted(n, word, many)}"
