"""The one rule for codes: what an item, customer, project, template, location, work
center or typed order number may be called.

A code ends up in a URL path (``/items/{code}``, ``/api/customers/{code}``), on a
command line and in a CSV cell, so it must survive all three: no ``/`` or ``\\``
(a path separator: the code could be created but never reached), no ``?``, ``#`` or
``%`` (they end or escape a path), no control character, and no space at either end
(a browser or a shell trims it). Spaces inside, dots, dashes, ``$`` and letters of
any script are fine. Every service that creates a code calls :func:`check_code`; the
bundle reader calls :func:`code_problem` and locates the refusal by file, line and
column.
"""

from __future__ import annotations

from pegboard.errors import ValidationError

MAX_CODE = 100
PATH_CHARACTERS = "/\\?#%"
"""Never in a code: each breaks the code's URL (see the module docstring)."""


def code_problem(code: str, max_length: int = MAX_CODE) -> str | None:
    """Why ``code`` is not a code, or ``None`` when it is one."""
    if not code:
        return "must not be blank"
    if code != code.strip():
        return "starts or ends with a space"
    if len(code) > max_length:
        return f"longer than {max_length} characters"
    for c in code:
        if ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029":
            return f"holds a control character ({c!r}); a code is one line of text"
        if c in PATH_CHARACTERS:
            return (
                f"holds {c!r}: a code may not hold any of / \\ ? # % "
                "(it is part of the addresses of pages and of the API)"
            )
    return None


def check_code(value: object, field: str = "code", *, max_length: int = MAX_CODE) -> str:
    """``value`` trimmed when it is a code, else a ``ValidationError`` naming ``field``
    and the value typed."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text, not {value!r}", field=field)
    code = value.strip()
    problem = code_problem(code, max_length)
    if problem is not None:
        raise ValidationError(f"{field} {code!r}: {problem}", field=field, value=code)
    return code
