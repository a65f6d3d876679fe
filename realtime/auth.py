"""Login session, CSRF and the login-required gate for every page and API call."""
from __future__ import annotations

import hmac
import logging
import secrets
from typing import Any

from flask import Flask, current_app, g, redirect, request, session, url_for

from incident.accounts import service as accounts
from incident.accounts.models import User
from incident.errors import Unauthenticated, ValidationError
from incident.db import began_as_write, begin_write, quick_write
from realtime.dbsession import db
from realtime.security.redirects import is_safe

log = logging.getLogger(__name__)
PUBLIC_ENDPOINTS = {"pages.login", "static", "health.healthz", "vendor.asset", "pages.set_language"}
# -- OpenAPI (issue 10): the document holds no data
PUBLIC_ENDPOINTS.add("api.openapi")
# -- resource faults (issue 17): readiness answers a load balancer, which does not log in
PUBLIC_ENDPOINTS.add("health.readyz")
CSRF_HEADER = "X-CSRF-Token"
# -- public side (issue 15): public JSON calls carry their code in the body and use no session, so a
# cross-site request gains nothing a direct one would not; realtime.public adds them here.
CSRF_EXEMPT: set[str] = set()


def current_user() -> User | None:
    """The logged-in user of this request, or None."""
    if "user" not in g:
        g.user, stale = accounts.resolve(db(), session.get("sid"))  # one read of the login session
        if g.user is not None and stale:
            _refresh(session["sid"])
    return g.user


READS = ("GET", "HEAD", "OPTIONS")
REFRESH_WAIT = 0.5  # seconds a read request waits for the write lock to refresh its login session


def _refresh(sid: str) -> None:
    """Keep the login session alive without changing the request's own transaction.

    A write request (its transaction began as a writer in _gate, before this runs) moves
    last_seen_at inside that transaction: committed with the request's work, no second writer,
    nothing ended early. A read request never writes in its own transaction (on SQLite that would
    turn a reader into a writer half-way, which fails under concurrent writers): it moves
    last_seen_at in a separate short write unit of work that waits at most REFRESH_WAIT for the
    lock and is skipped when the database stays busy — the next request, at most a minute later,
    tries again. touch_session writes at most once a minute per login session.
    """
    if request.method not in READS and db().in_transaction() and began_as_write(db()):
        accounts.touch_session(db(), sid)
        return
    # a read, or a write request refused before its gate began the writer (e.g. an unsafe form field)
    engine = current_app.extensions["concord.engine"]
    if not quick_write(engine, lambda s: accounts.touch_session(s, sid), wait=REFRESH_WAIT):
        log.info("login session refresh skipped: database busy")


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def start_session(user_session_id: str) -> None:
    """Replace the whole cookie session: fresh session id and CSRF token at every login."""
    session.clear()
    session["sid"] = user_session_id
    session["csrf"] = secrets.token_urlsafe(32)
    session.permanent = True


def _check_csrf() -> None:
    sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf_token") or ""
    if not sent and request.is_json:
        body: Any = request.get_json(silent=True)
        if isinstance(body, dict):
            sent = body.get("csrf_token") or ""
    expected = session.get("csrf", "")
    # bytes: compare_digest raises TypeError on a str with non-ASCII characters
    if not expected or not hmac.compare_digest(str(sent).encode("utf-8", "replace"), expected.encode("ascii")):
        raise ValidationError("missing or wrong CSRF token; reload the page", field="csrf_token")


def register(app: Flask) -> None:
    @app.before_request
    def _gate():  # type: ignore[no-untyped-def]
        if request.endpoint is None:
            return None  # 404 follows
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.endpoint not in CSRF_EXEMPT:
                _check_csrf()
            begin_write(db())
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if current_user() is None:
            if request.path.startswith("/api/"):
                raise Unauthenticated("login required", field=None)
            here = request.full_path.rstrip("?")
            return redirect(url_for("pages.login", next=here if is_safe(here) else None))
        return None

    @app.context_processor
    def _ctx() -> dict[str, Any]:
        return {"current_user": g.get("user"), "csrf_token": csrf_token}



def actor():  # type: ignore[no-untyped-def]
    """The domain actor of the logged-in user (the gate guarantees there is one)."""
    user = current_user()
    if user is None:
        raise Unauthenticated("login required")
    return user.actor
