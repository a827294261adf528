"""The tables. Data, not behaviour: every rule lives in ``pegboard.services``.

Each table is declared on first use (issue #18, start-up): ``from pegboard.model import
Item`` imports ``pegboard.model.item`` only, and each model module imports the modules of
the tables its foreign keys name, so that every foreign key of a declared table resolves
(a flush orders its rows by them). Declaring a class costs SQLAlchemy milliseconds, and
configuring the mappers on the first query more, for each class declared: a command
such as ``pegboard report late`` needs under half of them. The enums are plain and
always here. ``Base`` stands for the whole schema (``Base.metadata``: migrations,
truncating, copying a company), so asking this package for it declares every table,
as ``load_all()`` does. tests/model/test_model_package.py holds ``HOMES`` to the modules.

The modules that declare tables do without ``from __future__ import annotations``: their
``Mapped[...]`` annotations are then objects, which SQLAlchemy reads as they are, instead
of strings it evaluates one by one (a sixth of the time a class takes to declare).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pegboard.model.enums import (
    BomKind,
    ItemType,
    JobStatus,
    LotRule,
    ParameterKind,
    PlanRunStatus,
    ProductionStatus,
    PurchaseLineStatus,
    PurchaseOrderStatus,
    Role,
    SalesOrderStatus,
    ShipmentStatus,
    StockMoveKind,
    Strategy,
)

HOMES: dict[str, str] = {
    "ApiToken": "users",
    "AuditEntry": "audit",
    "Bom": "bom",
    "BomLine": "bom",
    "BomLineOption": "bom_template",
    "BomLineParameter": "bom_template",
    "BomParameter": "bom_template",
    "CompanySetting": "company",
    "CostRevision": "cost",
    "Customer": "company",
    "Holiday": "holiday",
    "Item": "item",
    "Job": "jobs",
    "LineCostEstimate": "line_cost",
    "LineFinalCost": "line_cost",
    "LoadSummary": "capacity",
    "LoadWeek": "capacity",
    "Location": "location",
    "LoginAttempt": "users",
    "NumberSequence": "number_sequence",
    "OperationProgress": "shop_floor",
    "Pegging": "plan",
    "PinnedOperation": "pinned",
    "PlanException": "plan",
    "PlanExceptionSalesOrder": "plan",
    "PlanLine": "plan",
    "PlanProduction": "plan",
    "PlanRun": "plan",
    "PlannedOrder": "plan",
    "PolicyLine": "policy",
    "PolicyRun": "policy",
    "PolicySetting": "policy",
    "ProductionComponent": "production_component",
    "ProductionOrder": "production",
    "Project": "company",
    "PurchaseOrder": "purchasing",
    "PurchaseOrderLine": "purchasing",
    "Routing": "routing",
    "RoutingOperation": "routing",
    "SalesOrder": "sales",
    "SalesOrderLine": "sales",
    "ScheduleRun": "schedule",
    "ScheduledLoad": "scheduled_work",
    "ScheduledOperation": "scheduled_work",
    "ScheduledOrder": "schedule",
    "Shipment": "shipment",
    "StockBalance": "stock",
    "StockMove": "stock",
    "TemplateOperation": "routing",
    "User": "users",
    "WebSession": "users",
    "WorkCenter": "work_center",
    "WorkCenterClosedDay": "work_center_closed_day",
}
"""The module (``pegboard.model.<module>``) that declares each class this package gives."""

MODULES: tuple[str, ...] = tuple(sorted(set(HOMES.values())))
"""Every module that declares tables."""


def load_all() -> None:
    """Declare every table (a whole-schema use: ``Base.metadata`` complete)."""
    for module in MODULES:
        importlib.import_module(f"pegboard.model.{module}")


if TYPE_CHECKING:
    from pegboard.model.audit import AuditEntry
    from pegboard.model.base import Base
    from pegboard.model.bom import Bom, BomLine
    from pegboard.model.bom_template import BomLineOption, BomLineParameter, BomParameter
    from pegboard.model.capacity import LoadSummary, LoadWeek
    from pegboard.model.company import CompanySetting, Customer, Project
    from pegboard.model.cost import CostRevision
    from pegboard.model.holiday import Holiday
    from pegboard.model.item import Item
    from pegboard.model.jobs import Job
    from pegboard.model.line_cost import LineCostEstimate, LineFinalCost
    from pegboard.model.location import Location
    from pegboard.model.number_sequence import NumberSequence
    from pegboard.model.pinned import PinnedOperation
    from pegboard.model.plan import (
        Pegging,
        PlanException,
        PlanExceptionSalesOrder,
        PlanLine,
        PlannedOrder,
        PlanProduction,
        PlanRun,
    )
    from pegboard.model.policy import PolicyLine, PolicyRun, PolicySetting
    from pegboard.model.production import ProductionOrder
    from pegboard.model.production_component import ProductionComponent
    from pegboard.model.purchasing import PurchaseOrder, PurchaseOrderLine
    from pegboard.model.routing import Routing, RoutingOperation, TemplateOperation
    from pegboard.model.sales import SalesOrder, SalesOrderLine
    from pegboard.model.schedule import ScheduledOrder, ScheduleRun
    from pegboard.model.scheduled_work import ScheduledLoad, ScheduledOperation
    from pegboard.model.shipment import Shipment
    from pegboard.model.shop_floor import OperationProgress
    from pegboard.model.stock import StockBalance, StockMove
    from pegboard.model.users import ApiToken, LoginAttempt, User, WebSession
    from pegboard.model.work_center import WorkCenter
    from pegboard.model.work_center_closed_day import WorkCenterClosedDay
else:

    def __getattr__(name: str) -> Any:
        """A class declared on first use (PEP 562); ``Base`` declares them all."""
        if name == "Base":
            load_all()
            value = importlib.import_module("pegboard.model.base").Base
        elif name in HOMES:
            value = getattr(importlib.import_module(f"pegboard.model.{HOMES[name]}"), name)
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Bom",
    "BomKind",
    "BomLine",
    "BomLineOption",
    "BomLineParameter",
    "BomParameter",
    "CompanySetting",
    "CostRevision",
    "Customer",
    "Holiday",
    "Item",
    "ItemType",
    "Job",
    "JobStatus",
    "LineCostEstimate",
    "LineFinalCost",
    "LoadSummary",
    "LoadWeek",
    "Location",
    "LoginAttempt",
    "LotRule",
    "NumberSequence",
    "OperationProgress",
    "ParameterKind",
    "Pegging",
    "PinnedOperation",
    "PlanException",
    "PlanExceptionSalesOrder",
    "PlanLine",
    "PlanProduction",
    "PlanRun",
    "PlanRunStatus",
    "PlannedOrder",
    "PolicyLine",
    "PolicyRun",
    "PolicySetting",
    "ProductionComponent",
    "ProductionOrder",
    "ProductionStatus",
    "Project",
    "PurchaseLineStatus",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "Role",
    "Routing",
    "RoutingOperation",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "ScheduleRun",
    "ScheduledLoad",
    "ScheduledOperation",
    "ScheduledOrder",
    "Shipment",
    "ShipmentStatus",
    "StockBalance",
    "StockMove",
    "StockMoveKind",
    "Strategy",
    "TemplateOperation",
    "User",
    "WebSession",
    "WorkCenter",
    "WorkCenterClosedDay",
]
