"""The ``pegboard`` command line (Typer + Rich). Thin: parse, call a service, render."""

from pegboard.cli.app import app

__all__ = ["app"]
