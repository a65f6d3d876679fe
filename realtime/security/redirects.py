"""The one check for every redirect target taken from a request (`next` on /login, /lang, the gate).

Only a same-origin relative path passes: "/" followed by anything but "/" or "\\", no scheme, no
host, no backslash anywhere (browsers read "\\" as "/"). A control character (CR, LF, tab …, also
when it arrived percent-encoded, e.g. `/%09/evil.example`) is a 400: it can only be an attack, and
it must never reach a Location header (Werkzeug refuses it there with a 500).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from incident.errors import ValidationError

MAX_LENGTH = 2000


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in text)


def is_safe(target: str | None) -> bool:
    """True when *target* is a same-origin relative path without control characters."""
    if not target or not isinstance(target, str) or len(target) > MAX_LENGTH or _has_control(target):
        return False
    if not target.startswith("/") or target[1:2] in ("/", "\\") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    """Where to go next: *target* when safe, else *fallback*; control characters are a 400."""
    if target and isinstance(target, str) and _has_control(target):
        raise ValidationError("the redirect target contains control characters", field="next")
    return target if is_safe(target) else fallback  # type: ignore[return-value]
