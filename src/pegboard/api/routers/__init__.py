"""One router per area; ``ROUTERS`` is what the app mounts under ``/api``."""

from fastapi import APIRouter

from pegboard.api.routers import (
    audit,
    auth,
    boms,
    bundle,
    capacity,
    customers,
    items,
    jobs,
    plan,
    policy,
    production,
    promise,
    purchasing,
    reports,
    sales,
    shipping,
    stock,
    system,
    templates,
    users,
)

ROUTERS: list[APIRouter] = [
    system.router,
    auth.router,
    users.router,
    audit.router,
    jobs.router,
    items.router,
    templates.router,
    customers.router,
    sales.router,
    boms.router,
    capacity.router,
    plan.router,
    reports.router,
    policy.router,
    promise.router,
    purchasing.router,
    production.router,
    stock.router,
    shipping.router,
    bundle.router,
]
