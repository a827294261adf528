"""Customers and their projects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from pegboard.api.deps import DbSession, Reader, require
from pegboard.api.pagination import Page, Paging
from pegboard.api.params import Code, sort_query
from pegboard.api.routers.sales import ElementsOut, OrderCostOut, elements_out, order_cost_out
from pegboard.model.enums import SalesOrderStatus
from pegboard.services import costing, customers, money, sales
from pegboard.services.permissions import Permission
from pegboard.services.users import UserView

router = APIRouter(prefix="/customers", tags=["customers"])
MasterData = Annotated[UserView, Depends(require(Permission.MASTER_DATA))]

Sort = Annotated[str | None, sort_query(sales.CUSTOMER_SORT)]


class CustomerOut(BaseModel):
    code: str
    name: str


class NewCustomer(BaseModel):
    code: Code
    name: str = Field(default="", max_length=200, description="default: the code")


class ProjectOut(BaseModel):
    customer: str
    code: str
    name: str


class NewProject(BaseModel):
    code: Code
    name: str = Field(default="", max_length=200, description="default: the code")


class OrderSummaryOut(BaseModel):
    number: str
    status: SalesOrderStatus
    lines: int
    due: date | None = Field(description="the latest promised date of its lines")
    projected: date | None = Field(description="the latest date the plan sees them complete")
    late_days: int


class ProjectDatesOut(BaseModel):
    """The project's dates rolled up from its orders in the current plan."""

    planned: int = Field(description="how many of its orders the current plan holds")
    due: date | None = Field(description="the latest promised date of those orders")
    projected: date | None = Field(description="the latest date the plan sees one complete")
    late_orders: int = Field(description="how many of them are late")
    late_days: int = Field(description="the most days one of them is late (0: all on time)")
    most_late: str | None = Field(description="the order late by late_days")
    summary: str = Field(description="the same in one sentence, as the command line says it")


class ProjectOverview(ProjectOut):
    orders: list[OrderSummaryOut]
    dates: ProjectDatesOut


@router.get("")
def list_customers(
    user: Reader,
    session: DbSession,
    paging: Paging,
    q: Annotated[str | None, Query(max_length=100, description="part of the code or name")] = None,
    sort: Sort = None,
) -> Page[CustomerOut]:
    """Find customers by code or name, a page at a time."""
    rows, total = sales.customer_page(
        session, q=q, sort=sort, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[CustomerOut(code=c, name=n) for c, n in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("", status_code=201)
def create_customer(body: NewCustomer, user: MasterData, session: DbSession) -> CustomerOut:
    """Add a customer."""
    sales.create_customer(session, code=body.code, name=body.name, author=user.name)
    customer = sales.get_customer(session, body.code.strip())
    return CustomerOut(code=customer.code, name=customer.name)


@router.get("/{code}")
def get_customer(code: str, user: Reader, session: DbSession) -> CustomerOut:
    """One customer."""
    customer = sales.get_customer(session, code)
    return CustomerOut(code=customer.code, name=customer.name)


class Rename(BaseModel):
    name: str = Field(max_length=200, description="the new name; empty: the code")


@router.patch("/{code}")
def rename_customer(code: str, body: Rename, user: MasterData, session: DbSession) -> CustomerOut:
    """Rename a customer (its code, which orders refer to, stays); audited."""
    name = customers.rename_customer(session, code, name=body.name, author=user.name)
    return CustomerOut(code=code, name=name)


@router.patch("/{code}/projects/{project}")
def rename_project(
    code: str, project: str, body: Rename, user: MasterData, session: DbSession
) -> ProjectOut:
    """Rename a customer's project (its code stays); audited."""
    name = customers.rename_project(session, code, project, name=body.name, author=user.name)
    return ProjectOut(customer=code, code=project, name=name)


@router.get("/{code}/projects")
def list_projects(
    code: str, user: Reader, session: DbSession, paging: Paging, sort: Sort = None
) -> Page[ProjectOut]:
    """A customer's projects (each groups several of its orders)."""
    rows, total = sales.project_page(
        session, code, sort=sort, limit=paging.limit, offset=paging.offset
    )
    return Page(
        items=[ProjectOut(customer=code, code=p, name=n) for p, n in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.post("/{code}/projects", status_code=201)
def create_project(code: str, body: NewProject, user: MasterData, session: DbSession) -> ProjectOut:
    """Add a project to a customer."""
    sales.create_project(session, customer=code, code=body.code, name=body.name, author=user.name)
    project = sales.get_project(session, code, body.code.strip())
    return ProjectOut(customer=code, code=project.code, name=project.name)


@router.get("/{code}/projects/{project}")
def project_overview(code: str, project: str, user: Reader, session: DbSession) -> ProjectOverview:
    """A project's orders: status, promised dates and the dates the current plan projects,
    and the project's dates rolled up (how many orders are late, the most late)."""
    found = sales.get_project(session, code, project)
    orders = sales.project_overview(session, code, project)
    dates = sales.project_dates(orders)
    return ProjectOverview(
        customer=code,
        code=found.code,
        name=found.name,
        orders=[OrderSummaryOut(**o.__dict__) for o in orders],
        dates=ProjectDatesOut(**dates.__dict__, summary=dates.summary()),
    )


class ProjectCostOut(BaseModel):
    customer: str
    project: str
    currency: str
    revenue: Decimal | None = Field(description="the quoted lines of the orders not cancelled")
    cost: Decimal = Field(description="their estimated cost")
    elements: ElementsOut
    margin: Decimal | None
    margin_pct: Decimal | None
    premium: Decimal = Field(description="the premium of customization of its configured lines")
    orders: list[OrderCostOut]


@router.get("/{code}/projects/{project}/cost")
def project_cost(code: str, project: str, user: Reader, session: DbSession) -> ProjectCostOut:
    """The project's quoted revenue, estimated cost and margin, order by order and line by
    line (cancelled orders and lines listed, not counted). Amounts in cents."""
    p = costing.project_cost(session, code, project)
    return ProjectCostOut(
        customer=p.customer,
        project=p.project,
        currency=p.currency,
        revenue=None if p.revenue is None else money.cents(p.revenue),
        cost=money.cents(p.cost),
        elements=elements_out(p.elements),
        margin=None if p.margin is None else money.cents(p.margin),
        margin_pct=None if p.margin_pct is None else money.cents(p.margin_pct),
        premium=money.cents(p.premium),
        orders=[order_cost_out(o) for o in p.orders],
    )
