"""Jinja helpers: local time, enum labels and the JS message table, all through the catalogs."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import get_locale, gettext

from incident.i18n import normalize_locale
from incident.labels import LABELS, label, reason_text


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    tz = ZoneInfo(current_app.extensions["concord.settings"].timezone)
    return value.astimezone(tz).strftime(fmt)


def age(value: datetime | None) -> str:
    """How long ago, in the user's language: 5 min, 3 h, 2 d."""
    if value is None:
        return ""
    from incident import clock
    minutes = max(0, int((clock.now() - value).total_seconds() // 60))
    if minutes < 60:
        return gettext("%(n)s min", n=minutes)
    if minutes < 48 * 60:
        return gettext("%(n)s h", n=minutes // 60)
    return gettext("%(n)s d", n=minutes // 1440)


def _error_text(err: Any) -> str:
    from realtime.errors import localized
    return localized(err)


def register(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["isotime"] = lambda v: v.isoformat() if v else ""

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "label": lambda kind, value: label(gettext, kind, value),
            "locale": normalize_locale(str(get_locale() or "zh_CN")),
            "event_detail": event_detail,
            "error_text": _error_text,
            "reason_text": lambda r: reason_text(gettext, r),
            "event_labels": lambda: {k: gettext(v) for k, v in LABELS["event"].items()},
        }


def event_detail(type_: str, payload: dict[str, Any]) -> str:
    """The short detail shown after an event's label; board.js applies the same rule live."""
    if not isinstance(payload, dict):
        return ""
    if payload.get("summary"):
        return str(payload["summary"])
    if payload.get("text"):
        return str(payload["text"])[:200]
    if "from" in payload and "to" in payload:
        return f"{payload['from']} → {payload['to']}"
    return ""
