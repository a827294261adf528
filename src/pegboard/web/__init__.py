"""Server-rendered pages for planners (Jinja2 templates over the services).

``mount(app)`` adds the pages and ``/static`` to the FastAPI app; the pages share
the API's browser session (cookie ``services.users.SESSION_COOKIE``), so one
login serves both. Every state-changing form carries the session's CSRF token.
"""

from __future__ import annotations

from pegboard.web.routes import mount, router

__all__ = ["mount", "router"]
