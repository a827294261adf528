"""Money: exact amounts, the company currency and the costing settings.

Every amount is a ``Decimal``, read from text (never through a binary float),
stored as ``Numeric`` and rounded to cents only when it is shown or exported.
Prices people type (a quoted unit price, a discount) are refused with the field
named when they are negative, too large, or have more decimals than cents.

The company works in one currency (company setting ``currency``, an ISO 4217
code, EUR by default). Costing reads two more settings: ``overhead_per_labour_hour``
(an amount per routing hour) and ``overhead_pct_of_material`` (a percentage of the
material cost); both are 0 when not set.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from pegboard.errors import ValidationError
from pegboard.model import CompanySetting
from pegboard.services._tx import write_transaction

CENT = Decimal("0.01")
UNIT_PLACES = Decimal("0.0001")
"""Unit costs and purchase prices: 4 decimals (``item.unit_cost``)."""
ZERO = Decimal("0")
HUNDRED = Decimal("100")
MAX_PRICE = Decimal("1000000000")
"""The largest unit price or rate (a billion in the company currency)."""

CURRENCY_KEY = "currency"
OVERHEAD_PER_HOUR_KEY = "overhead_per_labour_hour"
OVERHEAD_PCT_KEY = "overhead_pct_of_material"
DEFAULT_CURRENCY = "EUR"

_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
"""
ISO_4217 = frozenset(_CODES.split())
"""The active ISO 4217 currency codes (funds and precious metals left out)."""


def cents(value: Decimal) -> Decimal:
    """Rounded to cents, half up: for display and export only, never for computing."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_decimal(value: float | int | Decimal) -> Decimal:
    """A stored quantity (a float column: qty per, scrap, hours) as the decimal it was typed
    as: its shortest exact form (``0.1`` is 0.1, not 0.1000000000000000055…)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def amount(
    value: Decimal | str | int,
    field: str,
    *,
    maximum: Decimal = MAX_PRICE,
    what: str = "an amount",
    places: Decimal = CENT,
) -> Decimal:
    """An exact amount of at most two decimals (``places``) between 0 and ``maximum``,
    from text or a ``Decimal`` (a float is refused: it is not exact)."""
    if isinstance(value, float | bool):
        raise ValidationError(f"{field} must be given as text or a decimal, not a float")
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            f"{field} {text!r} is not {what} (digits and a decimal point)",
            field=field,
            value=text,
        ) from None
    if not number.is_finite():
        raise ValidationError(f"{field} {text!r} is not {what}", field=field, value=text)
    if number < 0:
        raise ValidationError(f"{field} {text} must not be negative", field=field, value=text)
    if number > maximum:
        raise ValidationError(f"{field} {text}: at most {maximum}", field=field, value=text)
    if number != number.quantize(places):
        most = "two decimals (cents)" if places == CENT else f"{places_of(places)} decimals"
        raise ValidationError(f"{field} {text}: at most {most}", field=field, value=text)
    return number.quantize(places)


def places_of(step: Decimal) -> int:
    """How many decimals a step such as 0.0001 allows."""
    exponent = step.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


def price(value: Decimal | str | int, field: str = "unit_price") -> Decimal:
    """A unit price: an amount in the company currency, in cents."""
    return amount(value, field)


def unit_cost(value: Decimal | str | int, field: str = "unit_cost") -> Decimal:
    """A unit cost or purchase price: exact, at most 4 decimals (a screw costs 0.0125)."""
    return amount(value, field, places=UNIT_PLACES, what="a unit cost")


def percent(value: Decimal | str | int, field: str = "discount_pct") -> Decimal:
    """A percentage between 0 and 100, at most two decimals."""
    return amount(value, field, maximum=HUNDRED, what="a percentage")


def currency_code(value: str, field: str = CURRENCY_KEY) -> str:
    code = value.strip().upper()
    if code not in ISO_4217:
        raise ValidationError(
            f"{field} {value!r} is not an ISO 4217 currency code (EUR, USD, GBP, CHF…)",
            field=field,
            value=value,
        )
    return code


def net_amount(qty: Decimal, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """What the customer pays for a line: quantity × unit price less the discount (exact)."""
    return qty * unit_price * (HUNDRED - discount_pct) / HUNDRED


@dataclass(frozen=True)
class CostingSettings:
    currency: str
    overhead_per_labour_hour: Decimal
    overhead_pct_of_material: Decimal


def _setting(values: dict[str, str], key: str, parse: type[Decimal]) -> Decimal:
    text = values.get(key, "").strip()
    if not text:
        return ZERO
    try:
        return parse(text)
    except InvalidOperation:
        return ZERO


def costing_settings(session: Session) -> CostingSettings:
    """The company currency and overhead rates (a value that does not read is 0)."""
    keys = (CURRENCY_KEY, OVERHEAD_PER_HOUR_KEY, OVERHEAD_PCT_KEY)
    values = dict(
        session.execute(
            select(CompanySetting.key, CompanySetting.value).where(CompanySetting.key.in_(keys))
        ).all()
    )
    currency = values.get(CURRENCY_KEY, "").strip().upper() or DEFAULT_CURRENCY
    return CostingSettings(
        currency=currency,
        overhead_per_labour_hour=_setting(values, OVERHEAD_PER_HOUR_KEY, Decimal),
        overhead_pct_of_material=_setting(values, OVERHEAD_PCT_KEY, Decimal),
    )


def currency(session: Session) -> str:
    return costing_settings(session).currency


def set_costing_settings(
    session: Session,
    *,
    currency: str | None = None,
    overhead_per_labour_hour: Decimal | str | None = None,
    overhead_pct_of_material: Decimal | str | None = None,
    author: str,
) -> CostingSettings:
    """Change the company currency and the overhead rates (each checked first; audited)."""
    wanted: dict[str, str] = {}
    if currency is not None:
        wanted[CURRENCY_KEY] = currency_code(currency)
    if overhead_per_labour_hour is not None:
        wanted[OVERHEAD_PER_HOUR_KEY] = str(amount(overhead_per_labour_hour, OVERHEAD_PER_HOUR_KEY))
    if overhead_pct_of_material is not None:
        wanted[OVERHEAD_PCT_KEY] = str(
            amount(overhead_pct_of_material, OVERHEAD_PCT_KEY, maximum=Decimal("1000"))
        )
    with write_transaction(session):
        before: dict[str, object] = {}
        for key, value in wanted.items():
            row = session.get(CompanySetting, key)
            before[key] = row.value if row is not None else None
            if row is None:
                session.add(CompanySetting(key=key, value=value))
            else:
                row.value = value
        if wanted:
            from pegboard.services import audit  # writers only: reading an amount needs none

            audit.record(
                session,
                author=author,
                entity="setting",
                ref="costing",
                action="change",
                before=before,
                after=dict(wanted),
            )
        session.flush()
        return costing_settings(session)
