"""Self-registration on site: the poster's form → a claimant "pending confirmation"; staff decide in bulk."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, privacy, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.fields import parse_claimant, sealed
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.errors import Conflict, ValidationError
from incident.public.models import SelfRegistration

PUBLIC = Actor(user_id=None, name="system", role="system")  # the poster's form, no account
MAX_DEMAND = 2000
MAX_BULK = 500
TAKEN = (ClaimantStatus.ACTIVE.value, ClaimantStatus.SETTLED.value, ClaimantStatus.PENDING.value)


def ensure_open_for_registration(inc: Any) -> None:
    """Refuse registering on a closed case in the complainant's words (not the staff's "reopen it")."""
    if inc.status == "closed":
        raise Conflict("this case is closed, registration is no longer possible; the staff on site can help",
                       field="code")


def register(session: Session, *, incident_id: int, data: Any) -> Claimant:
    """Add a pending claimant from the public form; refuses a phone already in the registry."""
    if not isinstance(data, dict):
        raise ValidationError("body must be a JSON object", field="body", reason="invalid")
    if data.get("consent") not in (True, "1", "on", "true", "yes"):
        raise ValidationError("please agree to the privacy notice", field="consent")
    demand = data.get("demand")
    if not isinstance(demand, str) or not demand.strip():
        raise ValidationError("%(field)s is required", field="demand")
    if len(demand) > MAX_DEMAND:
        raise ValidationError("%(field)s is longer than %(max)s characters", field="demand", max=MAX_DEMAND)
    c = parse_claimant({k: data.get(k) for k in ("name", "unit", "phone") if data.get(k) is not None})
    inc = service.get(session, incident_id, lock=True)
    ensure_open_for_registration(inc)
    dup = session.scalar(select(Claimant.id).where(
        Claimant.incident_id == inc.id, Claimant.status.in_(TAKEN),
        Claimant.phone_index == privacy.cipher().index(c.phone)).limit(1))
    if dup is not None:  # says nothing about who holds the number
        raise ValidationError("this phone number is already registered for this case; the staff on site "
                              "can help", field="phone", reason="duplicate_existing")
    row = Claimant(incident_id=inc.id, name=c.name, unit=c.unit, unit_key=c.unit_key, segment="",
                   status=ClaimantStatus.PENDING.value, joined_at=clock.now(), version=1, **sealed(c))
    session.add(row)
    session.flush()
    session.add(SelfRegistration(claimant_id=row.id, incident_id=inc.id, demand=demand.strip(),
                                 consented_at=clock.now()))
    timeline.record(session, inc, "claimant.self_registered", PUBLIC, {
        "claimant_id": row.id, "name": row.name, "unit": row.unit, "phone": row.phone_masked,
        "summary": f"{row.name} · {row.unit}"})
    return row


def pending(session: Session, *, actor: Actor, incident_id: int) -> list[tuple[Claimant, SelfRegistration]]:
    """The pending self-registrations with what each complainant wrote."""
    inc = service.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    rows = session.execute(select(Claimant, SelfRegistration).join(
        SelfRegistration, SelfRegistration.claimant_id == Claimant.id).where(
        Claimant.incident_id == inc.id, Claimant.status == ClaimantStatus.PENDING.value).order_by(Claimant.id))
    return [(c, r) for c, r in rows]


def decide(session: Session, *, actor: Actor, incident_id: int, claimant_ids: Any, confirm: bool) -> list[int]:
    """Confirm (they join the registry and the headcount) or reject pending registrations, in bulk."""
    from incident.crowd.claimants.service import regrade_after, sync_headcount
    if not isinstance(claimant_ids, list) or not claimant_ids or len(claimant_ids) > MAX_BULK or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in claimant_ids):
        raise ValidationError("claimant_ids must list 1 … %(max)s claimant ids", field="claimant_ids", max=MAX_BULK)
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    rows = list(session.scalars(select(Claimant).where(
        Claimant.incident_id == inc.id, Claimant.id.in_(claimant_ids),
        Claimant.status == ClaimantStatus.PENDING.value).order_by(Claimant.id)))
    if not rows:
        raise Conflict("none of these is pending confirmation", field="claimant_ids")
    now = clock.now()
    for c in rows:
        c.status = (ClaimantStatus.ACTIVE if confirm else ClaimantStatus.REJECTED).value
        c.version += 1
        reg = session.get(SelfRegistration, c.id)
        if reg is not None:
            reg.decided_at, reg.decided_by = now, actor.name
    change = sync_headcount(session, inc)
    kind = "claimant.registration_confirmed" if confirm else "claimant.registration_rejected"
    timeline.record(session, inc, kind, actor, {
        "claimant_ids": [c.id for c in rows], "count": len(rows), "names": [c.name for c in rows][:20],
        "headcount": change})
    regrade_after(session, inc, actor, change, kind)
    return [c.id for c in rows]
