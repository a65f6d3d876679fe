"""Recompute an incident's chain and name the first event that does not fit."""
from __future__ import annotations

from collections.abc import Callable
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


Progress = Callable[[int], None]
BATCH = 5_000  # rows fetched per round trip while streaming


def verify_chain(session: Session, incident_id: int, *, anchor_seq: int | None = None,
                 anchor_hash: str | None = None, progress: Progress | None = None,
                 every: int = 100_000) -> ChainReport:
    """Check sequence, links and hashes; the anchor (the incident's own head) catches a cut tail.

    Streams the chain with core SQL (plain rows, no ORM objects, `yield_per`), so memory stays flat
    however long the chain; `progress(n)` is called every *every* events (the CLI's counter).
    """
    t = Event.__table__.c
    rows = session.execute(
        select(t.seq, t.type, t.actor_id, t.actor_name, t.at, t.payload, t.prev_hash, t.hash, t.id)
        .where(t.incident_id == incident_id).order_by(t.seq, t.id)
        .execution_options(yield_per=BATCH))
    prev, expected, last_id = GENESIS, 1, None
    for seq, type_, actor_id, actor_name, at, payload, prev_hash, hash_, row_id in rows:
        fail = None
        if seq != expected:
            fail = f"sequence gap: expected {expected}, found {seq}"
        elif prev_hash != prev:
            fail = "previous-hash link broken"
        elif event_hash(prev, canonical(incident_id=incident_id, seq=seq, type=type_, actor_id=actor_id,
                                        actor_name=actor_name, at=at, payload=payload)) != hash_:
            fail = "content does not match its hash"
        if fail:
            rows.close()
            return ChainReport(incident_id, False, expected - 1, prev, seq, row_id, fail)
        prev, last_id = hash_, row_id
        if progress is not None and expected % every == 0:
            progress(expected)
        expected += 1
    count = expected - 1
    if anchor_seq is not None and (anchor_seq != count or anchor_hash != prev):
        return ChainReport(incident_id, False, count, prev, count if count else None, last_id,
                           f"chain ends at seq {count} but the incident records head seq "
                           f"{anchor_seq}: events missing or appended")
    return ChainReport(incident_id, True, count, prev)
