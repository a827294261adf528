"""Use cases: one function, one transaction. Adapters (CLI, API, web, bundle) call these."""

from pegboard.services import _text

_text.install()
