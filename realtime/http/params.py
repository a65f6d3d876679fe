"""Request parsing helpers that raise field-named validation errors."""
from __future__ import annotations

from typing import Any

from flask import request

from incident.errors import ValidationError
from realtime.http.inputs import check_json, parse_int


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 naming the body."""
    if not request.is_json:
        raise ValidationError("send a JSON object with Content-Type: application/json", field="body")
    data = request.get_json()  # malformed or too deep: a 400 naming the body (realtime.http.inputs)
    if not isinstance(data, dict):
        raise ValidationError("body must be a JSON object", field="body")
    check_json(data)
    return data


def int_arg(name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw)
    if value is None:
        raise ValidationError("%(field)s must be a whole number", field=name)
    if not lo <= value <= hi:
        raise ValidationError("%(field)s must be between %(lo)s and %(hi)s", field=name, lo=lo, hi=hi)
    return value


def version_of(data: dict[str, Any]) -> int:
    v = data.get("version")
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValidationError("version (the version you last read) is required", field="version")
    return v
