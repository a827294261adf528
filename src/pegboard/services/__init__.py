"""Use cases: one function, one transaction. Adapters (CLI, API, web, bundle) call these."""

from pegboard.services import _text, cost_inputs

_text.install()
cost_inputs.install()
