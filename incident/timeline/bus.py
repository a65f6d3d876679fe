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
    # Remember the innermost transaction, so that rolling back a SAVEPOINT drops only its events.
    tx = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append((tx, event_dict))


@sa_event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    # SQLAlchemy fires after_commit on a SAVEPOINT's release too: its events still belong to the
    # enclosing transaction, which may yet roll back. Publish only when the outermost one commits.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_KEY, [])
    for _tx, ev in pending:
        for fn in list(_subscribers):
            try:
                fn(ev)
            except Exception:  # a broken listener must never undo a committed change
                log.exception("timeline subscriber failed")


def within(tx: Any, ancestor: Any) -> bool:
    """Whether the session transaction *tx* is *ancestor* or nested inside it (what a rollback drops)."""
    while tx is not None:
        if tx is ancestor:
            return True
        tx = tx.parent
    return False


@sa_event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous_transaction: Any) -> None:
    """Drop the events staged inside the transaction (or SAVEPOINT) that was rolled back."""
    pending = session.info.get(_KEY)
    if not pending:
        return
    if previous_transaction.nested:
        session.info[_KEY] = [(tx, ev) for tx, ev in pending if not within(tx, previous_transaction)]
    elif previous_transaction.parent is None:
        session.info.pop(_KEY, None)
