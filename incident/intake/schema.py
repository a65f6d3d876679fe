"""Parse and validate intake input from the form, the JSON API or the CLI into one shape."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from incident.enums import Channel, Circumstance, ComplaintObject, DemandType, Emotion
from incident.crowd.claimants import numbers
from incident.errors import ValidationError
from incident.intake import printable

MAX_HEADCOUNT = 1_000_000


@dataclass
class ContactIn:
    name: str
    phone: str  # normalized digits
    note: str = ""


@dataclass
class IntakeIn:
    core_demand: str
    headcount: int
    scope_text: str
    channel: str
    complaint_object: str
    contacts: list[ContactIn] = field(default_factory=list)
    circumstances: list[str] = field(default_factory=list)
    title: str = ""
    demand_type: str | None = None
    place: str = ""
    occurred_at: datetime | None = None
    anonymous: bool = False
    complainant_name: str = ""
    emotion: str = "calm"
    demands_consistent: bool = False
    prior_contact: str = ""
    safety_issue: bool = False
    notes: str = ""


def clean_text(value: Any, field: str, limit: int, required: bool = False) -> str:
    """Strip a text value; None counts as empty. Errors name *field*."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError("%(field)s must be text", field=field)
    value = value.strip()
    if required and not value:
        raise ValidationError("%(field)s is required", field=field)
    if len(value) > limit:
        raise ValidationError("%(field)s is longer than %(max)s characters", field=field, max=limit)
    return value


# Intake fields printed in the incident report (and contact names): refused when no font can print them.
PRINTED = frozenset({"title", "core_demand", "scope_text", "place", "complainant_name", "name"})


def text(data: Mapping[str, Any], name: str, *, required: bool = False, max_len: int = 300) -> str:
    value = clean_text(data.get(name), name, max_len, required)
    return printable.check(value, name) if name in PRINTED else value


def integer(data: Mapping[str, Any], name: str, *, lo: int, hi: int, required: bool = True) -> int | None:
    raw = data.get(name)
    if raw is None or raw == "":
        if required:
            raise ValidationError("%(field)s is required", field=name)
        return None
    if isinstance(raw, bool):
        raise ValidationError("%(field)s must be a whole number", field=name)
    try:
        value = int(raw) if not isinstance(raw, float) or raw.is_integer() else None
    except (TypeError, ValueError):
        value = None
    if value is None:
        raise ValidationError("%(field)s must be a whole number", field=name)
    if not lo <= value <= hi:
        raise ValidationError("%(field)s must be between %(lo)s and %(hi)s", field=name, lo=lo, hi=hi)
    return value


def boolean(data: Mapping[str, Any], name: str) -> bool:
    raw = data.get(name, False)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("1", "true", "on", "yes", "0", "false", "off", "no", ""):
        return raw.lower() in ("1", "true", "on", "yes")
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    raise ValidationError("%(field)s must be true or false", field=name)


def choice(data: Mapping[str, Any], name: str, enum: type, *, required: bool = True,
           default: str | None = None) -> str | None:
    raw = data.get(name)
    if raw in (None, ""):
        if required and default is None:
            raise ValidationError("%(field)s is required", field=name)
        return default
    values = [e.value for e in enum]
    if raw not in values:
        raise ValidationError("%(field)s must be one of: %(allowed)s", field=name, allowed=", ".join(values))
    return str(raw)


def timestamp(data: Mapping[str, Any], name: str) -> datetime | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise ValidationError("%(field)s must be an ISO 8601 date-time", field=name)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("%(field)s must be an ISO 8601 date-time", field=name) from None
    if value.tzinfo is None:  # a local time from a form: taken as China Standard Time
        from zoneinfo import ZoneInfo
        value = value.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return value.astimezone(timezone.utc)


def _contacts(data: Mapping[str, Any]) -> list[ContactIn]:
    raw = data.get("contacts", [])
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        raise ValidationError("contacts must be a list", field="contacts")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ValidationError("each contact must be an object", field=f"contacts[{i}]")
        name = text(item, "name", max_len=120)
        phone_raw = item.get("phone")
        if not name and not phone_raw:
            continue  # an empty row of the form
        if not name:
            raise ValidationError("contact name is required", field=f"contacts[{i}].name")
        if not isinstance(phone_raw, str) or not phone_raw.strip():
            raise ValidationError("contact phone is required", field=f"contacts[{i}].phone")
        phone = numbers.phone(phone_raw, field=f"contacts[{i}].phone")  # the one normaliser (issue 11)
        out.append(ContactIn(name=name, phone=phone, note=text(item, "note", max_len=300)))
    if len(out) > 20:
        raise ValidationError("at most 20 contacts", field="contacts")
    return out


