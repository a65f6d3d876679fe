"""Jinja helpers: times through the one display clock, enum labels, event words, all localized."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import get_locale, gettext

from incident import clock
from incident.i18n import normalize_locale
from incident.labels import label, reason_text
from incident.timeline.render import Say, Words, actor_name, render

# strftime patterns older templates pass to |localtime, mapped onto the clock's named formats
PATTERNS = {"%Y-%m-%d %H:%M": "datetime", "%H:%M": "time", "%Y-%m-%d": "date",
            "%Y-%m-%d %H:%M:%S": "seconds"}


def localtime(value: datetime | str | None, kind: str = "datetime") -> str:
    """A time in the display zone, in one of the clock's formats (time, datetime, date, seconds, short)."""
    return clock.show(value, PATTERNS.get(kind, kind))


def age(value: datetime | None) -> str:
    """How long ago, in the user's language: 5 min, 3 h, 2 d."""
    if value is None:
        return ""
    return clock.span((clock.now() - value).total_seconds(), gettext)


def countdown(value: datetime | str | None) -> str:
    """Time left until *value*, or how late it is, in the user's language."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    return clock.countdown(value, gettext)


def locale_code() -> str:
    return normalize_locale(str(get_locale() or "zh_CN"))


def event_words(ev: Any) -> Words:
    """An event (row or dict) in the request's language, through the one event renderer."""
    if isinstance(ev, dict):
        return render(ev["type"], ev.get("payload"), (ev.get("actor") or {}).get("name"), locale_code())
    return render(ev.type, ev.payload, ev.actor_name, locale_code())


def clock_config() -> dict[str, Any]:
    """What the browser clock (static/clock.js) needs: the display zone and the duration words."""
    return {"zone": clock.zone().key,
            "words": {"s": gettext("%(n)s s"), "min": gettext("%(n)s min"), "h": gettext("%(n)s h"), "d": gettext("%(n)s d"),
                      "left": gettext("%(span)s left"), "overdue": gettext("overdue by %(span)s")}}


def _error_text(err: Any) -> str:
    from realtime.errors import localized
    return localized(err)


def register(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["countdown"] = countdown
    app.jinja_env.filters["isotime"] = lambda v: v.isoformat() if v else ""

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "label": lambda kind, value: label(gettext, kind, value),
            "locale": locale_code(),
            "event_words": event_words,
            "error_text": _error_text,
            "reason_text": lambda r: reason_text(gettext, r),
            "display_zone": clock.zone().key,
            "zone_label": lambda: clock.zone_label(gettext),
            "clock_config": clock_config,
            "actor_label": lambda name: actor_name(name, Say(locale_code())),
        }
