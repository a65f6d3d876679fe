"""Validation of demand input: type, CNY amounts (exact decimals, never floats), owner, deadline."""
from __future__ import annotations

import re
from datetime import datetime, time, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from incident.enums import DemandType
from incident.errors import ValidationError
from incident.intake import printable
from incident.intake.schema import clean_text

MAX_AMOUNT = Decimal("100000000")  # ¥100 million: anything above is a typo
LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # a bare date means the end of that day, China time
MONEY_TYPES = {DemandType.REFUND.value, DemandType.COMPENSATION.value, DemandType.INDEMNITY.value}


def parse_type(value: Any, field: str = "type") -> str:
    valid = [t.value for t in DemandType]
    if value not in valid:
        raise ValidationError("type must be one of " + ", ".join(valid), field=field)
    return str(value)


def parse_amount(value: Any, field: str = "amount", required: bool = False) -> str | None:
    """A CNY amount as a canonical string with two decimals; floats are refused (send "150.00").

    What a phone keyboard or a copied figure brings is accepted: full-width digits (１２００), a
    thousands comma in either width (1,200 / 1，200), a leading ¥/￥ and a trailing 元."""
    if value is None or value == "":
        if required:
            raise ValidationError("%(field)s is required", field=field)
        return None
    if isinstance(value, bool) or isinstance(value, float) or not isinstance(value, (int, str)):
        raise ValidationError(AMOUNT_FORMAT, field=field)
    text = str(value).strip().translate(_FULL_WIDTH)
    text = text.removeprefix("¥").removesuffix("元").strip().replace(",", "")
    if not _AMOUNT.fullmatch(text):
        raise ValidationError(AMOUNT_FORMAT, field=field)
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationError(AMOUNT_FORMAT, field=field) from None
    if not d.is_finite() or d <= 0 or d > MAX_AMOUNT:
        raise ValidationError("%(field)s must be more than 0 and at most %(max)s yuan", field=field,
                              max=str(MAX_AMOUNT))
    if d.as_tuple().exponent < -2 and d != d.quantize(Decimal("0.01")):  # type: ignore[operator]
        raise ValidationError("%(field)s has more than two decimals (fen)", field=field)
    return str(d.quantize(Decimal("0.01")))


AMOUNT_FORMAT = '%(field)s must be an amount in yuan such as "150.00"'
# full-width digits, comma, point and yuan sign as typed on a Chinese keyboard, to their ASCII forms
_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．￥－", "0123456789,.¥-")
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def parse_text(value: Any, field: str, limit: int, required: bool = False) -> str:
    return printable.check(clean_text(value, field, limit, required), field)  # remedies go into agreements


def parse_deadline(value: Any, field: str = "deadline") -> datetime | None:
    """ISO 8601 date-time with a UTC offset, or a bare date (end of that day in China time)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError("%(field)s must be a date such as 2026-12-31", field=field)
    try:
        if len(value.strip()) == 10:
            day = datetime.fromisoformat(value.strip()).date()
            return datetime.combine(day, time(23, 59, 59), LOCAL_TZ).astimezone(timezone.utc)
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("%(field)s must be a date such as 2026-12-31", field=field) from None
    if dt.tzinfo is None:
        raise ValidationError(f"{field} needs a UTC offset, e.g. 2026-11-28T18:00:00+08:00", field=field)
    return dt.astimezone(timezone.utc)


def parse_version(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError("version (the version you last read) is required", field="version")
    return value


def yuan(amount: str | None) -> str:
    """'1234.50' -> '¥1,234.50' for messages."""
    return "" if amount is None else f"¥{Decimal(amount):,.2f}"


# -- amounts from the import file (issue 11): e.g. a refund equal to each buyer's 订单金额
_CURRENCY = str.maketrans("", "", "¥￥元, ，\u3000")


def attribute_amounts(session: Any, claimant_ids: list[int], column: str) -> dict[int, str]:
    """Each claimant's amount read from the import column *column* (kept as text in its attributes).

    Every claimant in scope must have a valid amount there, else nothing is created and the message
    counts and names (up to five) the claimants without one."""
    from sqlalchemy import select

    from incident.crowd.claimants.models import Claimant
    out: dict[int, str] = {}
    missing: list[str] = []
    for cid, name, attrs in session.execute(select(Claimant.id, Claimant.name, Claimant.attributes)
                                            .where(Claimant.id.in_(claimant_ids))):
        text = str((attrs or {}).get(column, "")).translate(_CURRENCY)
        try:
            amount = parse_amount(text, "amount_from", required=True)
        except ValidationError:
            missing.append(name)
            continue
        out[cid] = amount  # type: ignore[assignment]
    if missing:
        raise ValidationError("%(count)s claimants have no amount in the column %(column)s (%(names)s)",
                              field="amount_from", count=len(missing), column=column, names="、".join(missing[:5]))
    return out
