"""Claimant use cases: add one, edit (optimistic version), withdraw, list; the headcount follows."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident import clock, privacy, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action, allowed
from incident.crowd.claimants.fields import (
    ClaimantIn,
    parse_changes,
    parse_claimant,
    sealed,
    unit_key,
)
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.crowd.representatives.models import Representative, RepresentativeStatus
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident
from incident.taskgroup.queries import seats_of

LIVE = (ClaimantStatus.ACTIVE.value, ClaimantStatus.SETTLED.value)  # count for duplicates


def to_dict(c: Claimant) -> dict[str, Any]:
    """A claimant as the API shows it: contact numbers masked, never clear."""
    return {"id": c.id, "incident_id": c.incident_id, "name": c.name, "unit": c.unit,
            "segment": c.segment, "phone": c.phone_masked, "id_number": c.id_masked,
            "has_id_number": bool(c.id_cipher), "status": c.status,
            "joined_at": c.joined_at.isoformat(), "version": c.version, "attributes": dict(c.attributes or {})}


def get(session: Session, incident_id: int, claimant_id: Any) -> Claimant:
    """A claimant of this incident, or NotFound naming claimant_id."""
    if not isinstance(claimant_id, int) or isinstance(claimant_id, bool):
        raise NotFound("no such claimant", field="claimant_id")
    c = session.get(Claimant, claimant_id)
    if c is None or c.incident_id != incident_id:
        raise NotFound("no such claimant", field="claimant_id")
    return c


def duplicate_of(session: Session, incident_id: int, c: ClaimantIn, exclude: int | None = None
                 ) -> tuple[str, Claimant] | None:
    """An existing (not withdrawn) claimant with the same phone or the same unit/order."""
    base = select(Claimant).where(Claimant.incident_id == incident_id, Claimant.status.in_(LIVE))
    if exclude is not None:
        base = base.where(Claimant.id != exclude)
    hit = session.scalars(base.where(Claimant.phone_index == privacy.cipher().index(c.phone))).first()
    if hit is not None:
        return "phone", hit
    key = c.unit_key
    if key:
        hit = session.scalars(base.where(Claimant.unit_key == key)).first()
        if hit is not None:
            return "unit", hit
    return None


def may_reveal(session: Session, actor: Actor, incident_id: int) -> bool:
    """Whether a duplicate may name the claimant it duplicates: only for those who may reveal contacts
    (otherwise importing or adding candidates would tell whose a masked phone number is)."""
    if actor.is_system:
        return True
    return allowed(Action.CONTACT_REVEAL, actor.role, seats_of(session, incident_id, actor.user_id),
                   actor.qualifications)


def _refuse_duplicate(session: Session, actor: Actor, incident_id: int, c: ClaimantIn,
                      exclude: int | None = None) -> None:
    dup = duplicate_of(session, incident_id, c, exclude)
    if dup:
        field, other = dup
        if may_reveal(session, actor, incident_id):
            raise ValidationError("%(field)s: already registered (claimant #%(duplicate_of)s)",
                                  field=field, reason="duplicate_existing", duplicate_of=other.id)
        raise ValidationError("%(field)s: duplicate of an existing claimant", field=field,
                              reason="duplicate_existing")


def active_count(session: Session, incident_id: int) -> int:
    stmt = select(func.count(Claimant.id)).where(Claimant.incident_id == incident_id,
                                                 Claimant.status == ClaimantStatus.ACTIVE.value)
    return session.scalar(stmt) or 0


def sync_headcount(session: Session, inc: Incident) -> dict[str, int]:
    """Make the incident's headcount the registry's active count, then re-triage (may re-grade)."""
    session.flush()
    before, after = inc.headcount, active_count(session, inc.id)
    inc.headcount = after
    return {"from": before, "to": after}


def regrade_after(session: Session, inc: Incident, actor: Actor, change: dict[str, int], cause: str) -> None:
    """Re-grade after the claimant event was recorded, so grade.changed follows its cause."""
    if change["from"] != change["to"]:
        service.regrade(session, inc, actor, cause)


def add(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any]) -> Claimant:
    """Register one claimant (on site or by phone); refuses a duplicate phone or unit."""
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    c = parse_claimant(data)
    _refuse_duplicate(session, actor, inc.id, c)
    row = Claimant(incident_id=inc.id, name=c.name, unit=c.unit, unit_key=c.unit_key, segment=c.segment,
                   status=ClaimantStatus.ACTIVE.value, joined_at=clock.now(), version=1, **sealed(c))
    session.add(row)
    change = sync_headcount(session, inc)
    timeline.record(session, inc, "claimant.added", actor, {
        "claimant_id": row.id, "name": row.name, "unit": row.unit, "segment": row.segment,
        "phone": row.phone_masked, "headcount": change, "summary": f"{row.name} · {row.unit}"})
    regrade_after(session, inc, actor, change, "claimant.added")
    return row


def _check_version(c: Claimant, expected: Any) -> None:
    if not isinstance(expected, int) or isinstance(expected, bool):
        raise ValidationError("version (the version you last read) is required", field="version")
    if expected != c.version:
        raise Conflict("the claimant was changed by someone else; reload and try again",
                       field="version", current_version=c.version)


def update(session: Session, *, actor: Actor, incident_id: int, claimant_id: int, data: dict[str, Any],
           expected_version: Any) -> Claimant:
    """Edit a claimant's fields; a stale version is a conflict. The event names fields, not numbers."""
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    row = get(session, inc.id, claimant_id)
    _check_version(row, expected_version)
    changes = parse_changes(data)
    cp = privacy.cipher()
    current = {"phone": cp.decrypt(row.phone_cipher),
               "id_number": cp.decrypt(row.id_cipher) if row.id_cipher else ""}
    merged = ClaimantIn(name=changes.get("name", row.name), unit=changes.get("unit", row.unit),
                        segment=changes.get("segment", row.segment),
                        phone=changes.get("phone", current["phone"]),
                        id_number=changes.get("id_number", current["id_number"]))
    diff: dict[str, Any] = {}
    for key in ("name", "unit", "segment"):
        if getattr(merged, key) != getattr(row, key):
            diff[key] = {"from": getattr(row, key), "to": getattr(merged, key)}
    for key, masked in (("phone", privacy.mask_phone), ("id_number", privacy.mask_id)):
        if getattr(merged, key) != current[key]:
            old, new = current[key], getattr(merged, key)
            diff[key] = {"from": masked(old) if old else "", "to": masked(new) if new else ""}
    if not diff:
        return row
    if row.status in LIVE:
        _refuse_duplicate(session, actor, inc.id, merged, exclude=row.id)
    row.name, row.unit, row.unit_key, row.segment = merged.name, merged.unit, unit_key(merged.unit), \
        merged.segment
    for key, value in sealed(merged).items():
        setattr(row, key, value)
    row.version += 1
    session.flush()
    timeline.record(session, inc, "claimant.updated", actor, {
        "claimant_id": row.id, "name": row.name, "diff": diff, "summary": f"{row.name} · {row.unit}"})
    return row


