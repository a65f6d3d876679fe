"""Revealing a claimant's clear phone or ID number: an explicit, seat-restricted, recorded action."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, privacy, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import ContactReveal
from incident.crowd.claimants.service import get
from incident.errors import NotFound, ValidationError

FIELDS = ("phone", "id_number")


def reveal(session: Session, *, actor: Actor, incident_id: int, claimant_id: int, field: Any,
           reason: Any) -> str:
    """Return the clear number; who, when and why go on the timeline (the number never does)."""
    inc = service.load_for(session, actor, incident_id, Action.CONTACT_REVEAL)
    row = get(session, inc.id, claimant_id)
    if field not in FIELDS:
        raise ValidationError("field must be phone or id_number", field="field")
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < 2:
        raise ValidationError("say why you need the number", field="reason")
    if len(reason) > 500:
        raise ValidationError("reason is longer than 500 characters", field="reason")
    token = row.phone_cipher if field == "phone" else row.id_cipher
    if not token:
        raise NotFound("no ID number on record", field="field")
    value = privacy.cipher().decrypt(token)
    now = clock.now()
    session.add(ContactReveal(incident_id=inc.id, claimant_id=row.id, field=field, reason=reason,
                              actor_id=actor.user_id, actor_name=actor.name, at=now))
    timeline.record(session, inc, "contact.revealed", actor, {
        "claimant_id": row.id, "name": row.name, "field": field, "reason": reason,
        "summary": f"{row.name} · {reason}"})
    return value


def reveals_of(session: Session, incident_id: int, claimant_id: int | None = None) -> list[ContactReveal]:
    """The reveal log of an incident (optionally of one claimant), newest first."""
    stmt = select(ContactReveal).where(ContactReveal.incident_id == incident_id)
    if claimant_id is not None:
        stmt = stmt.where(ContactReveal.claimant_id == claimant_id)
    return list(session.scalars(stmt.order_by(ContactReveal.id.desc())))
