"""The tables. Data, not behaviour: every rule lives in ``pegboard.services``."""

from pegboard.model.audit import AuditEntry
from pegboard.model.base import Base
from pegboard.model.bom import Bom, BomLine, BomLineOption, BomLineParameter, BomParameter
from pegboard.model.company import CompanySetting, Customer, Project
from pegboard.model.enums import (
    BomKind,
    ItemType,
    LotRule,
    ParameterKind,
    PlanRunStatus,
    ProductionStatus,
    PurchaseLineStatus,
    SalesOrderStatus,
    StockMoveKind,
    Strategy,
)
from pegboard.model.item import Item
from pegboard.model.plan import Pegging, PlanException, PlanLine, PlannedOrder, PlanRun
from pegboard.model.production import ProductionOrder
from pegboard.model.purchasing import PurchaseOrder, PurchaseOrderLine
from pegboard.model.sales import SalesOrder, SalesOrderLine
from pegboard.model.stock import StockBalance, StockMove

__all__ = [
    "AuditEntry",
    "Base",
    "Bom",
    "BomKind",
    "BomLine",
    "BomLineOption",
    "BomLineParameter",
    "BomParameter",
    "CompanySetting",
    "Customer",
    "Item",
    "ItemType",
    "LotRule",
    "ParameterKind",
    "Pegging",
    "PlanException",
    "PlanLine",
    "PlanRun",
    "PlanRunStatus",
    "PlannedOrder",
    "ProductionOrder",
    "ProductionStatus",
    "Project",
    "PurchaseLineStatus",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "StockBalance",
    "StockMove",
    "StockMoveKind",
    "Strategy",
]