def _circumstances(data: Mapping[str, Any]) -> list[str]:
    raw = data.get("circumstances", [])
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = [p for p in raw.split(",") if p.strip()]
    if not isinstance(raw, list):
        raise ValidationError("circumstances must be a list", field="circumstances")
    allowed = {c.value for c in Circumstance}
    for c in raw:
        if c not in allowed:
            raise ValidationError("%(field)s must be among: %(allowed)s", field="circumstances",
                                  allowed=", ".join(sorted(allowed)))
    order = [c.value for c in Circumstance]
    return sorted(set(raw), key=order.index)


def parse_intake(data: Mapping[str, Any]) -> IntakeIn:
    """Validate raw input; the first problem raises a ValidationError naming its field."""
    if not isinstance(data, Mapping):
        raise ValidationError("intake must be an object", field="body")
    core = text(data, "core_demand", required=True, max_len=2000)
    intake = IntakeIn(
        core_demand=core,
        headcount=integer(data, "headcount", lo=1, hi=MAX_HEADCOUNT),  # type: ignore[arg-type]
        scope_text=text(data, "scope_text", required=True, max_len=300),
        channel=choice(data, "channel", Channel),  # type: ignore[arg-type]
        complaint_object=choice(data, "complaint_object", ComplaintObject),  # type: ignore[arg-type]
        contacts=_contacts(data),
        circumstances=_circumstances(data),
        title=text(data, "title", max_len=200),
        demand_type=choice(data, "demand_type", DemandType, required=False),
        place=text(data, "place", max_len=300),
        occurred_at=timestamp(data, "occurred_at"),
        anonymous=boolean(data, "anonymous"),
        complainant_name=text(data, "complainant_name", max_len=120),
        emotion=choice(data, "emotion", Emotion, default="calm"),  # type: ignore[arg-type]
        demands_consistent=boolean(data, "demands_consistent"),
        prior_contact=text(data, "prior_contact", max_len=300),
        safety_issue=boolean(data, "safety_issue"),
        notes=text(data, "notes", max_len=5000),
    )
    if not intake.anonymous and not intake.contacts:
        raise ValidationError("at least one representative contact is required unless anonymous",
                              field="contacts")
    if not intake.title:
        intake.title = core if len(core) <= 60 else core[:59] + "…"
    return intake


# Fields an edit may change, with their parser; contacts are managed as their own records.
EDITABLE = {
    "title": lambda d: text(d, "title", required=True, max_len=200),
    "core_demand": lambda d: text(d, "core_demand", required=True, max_len=2000),
    "headcount": lambda d: integer(d, "headcount", lo=1, hi=MAX_HEADCOUNT),
    "scope_text": lambda d: text(d, "scope_text", required=True, max_len=300),
    "channel": lambda d: choice(d, "channel", Channel),
    "complaint_object": lambda d: choice(d, "complaint_object", ComplaintObject),
    "circumstances": _circumstances,
    "demand_type": lambda d: choice(d, "demand_type", DemandType, required=False),
    "place": lambda d: text(d, "place", max_len=300),
    "occurred_at": lambda d: timestamp(d, "occurred_at"),
    "anonymous": lambda d: boolean(d, "anonymous"),
    "complainant_name": lambda d: text(d, "complainant_name", max_len=120),
    "emotion": lambda d: choice(d, "emotion", Emotion, default="calm"),
    "demands_consistent": lambda d: boolean(d, "demands_consistent"),
    "prior_contact": lambda d: text(d, "prior_contact", max_len=300),
    "safety_issue": lambda d: boolean(d, "safety_issue"),
}


def parse_changes(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a partial edit; unknown fields are refused by name."""
    if not isinstance(data, Mapping):
        raise ValidationError("changes must be an object", field="body")
    out = {}
    for key in data:
        if key in ("version", "csrf_token"):
            continue
        if key not in EDITABLE:
            raise ValidationError("%(field)s cannot be changed here", field=key)
        out[key] = EDITABLE[key](data)
    if not out:
        raise ValidationError("nothing to change", field="body")
    return out
