"""Use cases: one function, one transaction. Adapters (CLI, API, web, bundle) call these."""
