"""Live toasts: staged in the session, pushed to sinks (Socket.IO room user:<id>) only after commit."""
from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
Sink = Callable[[int, dict[str, Any]], None]
_sinks: list[Sink] = []
_KEY = "concord.pending_toasts"


def subscribe(fn: Sink) -> Callable[[], None]:
    """Register fn(user_id, payload); returns an unsubscribe function."""
    if fn not in _sinks:
        _sinks.append(fn)
    return lambda: _sinks.remove(fn) if fn in _sinks else None


def stage(session: Session, user_id: int, payload: dict[str, Any]) -> None:
    session.info.setdefault(_KEY, []).append((user_id, payload))


@sa_event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    for user_id, payload in session.info.pop(_KEY, []):
        for fn in list(_sinks):
            try:
                fn(user_id, payload)
            except Exception:  # a dead socket must never undo a committed notification
                log.exception("notification sink failed")


@sa_event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_KEY, None)
