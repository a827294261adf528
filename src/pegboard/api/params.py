"""Parameter types shared by the routers: typed ids and the ``sort`` query parameter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Query
from pydantic import StringConstraints

_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CODE_PATTERN = rf"^[^{_SPACE}]([^\n\r]*[^{_SPACE}])?$"
"""Ids people type: not blank, no spaces around them, one line. (The services trim ids;
here untrimmed ones are refused. The space characters are spelled out, because regular
expression engines disagree on what ``\\s`` matches.)"""
Code = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=CODE_PATTERN)]


def sort_query(names: Iterable[str]) -> Any:
    """The ``sort`` query parameter: named fields only, comma-separated, ``-`` descending.

    The pattern is in the OpenAPI document, so clients (and the fuzzer) know the fields."""
    names = sorted(names)
    field = "(" + "|".join(re.escape(n) for n in names) + ")"
    return Query(
        max_length=200,
        pattern=rf"^[-+]?{field}(,[-+]?{field})*$",
        description=f"comma-separated, '-' for descending; of: {', '.join(names)}",
    )
