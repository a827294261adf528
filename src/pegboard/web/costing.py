"""The cost tab of a sales order and of a customer project: quoted revenue against the
estimated cost (material, labour and machine, overhead) rolled up through each line's
order BOM and routings, the margin, and the premium of customization."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pegboard.services import costing, money, variance, xlsx_reports
from pegboard.services.actual_cost import ActualCost
from pegboard.web.cost_waterfall import waterfall
from pegboard.web.deps import DbSession, Viewer
from pegboard.web.render import amount, chrome, page
from pegboard.web.xlsx_download import xlsx_download

router = APIRouter(include_in_schema=False)

BAR_WIDTH = 320
ELEMENTS = (("material", "Material"), ("labour", "Labour and machine"), ("overhead", "Overhead"))


def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{money.cents(value):.2f} %"


def plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def bar(elements: costing.Elements, revenue: Decimal | None) -> list[dict[str, Any]]:
    """The stacked bar of the cost elements, on a scale that also holds the revenue: each
    segment's element, x and width in pixels of ``BAR_WIDTH``."""
    top = max(elements.total, revenue or money.ZERO)
    if top <= 0:
        return []
    x = Decimal(0)
    out = []
    for name, label in ELEMENTS:
        value: Decimal = getattr(elements, name)
        width = value * BAR_WIDTH / top
        out.append({"name": name, "label": label, "x": float(x), "width": float(width)})
        x += width
    return out


def marker(elements: costing.Elements, revenue: Decimal | None) -> float | None:
    top = max(elements.total, revenue or money.ZERO)
    if revenue is None or top <= 0:
        return None
    return float(revenue * BAR_WIDTH / top)


def bars(
    estimated: costing.Elements, actual: ActualCost, revenue: Decimal | None
) -> dict[str, Any]:
    """Two stacked bars on one scale, estimated above actual, by element, and where the
    revenue falls on it: each segment's element, x and width in pixels of ``BAR_WIDTH``."""
    got = costing.Elements(actual.material, actual.labour, actual.overhead)
    top = max(estimated.total, got.total, revenue or money.ZERO)
    if top <= 0:
        return {"rows": [], "revenue": None}

    def row(label: str, e: costing.Elements) -> dict[str, Any]:
        x = Decimal(0)
        segments = []
        for name, title in ELEMENTS:
            value: Decimal = getattr(e, name)
            width = value * BAR_WIDTH / top
            segments.append({"name": name, "label": title, "x": float(x), "width": float(width)})
            x += width
        return {"label": label, "total": e.total, "segments": segments}

    mark = None if revenue is None else float(revenue * BAR_WIDTH / top)
    return {"rows": [row("Estimated", estimated), row("Actual", got)], "revenue": mark}


HELPERS = {
    "bars": bars,
    "amount": amount,
    "percent": percent,
    "plain": plain,
    "bar": bar,
    "marker": marker,
    "bar_width": BAR_WIDTH,
    "elements": ELEMENTS,
    "waterfall": waterfall,
}


@router.get("/orders/{number}/cost")
def order_cost_page(request: Request, session: DbSession, who: Viewer, number: str) -> Response:
    found = variance.order_variance(session, number)
    cost = found.estimate
    return page(
        request,
        "orders_cost.html",
        chrome(who, "orders")
        | HELPERS
        | {
            "title": f"Cost of sales order {cost.number}",
            "cost": cost,
            "actual": found,
            "order_url": f"/orders/{quote(cost.number, safe='')}",
        },
    )


@router.get("/customers/{customer}/projects/{project}/cost")
def project_cost_page(
    request: Request, session: DbSession, who: Viewer, customer: str, project: str
) -> Response:
    found = variance.project_variance(session, customer, project)
    return page(
        request,
        "project_cost.html",
        chrome(who, "orders")
        | HELPERS
        | {
            "title": f"Cost of project {project} of {customer}",
            "cost": found.estimate,
            "actual": found,
        },
    )


@router.get("/orders/{number}/cost.xlsx")
def order_cost_xlsx(session: DbSession, who: Viewer, number: str) -> Response:
    """The page's "Download XLSX": the same report as ``pegboard cost order --xlsx``."""
    return xlsx_download(xlsx_reports.order_cost_xlsx(session, number), "cost", number)


@router.get("/customers/{customer}/projects/{project}/cost.xlsx")
def project_cost_xlsx(session: DbSession, who: Viewer, customer: str, project: str) -> Response:
    data = xlsx_reports.project_cost_xlsx(session, customer, project)
    return xlsx_download(data, "cost", customer, project)
