"""What every page shares: the templates, the page frame (user, role, CSRF token),
responses with the security headers, posted forms, a job's progress page.

A page handler reads (the session and the user are dependencies, ``web.deps``):

    @router.get("/things")
    def things(request: Request, session: DbSession, who: Viewer) -> Response:
        return page(request, "things.html", chrome(who, "things") | {...})

A page of an area that shows plan results (``PLAN_AREAS``) gets ``plan_age``, and the
base template shows a banner, with a button to plan again, when the plan is older
than today or than changes made to its inputs since it ran.

State-changing forms post ``csrf_token`` (``chrome`` puts it in the context as
``csrf_token``); ``deps.csrf_checked`` checks it before any handler runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from pegboard import clock
from pegboard.db import Session, sessionmaker
from pegboard.errors import NotFoundError, PegboardError
from pegboard.services import jobs, money, scenarios, wording
from pegboard.services.permissions import MATRIX
from pegboard.services.plan_age import plan_age
from pegboard.web import auth, deps

HERE = Path(__file__).parent
STATIC = HERE / "static"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)

SECURITY_HEADERS = {
    # scripts only from our own files (htmx, web.vendor: never inline, never eval), its
    # requests only to us, nothing from elsewhere, and never inside another site's frame
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def number(value: float) -> str:
    """A quantity without a needless ``.0``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0")


def amount(value: Decimal | None) -> str:
    """An exact amount of money shown in cents, half up (``–``: none)."""
    return "–" if value is None else f"{money.cents(value):,.2f}"


_env.filters["qty"] = number
_env.filters["money"] = amount
_env.filters["plural"] = wording.plural
_env.filters["counted"] = wording.counted


@contextmanager
def db(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session


PLAN_AREAS = frozenset(
    {
        "dashboard",
        "plan",
        "pegging",
        "orders",
        "promise",
        "items",
        "production",
        "purchasing",
        "mps",
    }
)
"""The areas whose pages show plan results: they say so when the plan is older than today."""


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    if context.get("current") in PLAN_AREAS and "plan_age" not in context:
        with deps.data_sessions(request)() as session:
            context = context | {"plan_age": plan_age(session, clock.today())}
    if "user" in context:  # signed in: the scenario bar and its switcher
        context = context | _scenario_bar(request)
    done = request.cookies.get(FLASH_COOKIE)
    context = context | {"flash": unquote(done)[:FLASH_LENGTH] if done else None}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    if done is not None:  # shown once: the next page no longer says it
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _scenario_bar(request: Request) -> dict[str, Any]:
    """What the coloured scenario bar shows: the scenario the pages work on (``None``:
    the live company), one chosen but deleted since, and the scenarios to switch to."""
    live = request.app.state.engine.url.render_as_string(hide_password=False)
    try:
        names = scenarios.names(live=live)
    except PegboardError:
        names = []
    return {
        "scenario": deps.chosen_scenario(request),
        "scenario_gone": getattr(request.state, "scenario_gone", None),
        "scenario_names": names,
    }


FLASH_COOKIE = "pegboard_done"
FLASH_LENGTH = 300


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    """See other ``url`` (303); ``done`` says what the action did on the page it shows
    ("SO-1042 confirmed."), once: a short-lived cookie the next page reads and clears,
    so a reload or the back button does not say it again (flash after redirect)."""
    response = RedirectResponse(url, status_code=303)
    response.headers.update(SECURITY_HEADERS)
    if done:
        response.set_cookie(
            FLASH_COOKIE,
            quote(done[:FLASH_LENGTH]),
            max_age=120,
            path="/",
            httponly=True,
            samesite="strict",
        )
    return response


def chrome(who: auth.SignedIn, current: str) -> dict[str, Any]:
    """What the base template needs: the user, their role and the session's CSRF token."""
    return {
        "user": who.user,
        "csrf_token": who.csrf_token,
        "current": current,
        "permissions": sorted(p.value for p in MATRIX[who.user.role]),
    }


async def form_data(request: Request) -> FormData:
    """The posted form (read here so the handlers themselves can stay synchronous; parsed
    once a request, by the CSRF check, within its limits)."""
    return await request.form(max_files=deps.FORM_FILES, max_fields=deps.FORM_FIELDS)


Form = Annotated[FormData, Depends(form_data)]
"""A handler's posted form, as a dependency."""


def form_text(form: FormData, name: str) -> str | None:
    """A text field of the form (``None`` when absent or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else None


def job_page(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    job_id: int,
    *,
    area: str,
    template: str,
    kind: str | None = None,
    extra: Callable[[jobs.JobView], dict[str, Any]] = lambda _job: {},
) -> Response:
    """A background job's progress page (it reloads itself while the job runs); 404 for
    no such job, or one of another ``kind``. ``extra`` adds what the job's result shows."""
    context = chrome(who, area) | {"title": f"Job {job_id}", "job": None}
    try:
        job = jobs.get_job(session, job_id)
    except NotFoundError:
        return page(request, template, context, status_code=404)
    if kind is not None and job.kind != kind:
        return page(request, template, context, status_code=404)
    running = job.status in ("queued", "running")
    may_cancel = running and jobs.may_cancel(who.user.role, job.kind)
    context |= {"job": job, "running": running, "may_cancel": may_cancel} | extra(job)
    return page(request, template, context)
