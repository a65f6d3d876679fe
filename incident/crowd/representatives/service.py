"""Representatives: election, signed mandate, replacement, revocation, and whom a mandate covers."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from incident import attachments, clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.crowd.claimants.service import get as get_claimant
from incident.crowd.representatives.models import (
    Mandate,
    Representative,
    RepresentativeCoverage,
    RepresentativeHistory,
    RepresentativeStatus,
)
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident

ACTIVE = RepresentativeStatus.ACTIVE.value


def get(session: Session, incident_id: int, representative_id: Any) -> Representative:
    if not isinstance(representative_id, int) or isinstance(representative_id, bool):
        raise NotFound("no such representative", field="representative_id")
    rep = session.get(Representative, representative_id)
    if rep is None or rep.incident_id != incident_id:
        raise NotFound("no such representative", field="representative_id")
    return rep


def _reason(value: Any, required: bool) -> str:
    reason = value.strip() if isinstance(value, str) else ""
    if required and not reason:
        raise ValidationError("a reason is required", field="reason")
    if len(reason) > 500:
        raise ValidationError("reason is longer than 500 characters", field="reason")
    return reason


def _mandate(value: Any) -> str:
    if value not in {m.value for m in Mandate}:
        raise ValidationError("mandate must be negotiate_only or sign_on_behalf", field="mandate")
    return str(value)


def _coverage(session: Session, inc: Incident, claimant_ids: Any, segments: Any) -> list[RepresentativeCoverage]:
    claimant_ids = [] if claimant_ids is None else claimant_ids
    segments = [] if segments is None else segments
    if not isinstance(claimant_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                     for i in claimant_ids):
        raise ValidationError("claimant_ids must be a list of claimant ids", field="claimant_ids")
    if not isinstance(segments, list) or not all(isinstance(s, str) and s.strip() for s in segments):
        raise ValidationError("segments must be a list of segment names", field="segments")
    if not claimant_ids and not segments:
        raise ValidationError("say whom the representative speaks for: claimants or segments",
                              field="claimant_ids")
    out = []
    for cid in dict.fromkeys(claimant_ids):
        c = session.get(Claimant, cid)
        if c is None or c.incident_id != inc.id:
            raise ValidationError("claimant #%(claimant)s is not in this incident", field="claimant_ids", claimant=cid)
        out.append(RepresentativeCoverage(claimant_id=cid, segment=""))
    known = set(session.scalars(select(Claimant.segment).where(Claimant.incident_id == inc.id).distinct()))
    for seg in dict.fromkeys(s.strip() for s in segments):
        if seg not in known:
            raise ValidationError("no claimant is in segment %(segment)s", field="segments", segment=seg)
        out.append(RepresentativeCoverage(claimant_id=None, segment=seg))
    return out


def _history(rep: Representative, action: str, actor: Actor, reason: str) -> None:
    rep.history.append(RepresentativeHistory(action=action, reason=reason, actor_id=actor.user_id,
                                              actor_name=actor.name, at=clock.now()))


def _eligible(session: Session, inc: Incident, claimant_id: Any) -> Claimant:
    c = get_claimant(session, inc.id, claimant_id)
    if c.status != ClaimantStatus.ACTIVE.value:
        raise Conflict("only an active claimant can represent the crowd", field="claimant_id")
    taken = session.scalar(select(Representative.id).where(Representative.claimant_id == c.id,
                                                            Representative.status == ACTIVE))
    if taken is not None:
        raise Conflict("this claimant is already a representative", field="claimant_id",
                       representative_id=taken)
    return c


def _active(session: Session, actor: Actor, incident_id: int,
            representative_id: Any) -> tuple[Incident, Representative]:
    """The open incident and its representative, refused unless still active (where each change begins)."""
    inc = service.load_for(session, actor, incident_id, Action.REPRESENTATIVE_EDIT)
    service.ensure_open(inc)
    rep = get(session, inc.id, representative_id)
    if rep.status != ACTIVE:
        raise Conflict("the representative is no longer active (%(status)s)", field="status", status=rep.status)
    return inc, rep


def coverage_dict(rep: Representative) -> dict[str, list[Any]]:
    return {"claimant_ids": [c.claimant_id for c in rep.coverage if c.claimant_id is not None],
            "segments": [c.segment for c in rep.coverage if c.claimant_id is None]}


def elect(session: Session, *, actor: Actor, incident_id: int, claimant_id: Any, mandate: Any,
          claimant_ids: Any = None, segments: Any = None, reason: Any = "") -> Representative:
    """Record a representative chosen by the crowd, with whom they cover and their mandate."""
    inc = service.load_for(session, actor, incident_id, Action.REPRESENTATIVE_EDIT)
    service.ensure_open(inc)
    c = _eligible(session, inc, claimant_id)
    rep = Representative(incident_id=inc.id, claimant_id=c.id, mandate=_mandate(mandate), status=ACTIVE,
                         elected_at=clock.now(), version=1,
                         coverage=_coverage(session, inc, claimant_ids, segments))
    why = _reason(reason, False)
    _history(rep, "elected", actor, why)
    session.add(rep)
    session.flush()
    timeline.record(session, inc, "representative.elected", actor, {
        "representative_id": rep.id, "claimant_id": c.id, "name": c.name, "mandate": rep.mandate,
        "coverage": coverage_dict(rep), "reason": why, "summary": f"{c.name} · {c.unit}"})
    return rep


def attach_mandate(session: Session, *, actor: Actor, incident_id: int, representative_id: Any,
                   filename: str, content_type: str, data: bytes) -> Representative:
    """Store the signed mandate (photo or scan) of an active representative."""
    inc, rep = _active(session, actor, incident_id, representative_id)
    if (content_type or "").split(";")[0].strip().lower() not in {
            "image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"}:
        raise ValidationError("the signed mandate must be a photo or a PDF scan", field="file")
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=filename,
                            content_type=content_type, data=data, purpose="mandate")
    rep.mandate_attachment_id = att.id
    rep.version += 1
    _history(rep, "mandate_attached", actor, "")
    session.flush()
    c = session.get(Claimant, rep.claimant_id)
    timeline.record(session, inc, "representative.mandate_attached", actor, {
        "representative_id": rep.id, "claimant_id": rep.claimant_id, "attachment": att.to_dict(),
        "mandate": rep.mandate, "summary": f"{c.name if c else ''} · {att.filename}"})
    return rep


def replace(session: Session, *, actor: Actor, incident_id: int, representative_id: Any,
            claimant_id: Any, reason: Any, mandate: Any = None) -> Representative:
    """Hand a representative's coverage to another claimant; the new one signs a new mandate."""
    inc, old = _active(session, actor, incident_id, representative_id)
    why = _reason(reason, True)
    c = _eligible(session, inc, claimant_id)
    new = Representative(incident_id=inc.id, claimant_id=c.id, status=ACTIVE, elected_at=clock.now(),
                         mandate=_mandate(mandate) if mandate is not None else old.mandate, version=1,
                         coverage=[RepresentativeCoverage(claimant_id=x.claimant_id, segment=x.segment)
                                   for x in old.coverage])
    _history(new, "elected", actor, why)
    session.add(new)
    session.flush()
    old.status, old.ended_at, old.replaced_by_id = RepresentativeStatus.REPLACED.value, clock.now(), new.id
    old.version += 1
    _history(old, "replaced", actor, why)
    session.flush()
    before = session.get(Claimant, old.claimant_id)
    timeline.record(session, inc, "representative.replaced", actor, {
        "representative_id": old.id, "replaced_by": new.id, "claimant_id": c.id, "name": c.name,
        "previous_claimant_id": old.claimant_id, "previous_name": before.name if before else "",
        "mandate": new.mandate, "coverage": coverage_dict(new), "reason": why,
        "summary": f"{before.name if before else ''} → {c.name}"})
    return new


