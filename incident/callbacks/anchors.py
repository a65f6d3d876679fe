"""When a callback's named moment happened on an incident (None: not yet).

The core knows the written reply, the demand items and the status from the timeline and the demand
rows; a feature that owns a moment the core cannot see (agreements, in exports/) registers its
function here, so the core never imports it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.callbacks.scale import Anchor
from incident.crowd.demands.models import DemandItem, ItemStatus
from incident.models import Incident
from incident.timeline.models import Event

AnchorFn = Callable[[Session, Incident], "datetime | None"]
_anchors: dict[str, AnchorFn] = {}
RESOLVED = ("closing", "resolved")  # status values that mean "resolved" (closing: callbacks under way)


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


def _last(session: Session, inc: Incident, type_: str) -> datetime | None:
    return _aware(session.scalar(select(func.max(Event.at)).where(Event.incident_id == inc.id, Event.type == type_)))


def register(anchor: str, fn: AnchorFn) -> None:
    """Let a feature say when its moment happened (e.g. every agreement sealed)."""
    _anchors[anchor] = fn


def reply_issued(session: Session, inc: Incident) -> datetime | None:
    return _last(session, inc, "reply.issued")


def demands_fulfilled(session: Session, inc: Incident) -> datetime | None:
    """When the last open demand item was fulfilled (None while any is still open)."""
    statuses = set(session.scalars(select(DemandItem.status).where(DemandItem.incident_id == inc.id,
                                                                   DemandItem.status != ItemStatus.REJECTED.value)))
    if not statuses or statuses - {ItemStatus.FULFILLED.value, ItemStatus.CONFIRMED.value}:
        return None
    return _last(session, inc, "demand.fulfilled") or _last(session, inc, "demand.confirmed")


def incident_resolved(session: Session, inc: Incident) -> datetime | None:
    """When the incident last moved to resolved (None while it is not resolved now)."""
    if inc.status not in RESOLVED:
        return None
    rows = session.execute(select(Event.at, Event.payload).where(
        Event.incident_id == inc.id, Event.type == "status.changed").order_by(Event.seq.desc()))
    for at, payload in rows:
        if isinstance(payload, dict) and payload.get("to") in RESOLVED:
            return _aware(at)
    return None


register(Anchor.REPLY_ISSUED.value, reply_issued)
register(Anchor.DEMANDS_FULFILLED.value, demands_fulfilled)
register(Anchor.INCIDENT_RESOLVED.value, incident_resolved)
register(Anchor.AGREEMENT_SEALED.value, lambda s, inc: _last(s, inc, "agreement.sealed"))  # exports refines it


def anchor_time(session: Session, inc: Incident, anchor: str) -> datetime | None:
    fn = _anchors.get(anchor)
    return fn(session, inc) if fn else None
