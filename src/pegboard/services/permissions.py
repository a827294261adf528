"""Who may do what: roles and the permission matrix, as data.

Every endpoint that changes something names one permission; a role holds a set
of permissions. The README prints this matrix (``matrix_markdown``), and a test
checks every role against every endpoint class.
"""

from __future__ import annotations

from enum import StrEnum

from pegboard.model import Role


class Permission(StrEnum):
    READ = "read"
    MASTER_DATA = "master_data"
    SALES = "sales"
    PLAN = "plan"
    PURCHASE = "purchase"
    PRODUCTION = "production"
    STOCK = "stock"
    SHIP = "ship"
    IMPORT = "import"
    USERS = "users"


COVERS = {
    Permission.READ: "see everything: items, orders, plans, stock, reports, the audit trail",
    Permission.MASTER_DATA: "items, BOM templates, customers, projects, the plant calendar",
    Permission.SALES: "sales orders and lines, configuring a line, order BOMs",
    Permission.PLAN: "run the plan; firm planned production orders",
    Permission.PURCHASE: "purchase orders: firm, create, confirm, in transit, receive, cancel",
    Permission.PRODUCTION: "production orders: release, issue, complete, scrap, close, cancel",
    Permission.STOCK: "adjust, transfer, reserve and release stock",
    Permission.SHIP: "ship sales-order lines, confirm delivery",
    Permission.IMPORT: "replace the company's data with a bundle",
    Permission.USERS: "add users, change roles, revoke anyone's tokens",
}


P = Permission
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.PLANNER: frozenset(
        {P.READ, P.MASTER_DATA, P.SALES, P.PLAN, P.PURCHASE, P.PRODUCTION, P.STOCK, P.SHIP}
    ),
    Role.BUYER: frozenset({P.READ, P.PURCHASE, P.STOCK}),
    Role.SHOPFLOOR: frozenset({P.READ, P.PRODUCTION, P.STOCK, P.SHIP}),
    Role.VIEWER: frozenset({P.READ}),
}
"""Admin may do everything; a viewer reads and changes nothing."""


def allowed(role: Role, permission: Permission) -> bool:
    return permission in MATRIX[role]


def matrix_markdown() -> str:
    """The matrix as a Markdown table (pasted into the README; a test keeps them equal)."""
    roles = list(Role)
    head = "| permission | " + " | ".join(r.value for r in roles) + " | what it covers |"
    rule = "|---|" + "---|" * len(roles) + "---|"
    rows = [
        f"| `{p.value}` | "
        + " | ".join("✓" if allowed(r, p) else "" for r in roles)
        + f" | {COVERS[p]} |"
        for p in Permission
    ]
    return "\n".join([head, rule, *rows])
