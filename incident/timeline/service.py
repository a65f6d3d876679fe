"""Append events to an incident's chain and read them back."""
from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.access.actor import Actor
from incident.timeline.batch import flush_or_defer
from incident.errors import Conflict
from incident.timeline import bus
from incident.timeline.chain import canonical, event_hash
from incident.timeline.models import GENESIS, Event


# -- closing (issue 13): a closed incident is read-only. Only these events may still be recorded on it
# (the close itself, the reopen, what follows after the close); features add theirs.
WRITABLE_WHEN_CLOSED: set[str] = {"status.changed", "contact.revealed", "playbook.deadlines_set",
                                  "archive.improvement_updated", "archive.improvement_overdue"}


class ChainHead(Protocol):
    id: int
    last_seq: int
    head_hash: str


def record(session: Session, incident: ChainHead, type: str, actor: Actor,
           payload: dict[str, Any] | None = None) -> Event:
    """Append one event to the incident's chain in the caller's transaction."""
    if getattr(incident, "status", None) == "closed" and type not in WRITABLE_WHEN_CLOSED:
        raise Conflict("the incident is closed: reopen it (with a reason) to change it", field="status")
    payload = dict(payload or {})
    seq = (incident.last_seq or 0) + 1
    prev = incident.head_hash or GENESIS
    at = clock.now()
    # The canonical form keeps microseconds; store the same value so verify() agrees.
    body = canonical(incident_id=incident.id, seq=seq, type=type, actor_id=actor.user_id,
                     actor_name=actor.name, at=at, payload=payload)
    ev = Event(incident_id=incident.id, seq=seq, type=type, actor_id=actor.user_id,
               actor_name=actor.name, at=at, payload=payload, prev_hash=prev,
               hash=event_hash(prev, body))
    session.add(ev)
    incident.last_seq = seq
    incident.head_hash = ev.hash
    flush_or_defer(session)  # inside timeline.batch.deferred_flush(): one INSERT for the whole batch
    bus.stage(session, ev.to_dict())
    return ev


def list_since(session: Session, incident_id: int, after: int = 0, limit: int = 500) -> list[Event]:
    """Events of an incident with seq > after, in order."""
    stmt = (select(Event).where(Event.incident_id == incident_id, Event.seq > after)
            .order_by(Event.seq).limit(limit))
    return list(session.scalars(stmt))