def withdraw(session: Session, *, actor: Actor, incident_id: int, claimant_id: int, reason: Any,
             expected_version: Any) -> Claimant:
    """Mark a claimant as having left the complaint; an active representative must be replaced first."""
    inc = service.load_for(session, actor, incident_id, Action.CLAIMANT_EDIT)
    service.ensure_open(inc)
    row = get(session, inc.id, claimant_id)
    _check_version(row, expected_version)
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) > 500:
        raise ValidationError("reason is longer than 500 characters", field="reason")
    if row.status != ClaimantStatus.ACTIVE.value:
        raise Conflict("the claimant is not active (%(status)s)", field="status", status=row.status)
    rep = session.scalar(select(Representative.id).where(
        Representative.claimant_id == row.id, Representative.status == RepresentativeStatus.ACTIVE.value))
    if rep is not None:
        raise Conflict("the claimant is an active representative: replace or revoke first",
                       field="claimant_id", representative_id=rep)
    row.status = ClaimantStatus.WITHDRAWN.value
    row.version += 1
    change = sync_headcount(session, inc)
    timeline.record(session, inc, "claimant.withdrawn", actor, {
        "claimant_id": row.id, "name": row.name, "reason": reason, "headcount": change,
        "summary": f"{row.name} · {row.unit}"})
    regrade_after(session, inc, actor, change, "claimant.withdrawn")
    return row


def listing(session: Session, *, actor: Actor, incident_id: int, status: str | None = None,
            query: str = "", limit: int = 200, offset: int = 0) -> tuple[list[Claimant], int]:
    """A page of claimants (masked when serialised) and the total matching."""
    inc = service.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    stmt = select(Claimant).where(Claimant.incident_id == inc.id)
    if status:
        if status not in {s.value for s in ClaimantStatus}:
            raise ValidationError("status must be active, withdrawn or settled", field="status")
        stmt = stmt.where(Claimant.status == status)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(Claimant.name.like(like) | Claimant.unit.like(like) | Claimant.segment.like(like))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Claimant.segment, Claimant.unit_key, Claimant.id)
                           .limit(limit).offset(offset))
    return list(rows), total


def _move(session: Session, inc: Incident, claimant_ids: list[int], src: ClaimantStatus,
          dst: ClaimantStatus) -> list[int]:
    rows = session.scalars(select(Claimant).where(Claimant.incident_id == inc.id, Claimant.id.in_(claimant_ids),
                                                  Claimant.status == src.value).order_by(Claimant.id)).all()
    for row in rows:
        row.status = dst.value
        row.version += 1
    return [r.id for r in rows]


def settle(session: Session, *, actor: Actor, inc: Incident, claimant_ids: list[int], cause: str,
           regrade: bool = True) -> dict[str, Any]:
    """Mark active claimants settled (for the agreements feature, inside its own event's transaction).

    Recounts the headcount and, unless regrade=False (the caller then records its event with this
    change and calls regrade_after itself), re-grades. Returns the headcount change {from, to} and
    the ids that changed ("claimant_ids"; claimants not active are left alone).
    """
    moved = _move(session, inc, claimant_ids, ClaimantStatus.ACTIVE, ClaimantStatus.SETTLED)
    change = sync_headcount(session, inc)
    if regrade:
        regrade_after(session, inc, actor, change, cause)
    return change | {"claimant_ids": moved}


def unsettle(session: Session, *, actor: Actor, inc: Incident, claimant_ids: list[int], cause: str,
             regrade: bool = True) -> dict[str, Any]:
    """Undo settle (the agreement that settled them was voided): settled claimants become active."""
    moved = _move(session, inc, claimant_ids, ClaimantStatus.SETTLED, ClaimantStatus.ACTIVE)
    change = sync_headcount(session, inc)
    if regrade:
        regrade_after(session, inc, actor, change, cause)
    return change | {"claimant_ids": moved}
