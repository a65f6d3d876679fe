"""Recompute an incident's chain and name the first event that does not fit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.timeline.chain import canonical, event_hash
from incident.timeline.models import GENESIS, Event


@dataclass
class ChainReport:
    incident_id: int
    ok: bool
    events: int
    head_hash: str
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str | None = None


def verify_chain(session: Session, incident_id: int, *, anchor_seq: int | None = None,
                 anchor_hash: str | None = None) -> ChainReport:
    """Check sequence, links and hashes; the anchor (the incident's own head) catches a cut tail."""
    events = session.scalars(
        select(Event).where(Event.incident_id == incident_id).order_by(Event.seq, Event.id)
    ).all()
    prev = GENESIS
    expected = 1
    for ev in events:
        fail = None
        if ev.seq != expected:
            fail = f"sequence gap: expected {expected}, found {ev.seq}"
        elif ev.prev_hash != prev:
            fail = "previous-hash link broken"
        else:
            body = canonical(incident_id=ev.incident_id, seq=ev.seq, type=ev.type,
                             actor_id=ev.actor_id, actor_name=ev.actor_name, at=ev.at,
                             payload=ev.payload)
            if event_hash(prev, body) != ev.hash:
                fail = "content does not match its hash"
        if fail:
            return ChainReport(incident_id, False, len(events), prev, ev.seq, ev.id, fail)
        prev = ev.hash
        expected += 1
    if anchor_seq is not None and (anchor_seq != expected - 1 or anchor_hash != prev):
        return ChainReport(incident_id, False, len(events), prev, expected - 1 if events else None,
                           events[-1].id if events else None,
                           f"chain ends at seq {expected - 1} but the incident records head seq "
                           f"{anchor_seq}: events missing or appended")
    return ChainReport(incident_id, True, len(events), prev)
