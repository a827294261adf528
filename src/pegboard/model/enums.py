"""Closed vocabularies, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class ItemType(StrEnum):
    MAKE = "make"
    BUY = "buy"


class Strategy(StrEnum):
    MTS = "mts"
    MTO = "mto"


class LotRule(StrEnum):
    LFL = "lfl"
    FOQ = "foq"
    POQ = "poq"


class BomKind(StrEnum):
    ENGINEERING = "engineering"
    ORDER = "order"


class ParameterKind(StrEnum):
    NUMBER = "number"
    CHOICE = "choice"
    BOOL = "bool"


class SalesOrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    """Firmed from the plan or entered, not yet sent to the supplier; already supply."""
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PurchaseLineStatus(StrEnum):
    OPEN = "open"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class ProductionStatus(StrEnum):
    PLANNED = "planned"
    """Firm but not released: supply for the plan, nothing reserved or issued yet."""
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_PURCHASE_STATUSES = (PurchaseLineStatus.OPEN, PurchaseLineStatus.IN_TRANSIT)
OPEN_PRODUCTION_STATUSES = (
    ProductionStatus.PLANNED,
    ProductionStatus.RELEASED,
    ProductionStatus.IN_PROGRESS,
)


class StockMoveKind(StrEnum):
    OPENING = "opening"
    RECEIPT = "receipt"
    ISSUE = "issue"
    COMPLETION = "completion"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"
    TRANSFER = "transfer"
    RESERVATION = "reservation"
    RELEASE = "release"


class ShipmentStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


class PlanRunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Role(StrEnum):
    ADMIN = "admin"
    PLANNER = "planner"
    BUYER = "buyer"
    SHOPFLOOR = "shopfloor"
    VIEWER = "viewer"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
