"""``python -m pegboard``: the same commands as ``pegboard``, named so in messages and help
(Click would take the program's name from ``argv[0]``: ``__main__.py``)."""

from pegboard.cli import app

app(prog_name="pegboard")
