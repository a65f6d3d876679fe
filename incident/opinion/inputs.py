"""Checks of what a person types into the opinion watch: field-named, localized refusals."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from incident import clock
from incident.errors import ValidationError
from incident.opinion.platforms import METRICS, Platform

MAX_COUNT = 2_000_000_000  # fits a 32-bit column on every database


def platform(value: Any) -> str:
    if not isinstance(value, str) or value not in {p.value for p in Platform}:
        raise ValidationError("platform must be one of %(values)s", field="platform",
                              values=", ".join(p.value for p in Platform))
    return value


def url(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(text) > 1000:
        raise ValidationError("the web address must start with http:// or https:// and have at most 1000 characters", field="url")
    return text


def text(value: Any, fld: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError("%(field)s must be a text of at most %(n)s characters", field=fld, n=limit)
    value = value.strip()
    if required and not value:
        raise ValidationError("%(field)s is required", field=fld)
    return value


def moment(value: Any, fld: str) -> datetime:
    """An ISO time with its zone, not in the future (a minute of clock drift allowed); none = now."""
    now = clock.now()
    if value in (None, ""):
        return now
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ValidationError("%(field)s must be a date and time with its zone", field=fld)
    if at > now + timedelta(minutes=1):
        raise ValidationError("%(field)s cannot be in the future", field=fld)
    return at


def flag(value: Any, fld: str) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false", "1", "0", "on"):
        return value in ("true", "1", "on")
    raise ValidationError("%(field)s must be true or false", field=fld)


def counts(data: dict[str, Any]) -> dict[str, int | None]:
    """reads / reposts / comments / likes: whole numbers ≥ 0, at least one of them given."""
    out: dict[str, int | None] = {}
    for m in METRICS:
        raw = data.get(m)
        if raw in (None, ""):
            out[m] = None
            continue
        if isinstance(raw, str) and raw.strip().isdecimal():  # "５２０" yes, "²" no (int() refuses it)
            raw = int(raw.strip())
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_COUNT:
            raise ValidationError("%(field)s must be a whole number from 0 to %(max)s", field=m, max=MAX_COUNT)
        out[m] = raw
    if all(v is None for v in out.values()):
        raise ValidationError("give at least one figure: reads, reposts, comments or likes", field="reposts")
    return out
