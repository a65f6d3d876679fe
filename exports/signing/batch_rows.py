"""The rows every batch writer locks and updates: the incident, the batch, one document's row.

Locked in that order (incident, batch, item), by every writer, so two never wait on each other in
a circle. A document's outcome moves the batch's counters and heartbeat; each tenth done is a
progress event.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from exports.agreements.enums import BatchItemStatus as I
from exports.agreements.models import AgreementBatch, AgreementBatchItem
from exports.signing import batches
from incident import clock, timeline
from incident import service as incidents
from incident.access.actor import Actor
from incident.errors import DomainError


def mine(b: AgreementBatch | None, owner: str) -> bool:
    """The batch is still this process's running batch (not taken over, finished or cancelled)."""
    return b is not None and b.status == batches.RUNNING and b.owner == owner and not b.cancel_requested


def lock(s: Session, batch_id: int, incident_id: int, item_id: int | None = None
         ) -> tuple[Any, AgreementBatch, AgreementBatchItem | None]:
    """Incident, batch and item rows, locked in that order (the order every batch writer uses)."""
    inc = incidents.get(s, incident_id, lock=True)
    b = s.get(AgreementBatch, batch_id, with_for_update=True, populate_existing=True)
    item = None if item_id is None else s.get(AgreementBatchItem, item_id, with_for_update=True,
                                              populate_existing=True)
    return inc, b, item  # type: ignore[return-value]


def turn(s: Session, b0: AgreementBatch, item_id: int, owner: str
         ) -> tuple[Any, AgreementBatch, AgreementBatchItem] | bool:
    """The locked rows while the document is still this runner's to do; else False (stop: the batch
    is no longer this process's running batch) or True (go on: the document is done already)."""
    inc, b, item = lock(s, b0.id, b0.incident_id, item_id)
    if not mine(b, owner):
        return False
    assert item is not None
    return True if item.status != I.PENDING.value else (inc, b, item)


def outcome(s: Session, inc: Any, b: AgreementBatch, item: AgreementBatchItem, actor: Actor,
            failed: tuple[str, dict[str, Any]] | None, tenth: int) -> int:
    """Record one document's outcome, the heartbeat and (at each tenth) a progress event."""
    item.status, item.finished_at = (I.FAILED.value if failed else I.DONE.value), clock.now()
    if failed:
        item.reason = failed[0][:500]
        item.reason_args = {k: (v if isinstance(v, (int, float, bool)) else str(v)[:300])
                            for k, v in failed[1].items()}
        b.failed += 1
    b.done += 1
    b.heartbeat_at = clock.now()
    now_tenth = (10 * b.done // b.total) if b.total else 10
    if now_tenth > tenth and b.done < b.total:
        timeline.record(s, inc, "agreement.batch_progress", actor, {
            "batch_id": b.id, "done": b.done, "total": b.total, "failed": b.failed,
            "summary": f"{b.done}/{b.total}"})
        return now_tenth
    return tenth


def why(err: DomainError) -> tuple[str, dict[str, Any]]:
    """A refusal as stored on the document's row: the message template and its plain arguments."""
    return err.template, {k: v for k, v in err.details.items() if isinstance(v, (str, int, float))}
