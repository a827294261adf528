"""The item form's fields: what a browser posts turned into the values ``services.items``
takes (numbers as numbers, an empty optional field as none, the MPS box as yes/no), and
an error put beside the field it names. The rules themselves are the service's."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from pegboard.errors import PegboardError, ValidationError
from pegboard.model.enums import ItemType, LotRule, Strategy

TEXT = ("description", "uom", "supplier")
CHOICES = {"type": ItemType, "strategy": Strategy, "lot_rule": LotRule}
NUMBERS = ("lead_time_days", "lot_qty", "period_days", "min_qty", "multiple", "safety_stock")
OPTIONAL = ("lot_qty", "period_days", "decimals")
FIELDS = ("code", *TEXT, *CHOICES, *NUMBERS, "unit_cost", "decimals", "mps")
"""Every field the form shows: the columns of items.csv."""


def typed(form: FormData) -> dict[str, str]:
    """What was typed, to show again (never more than a field's worth)."""
    out = {name: str(form.get(name) or "")[:600] for name in FIELDS if name != "mps"}
    out["mps"] = "on" if form.get("mps") else ""
    return out


def values(typed_in: dict[str, str]) -> dict[str, Any]:
    """The service's values of the typed fields; ``ValidationError`` naming the field
    of a number that is not one (its other rules are the service's)."""
    out: dict[str, Any] = {name: typed_in[name] for name in TEXT}
    out |= {name: typed_in[name].strip() for name in CHOICES}
    for name in (*NUMBERS, "decimals"):
        text = typed_in[name].strip().replace(",", "")
        if not text:
            if name not in OPTIONAL:
                raise ValidationError(f"{name} must not be empty", field=name)
            out[name] = None
            continue
        try:
            out[name] = float(text)
        except ValueError:
            raise ValidationError(f"{name} must be a number, not {text!r}", field=name) from None
    out["unit_cost"] = typed_in["unit_cost"].strip() or "0"
    out["mps"] = typed_in["mps"] == "on"
    return out


def field_errors(error: PegboardError) -> dict[str, str]:
    """The error beside its field (``_`` when it names none), as the service words it
    (it names fields as items.csv does)."""
    text = error.message + "."
    name = error.params.get("field")
    return {name if isinstance(name, str) and name in FIELDS else "_": text}


def blank() -> dict[str, str]:
    """A new item's form: items.csv's defaults."""
    return {
        "code": "",
        "description": "",
        "uom": "ea",
        "supplier": "",
        "type": "buy",
        "strategy": "mts",
        "lot_rule": "lfl",
        "lead_time_days": "0",
        "lot_qty": "",
        "period_days": "",
        "min_qty": "0",
        "multiple": "0",
        "safety_stock": "0",
        "unit_cost": "0",
        "decimals": "",
        "mps": "",
    }


def of_item(item: Any) -> dict[str, str]:
    """An existing item's form."""

    def num(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    out = {name: num(getattr(item, name)) for name in (*NUMBERS, "unit_cost", "decimals")}
    out |= {name: str(getattr(item, name)) for name in TEXT}
    out |= {name: getattr(item, name).value for name in CHOICES}
    return out | {"code": item.code, "mps": "on" if item.mps else ""}
