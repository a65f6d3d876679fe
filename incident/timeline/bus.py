"""Publish committed events to subscribers (the live room, the scheduler), only after commit."""
from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
Subscriber = Callable[[dict[str, Any]], None]
_subscribers: list[Subscriber] = []
_KEY = "concord.pending_events"


def subscribe(fn: Subscriber) -> Callable[[], None]:
    """Register fn to receive each committed event as a dict; returns an unsubscribe function."""
    _subscribers.append(fn)
    return lambda: _subscribers.remove(fn) if fn in _subscribers else None


def stage(session: Session, event_dict: dict[str, Any]) -> None:
    """Queue an event for publication when *session* commits."""
    session.info.setdefault(_KEY, []).append(event_dict)


@sa_event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    pending = session.info.pop(_KEY, [])
    for ev in pending:
        for fn in list(_subscribers):
            try:
                fn(ev)
            except Exception:  # a broken listener must never undo a committed change
                log.exception("timeline subscriber failed")


@sa_event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_KEY, None)
