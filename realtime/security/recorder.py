"""The web side of the security log: who (the logged-in staff user), from where (the client
address, behind a trusted proxy the real one), and a flood guard per kind and client so that a
scripted flood of refused requests costs a few rows, not millions (the rows it skipped are
counted in the next one's `suppressed`)."""
from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from flask import current_app, g, request

from incident.db import begin_write
from incident.errors import DomainError, Forbidden, NotFound, Unauthenticated, ValidationError
from incident.security.log import Kind, record
from realtime.auth import current_user
from realtime.dbsession import db
from realtime.security.buckets import Buckets

log = logging.getLogger(__name__)
GUARD_BURST, GUARD_RATE = 30, 0.5  # per (kind, user or address): 30 at once, then one per 2 s


class _Guard:
    def __init__(self) -> None:
        self.buckets = Buckets(GUARD_BURST, GUARD_RATE)
        self.suppressed: Counter[tuple[str, Any]] = Counter()


def _guard() -> _Guard:
    ext = current_app.extensions
    if "concord.security_guard" not in ext:
        ext["concord.security_guard"] = _Guard()
    return ext["concord.security_guard"]


def client_address() -> str:
    return (request.remote_addr or "")[:64]


def _who(user: Any = None) -> tuple[int | None, str]:
    if user is None:
        try:
            user = current_user()
        except Exception:  # the database may be what failed
            user = g.get("user")
    if user is None:
        return None, ""
    return user.id, user.display_name


def _allowed(kind: Kind, user_id: int | None) -> tuple[bool, int]:
    """Flood guard: (record it?, rows skipped since the last recorded one of this kind and client)."""
    key = (kind.value, user_id if user_id is not None else client_address())
    guard = _guard()
    if not guard.buckets.take(key):
        guard.suppressed[key] += 1
        return False, 0
    return True, guard.suppressed.pop(key, 0)


def add(kind: Kind, *, user: Any = None, user_id: int | None = None, user_name: str = "",
        incident_id: Any = None, status: int | None = None, guard: bool = True, **detail: Any) -> None:
    """Record in the request's open transaction (the view commits it with its own change).

    `guard=False` for events that are legitimate actions (reveals, downloads): always recorded.
    """
    uid, name = _who(user) if user_id is None else (user_id, user_name)
    ok, skipped = _allowed(kind, uid) if guard else (True, 0)
    if ok:
        record(db(), kind=kind, user_id=uid, user_name=name, address=client_address(),
               incident_id=incident_id, status=status, suppressed=skipped or None, **detail)


def note(kind: Kind, *, user: Any = None, user_id: int | None = None, user_name: str = "",
         incident_id: Any = None, status: int | None = None, **detail: Any) -> None:
    """Record a refusal on its own: whatever the request had begun is rolled back first.

    Never raises: a failing security log must not turn a refusal into a 500.
    """
    uid, name = _who(user)
    uid, name = uid if uid is not None else user_id, name or user_name
    ok, skipped = _allowed(kind, uid)
    if not ok:
        return
    session = db()
    try:
        session.rollback()
        begin_write(session)
        record(session, kind=kind, user_id=uid, user_name=name, address=client_address(),
               incident_id=incident_id, status=status, suppressed=skipped or None, **detail)
        session.commit()
    except Exception:
        log.exception("security event %s not recorded", kind.value)
        session.rollback()


def note_error(err: DomainError, status: int) -> None:
    """A request refused with a domain error: 401/403, an unknown or foreign id, a missing CSRF token."""
    if isinstance(err, ValidationError) and err.field == "csrf_token":
        kind = Kind.CSRF_REFUSED
    elif isinstance(err, (Unauthenticated, Forbidden)):
        kind = Kind.DENIED
    elif isinstance(err, NotFound) and g.get("user") is not None:
        kind = Kind.NOT_FOUND
    else:
        return
    args = request.view_args or {}
    note(kind, incident_id=args.get("incident_id"), status=status, method=request.method,
         path=request.path, endpoint=request.endpoint, field=err.field,
         action=err.details.get("action") if isinstance(err.details.get("action"), str) else None)
