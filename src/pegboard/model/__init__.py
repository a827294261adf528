"""The tables. Data, not behaviour: every rule lives in ``pegboard.services``."""

from pegboard.model.audit import AuditEntry
from pegboard.model.base import Base
from pegboard.model.bom import Bom, BomLine, BomLineOption, BomLineParameter, BomParameter
from pegboard.model.capacity import (
    Routing,
    RoutingOperation,
    TemplateOperation,
    WorkCenter,
    WorkCenterClosedDay,
)
from pegboard.model.company import CompanySetting, Customer, Holiday, NumberSequence, Project
from pegboard.model.cost import CostRevision, LineCostEstimate, LineFinalCost
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
from pegboard.model.item import Item
from pegboard.model.jobs import Job
from pegboard.model.location import Location
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
from pegboard.model.production import ProductionComponent, ProductionOrder
from pegboard.model.purchasing import PurchaseOrder, PurchaseOrderLine
from pegboard.model.sales import SalesOrder, SalesOrderLine, Shipment
from pegboard.model.schedule import ScheduledLoad, ScheduledOperation, ScheduledOrder, ScheduleRun
from pegboard.model.shop_floor import OperationProgress
from pegboard.model.stock import StockBalance, StockMove
from pegboard.model.users import ApiToken, LoginAttempt, User, WebSession

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
