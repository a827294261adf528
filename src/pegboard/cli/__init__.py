"""The ``pegboard`` command line (Typer + Rich). Thin: parse, call a service, render."""

from pegboard.cli._loading import loading

with loading():  # Typer, Rich and the command table: see cli/_loading.py
    from pegboard.cli.app import app

__all__ = ["app"]