def revoke(session: Session, *, actor: Actor, incident_id: int, representative_id: Any,
           reason: Any) -> Representative:
    """End a representative's mandate (the crowd withdrew it)."""
    inc, rep = _active(session, actor, incident_id, representative_id)
    why = _reason(reason, True)
    rep.status, rep.ended_at = RepresentativeStatus.REVOKED.value, clock.now()
    rep.version += 1
    _history(rep, "revoked", actor, why)
    session.flush()
    c = session.get(Claimant, rep.claimant_id)
    timeline.record(session, inc, "representative.revoked", actor, {
        "representative_id": rep.id, "claimant_id": rep.claimant_id, "name": c.name if c else "",
        "reason": why, "summary": f"{c.name if c else ''} · {why}"})
    return rep


def covered_claimants(session: Session, rep: Representative) -> list[int]:
    """Active claimants a representative speaks for (named ones and whole segments), sorted."""
    ids = [x.claimant_id for x in rep.coverage if x.claimant_id is not None]
    segs = [x.segment for x in rep.coverage if x.claimant_id is None]
    conds = []
    if ids:
        conds.append(Claimant.id.in_(ids))
    if segs:
        conds.append(Claimant.segment.in_(segs))
    if not conds:
        return []
    stmt = select(Claimant.id).where(Claimant.incident_id == rep.incident_id,
                                     Claimant.status == ClaimantStatus.ACTIVE.value, or_(*conds))
    return sorted(set(session.scalars(stmt)))


def mandate_covers(session: Session, representative_id: int) -> list[int]:
    """Claimant ids this representative may SIGN for: an active sign_on_behalf mandate with its
    signed document on file; otherwise an empty list (negotiate-only, revoked, or unsigned)."""
    rep = session.get(Representative, representative_id)
    if rep is None or rep.status != ACTIVE or rep.mandate != Mandate.SIGN_ON_BEHALF.value \
            or rep.mandate_attachment_id is None:
        return []
    return covered_claimants(session, rep)


def active(session: Session, incident_id: int) -> list[Representative]:
    stmt = select(Representative).where(Representative.incident_id == incident_id,
                                        Representative.status == ACTIVE).order_by(Representative.id)
    return list(session.scalars(stmt))


def all_of(session: Session, incident_id: int) -> list[Representative]:
    stmt = select(Representative).where(Representative.incident_id == incident_id).order_by(Representative.id)
    return list(session.scalars(stmt))
