"""Request parsing helpers that raise field-named validation errors."""
from __future__ import annotations

from typing import Any

from flask import request

from incident.errors import ValidationError


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 naming the body."""
    if not request.is_json:
        raise ValidationError("send a JSON object with Content-Type: application/json", field="body")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("body must be a JSON object", field="body")
    return data


def int_arg(name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number", field=name) from None
    if not lo <= value <= hi:
        raise ValidationError(f"{name} must be between {lo} and {hi}", field=name)
    return value


def version_of(data: dict[str, Any]) -> int:
    v = data.get("version")
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValidationError("version (the version you last read) is required", field="version")
    return v
