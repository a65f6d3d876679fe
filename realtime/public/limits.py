"""Rate limits on every public route (Flask-Limiter): per address and per code.

Documented limits (docs/public.md):
- per address: 30 requests a minute and 300 an hour on every public route together (page, API,
  poster, verification, registration, survey);
- per code (a code, survey link or second factor aimed at one code): 60 a minute, so a code
  leaked on a poster cannot be used to hammer one claimant's page from many addresses;
- the second factor (last four digits of the phone): 10 wrong answers an hour per claimant code, from
  any address (10,000 possible answers: without it, 60 a minute would find them in under three hours).
Counters live in Redis when the instance has `redis_url` (shared by every server process), in
memory otherwise. A request over a limit gets 429 with Retry-After (JSON under /api, a page otherwise).
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_limiter import Limiter, RateLimitExceeded

from incident.errors import Throttled
from incident.public import codes

PER_ADDRESS = "30 per minute;300 per hour"
PER_CODE = "60 per minute"
SECOND_FACTOR = "10 per hour"  # wrong answers only (a 403), per claimant code
SECOND_FACTOR_VIEWS = ("public_pages.claimant_copy", "public_api.claimant_copy")


def address() -> str:
    return (request.remote_addr or "unknown")[:64]


def code_key() -> str:
    """The code a request is aimed at (hashed), or the address when it names none."""
    sent: Any = request.values.get("code") or request.values.get("token") or (request.view_args or {}).get("token")
    if not sent and request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            sent = body.get("code") or body.get("token")
    d = codes.digest(sent)
    return f"code:{d[:32]}" if d else f"addr:{address()}"


def install(app: Flask, blueprints: list[Any], channel: str) -> Limiter:
    """A limiter for this app, applied to the public blueprints."""
    settings = app.extensions.get("concord.settings")
    redis_url = getattr(settings, "redis_url", "") or ""
    # Test apps each count for themselves (many apps share one Redis and one address in a test run).
    prefix = f"{channel}:public" + (f":{secrets.token_hex(4)}" if app.testing else "")
    limiter = Limiter(address, app=app, storage_uri=redis_url or "memory://", key_prefix=prefix,
                      strategy="fixed-window", headers_enabled=True, swallow_errors=True)
    for bp in blueprints:
        # shared scopes: one counter per address (and per code) across all public blueprints
        limiter.shared_limit(PER_ADDRESS, scope="public-address", key_func=address)(bp)
        limiter.shared_limit(PER_CODE, scope="public-code", key_func=code_key)(bp)
    for ep in SECOND_FACTOR_VIEWS:
        # one counter for the page's form and the API: shared, counted on wrong answers (403) only
        app.view_functions[ep] = limiter.shared_limit(
            SECOND_FACTOR, scope="second-factor", key_func=code_key,
            deduct_when=lambda resp: resp.status_code == 403)(app.view_functions[ep])
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["concord.public_limiter"] = limiter
    return limiter


def _too_many(err: RateLimitExceeded):  # type: ignore[no-untyped-def]
    from flask_babel import gettext

    from realtime.errors import error_body, localized
    retry = getattr(err, "retry_after", None) or 60
    t = Throttled("too many requests; wait %(seconds)s seconds and try again", field=None, seconds=60,
                  retry_after=60)
    headers = {"Retry-After": str(retry if isinstance(retry, int) else 60)}
    if request.path.startswith("/api/"):
        return jsonify(error_body(t)), 429, headers
    return render_template("public/error.html", status=429, message=localized(t), _=gettext), 429, headers
