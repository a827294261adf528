"""Customers and their projects in the browser: the list (search, paging), a new
customer, a customer's page (its name, its projects with their orders, a new project)
and renaming either. Through ``services.sales`` (creating, as the CLI and API do) and
``services.customers`` (renaming), with their rules and audit; a refusal shows the form
again with the message beside the field and what was typed."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from pegboard.db import Session
from pegboard.errors import PegboardError
from pegboard.services import customers, sales
from pegboard.services.permissions import Permission
from pegboard.web import auth
from pegboard.web.deps import DbSession, Viewer, may, require
from pegboard.web.render import Form, chrome, form_text, page, redirect

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_PROJECTS = 500
Keeper = Annotated[
    auth.SignedIn,
    Depends(require(Permission.MASTER_DATA, "Your role may not change customers or projects.")),
]
Text = Annotated[str | None, Query(max_length=200)]
SAVED = {
    "created": "Customer created.",
    "renamed": "Customer saved.",
    "project": "Project created.",
    "project-renamed": "Project saved.",
}


def customer_url(code: str) -> str:
    return "/customers/" + quote(code, safe="")


def _message(e: PegboardError) -> str:
    return e.message[:1].upper() + e.message[1:] + "."


@router.get("/customers")
def customer_list(
    request: Request,
    session: DbSession,
    who: Viewer,
    q: Text = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    """The customers found; an htmx request (the search as it is typed, a page link)
    gets the table alone."""
    q = (q or "").strip()
    rows, total = sales.customer_page(
        session, q=q or None, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))

    def link(n: int) -> str:
        args = {k: v for k, v in {"q": q, "page": n if n > 1 else ""}.items() if v}
        return "/customers" + ("?" + urlencode(args) if args else "")

    context = chrome(who, "customers") | {
        "title": "Customers",
        "rows": rows,
        "total": total,
        "q": q,
        "page_no": page_no,
        "pages": pages,
        "prev": link(page_no - 1) if page_no > 1 else None,
        "next": link(page_no + 1) if page_no < pages else None,
        "customer_url": customer_url,
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    return page(request, "customers_table.html" if partial else "customers.html", context)


def _new_page(
    request: Request, who: auth.SignedIn, typed: dict[str, str], error: str = "", field: str = ""
) -> Response:
    context = chrome(who, "customers") | {
        "title": "New customer",
        "typed": typed,
        "error": error,
        "field": field,
    }
    return page(request, "customer_new.html", context, status_code=422 if error else 200)


@router.get("/customer/new")
def new_customer_form(request: Request, who: Keeper) -> Response:
    return _new_page(request, who, {"code": "", "name": ""})


@router.post("/customer/new")
def create_customer(request: Request, session: DbSession, who: Keeper, posted: Form) -> Response:
    typed = {n: (form_text(posted, n) or "")[:300] for n in ("code", "name")}
    try:
        sales.create_customer(
            session, code=typed["code"].strip(), name=typed["name"].strip(), author=who.user.name
        )
    except PegboardError as e:
        field = "name" if e.params.get("field") == "name" else "code"
        return _new_page(request, who, typed, _message(e), field)
    return redirect(customer_url(typed["code"].strip()) + "?saved=created")


def render_customer(
    request: Request,
    session: Session,
    who: auth.SignedIn,
    code: str,
    *,
    saved: str | None = None,
    error: str = "",
    form: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    """A customer's page; ``error`` beside the ``form`` it came from (``name``, ``project``
    or ``project:<code>``) with what was typed."""
    customer = sales.get_customer(session, code)
    projects, total = sales.project_page(session, customer.code, limit=MAX_PROJECTS, offset=0)
    context = chrome(who, "customers") | {
        "title": f"Customer {customer.code}",
        "customer": customer,
        "projects": projects,
        "projects_total": total,
        "max_projects": MAX_PROJECTS,
        "orders": customers.project_orders(session, customer.code),
        "saved": saved,
        "error": error,
        "form": form,
        "typed": typed or {},
        "customer_url": customer_url,
        "may_edit": may(who, Permission.MASTER_DATA),
    }
    return page(request, "customer.html", context, status_code=422 if error else 200)


@router.get("/customers/{code}")
def customer_page(
    request: Request, session: DbSession, who: Viewer, code: str, saved: Text = None
) -> Response:
    return render_customer(request, session, who, code, saved=SAVED.get(saved or ""))


@router.post("/customers/{code}")
def rename_customer(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str
) -> Response:
    name = (form_text(posted, "name") or "")[:300]
    try:
        customers.rename_customer(session, code, name=name, author=who.user.name)
    except PegboardError as e:
        return render_customer(
            request, session, who, code, error=_message(e), form="name", typed={"name": name}
        )
    return redirect(customer_url(code) + "?saved=renamed")


@router.post("/customers/{code}/projects")
def create_project(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str
) -> Response:
    typed: dict[str, Any] = {n: (form_text(posted, n) or "")[:300] for n in ("code", "name")}
    try:
        sales.create_project(
            session,
            customer=code,
            code=typed["code"].strip(),
            name=typed["name"].strip(),
            author=who.user.name,
        )
    except PegboardError as e:
        return render_customer(
            request, session, who, code, error=_message(e), form="project", typed=typed
        )
    return redirect(customer_url(code) + "?saved=project#projects")


@router.post("/customers/{code}/projects/{project}")
def rename_project(
    request: Request, session: DbSession, who: Keeper, posted: Form, code: str, project: str
) -> Response:
    name = (form_text(posted, "name") or "")[:300]
    try:
        customers.rename_project(session, code, project, name=name, author=who.user.name)
    except PegboardError as e:
        return render_customer(
            request,
            session,
            who,
            code,
            error=_message(e),
            form=f"project:{project}",
            typed={"name": name},
        )
    return redirect(customer_url(code) + "?saved=project-renamed#projects")
