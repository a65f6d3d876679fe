"""The device cookie: set at every successful login, it tells the login throttle that a browser is
one its user logged in from before (incident/accounts/throttle.py), so failures that strangers
cause on the account do not lock the owner out. Signed with the instance secret, HttpOnly, one
cookie per browser holding up to five (user, device id) pairs (a shared tablet), valid 180 days.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from realtime.security.headers import DEVICE_COOKIE, cookie_name, secure

MAX_AGE = 180 * 24 * 3600
MAX_PAIRS = 5


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="concord-device")  # type: ignore[arg-type]


def _name() -> str:
    return cookie_name(DEVICE_COOKIE, current_app.extensions["concord.settings"])


def known_devices() -> dict[int, str]:
    """user id -> device id from this browser's cookie (empty when absent, forged or expired)."""
    raw = request.cookies.get(_name())
    if not raw or len(raw) > 2000:
        return {}
    try:
        pairs: Any = _serializer(current_app).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    out: dict[int, str] = {}
    if isinstance(pairs, list):
        for pair in pairs[:MAX_PAIRS]:
            if (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int)
                    and isinstance(pair[1], str)):
                out[pair[0]] = pair[1]
    return out


def remember(resp: Response, user_id: int) -> None:
    """Renew this browser's device cookie with *user_id* first (keeping its device id if it had one)."""
    devices = known_devices()
    device_id = devices.pop(user_id, None) or secrets.token_urlsafe(16)
    pairs = [[user_id, device_id]] + [[u, d] for u, d in devices.items()][: MAX_PAIRS - 1]
    settings = current_app.extensions["concord.settings"]
    resp.set_cookie(_name(), _serializer(current_app).dumps(pairs), max_age=MAX_AGE, path="/",
                    secure=secure(settings), httponly=True, samesite="Lax")
