"""Staff use cases of the public side: issue, revoke and re-issue codes; set the stage; publish updates."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident
from incident.public import codes
from incident.public.models import CodeKind, PublicCode, PublicState, PublicUpdate

DEFAULT_STAGES = ("Received", "Verifying", "Negotiating", "Carrying out", "Follow-up visit", "Concluded")
MAX_UPDATE = 1000
KINDS = {CodeKind.INCIDENT.value, CodeKind.CLAIMANT.value}


def state_of(session: Session, incident_id: int) -> PublicState:
    """The incident's public state (a fresh, unsaved default when staff never set one)."""
    st = session.get(PublicState, incident_id)
    return st if st is not None else PublicState(incident_id=incident_id, stage=0, stage_names=[],
                                                 next_update_due=None, version=0)


def _saved_state(session: Session, incident_id: int) -> PublicState:
    st = session.get(PublicState, incident_id)
    if st is None:
        st = PublicState(incident_id=incident_id, stage=0, stage_names=[], next_update_due=None, version=1)
        session.add(st)
    return st


def _claimant(session: Session, inc: Incident, claimant_id: Any) -> int:
    from incident.crowd.claimants.service import get
    return get(session, inc.id, claimant_id).id


def issue(session: Session, *, actor: Actor, incident_id: int, kind: Any, claimant_id: Any = None,
          system: bool = False) -> tuple[PublicCode, str]:
    """Issue a code; returns the row and the clear code (shown this once, never stored)."""
    if kind not in KINDS and not (system and kind == CodeKind.SURVEY.value):
        raise ValidationError("kind must be incident or claimant", field="kind")
    inc = service.get(session, incident_id, lock=True) if system else \
        service.load_for(session, actor, incident_id, Action.PUBLIC_MANAGE)
    who = _claimant(session, inc, claimant_id) if kind != CodeKind.INCIDENT.value else None
    clear = codes.new_code()
    row = PublicCode(incident_id=inc.id, claimant_id=who, kind=kind, code_hash=codes.digest(clear),
                     hint=codes.hint(clear), issued_at=clock.now(), issued_by=actor.name, opens=0)
    session.add(row)
    session.flush()
    if kind != CodeKind.SURVEY.value:
        timeline.record(session, inc, "public.code_issued", actor, {
            "code_id": row.id, "kind": kind, "claimant_id": who, "hint": row.hint})
    return row, clear


def issue_for_claimants(session: Session, *, actor: Actor, incident_id: int) -> list[tuple[Any, str]]:
    """A claimant code for every active claimant who holds no live one; [(claimant, clear code)]."""
    from incident.crowd.claimants.models import Claimant, ClaimantStatus
    inc = service.load_for(session, actor, incident_id, Action.PUBLIC_MANAGE)
    holding = select(PublicCode.claimant_id).where(
        PublicCode.incident_id == inc.id, PublicCode.kind == CodeKind.CLAIMANT.value,
        PublicCode.revoked_at.is_(None), PublicCode.claimant_id.is_not(None))
    rows = list(session.scalars(select(Claimant).where(
        Claimant.incident_id == inc.id, Claimant.status == ClaimantStatus.ACTIVE.value,
        Claimant.id.not_in(holding)).order_by(Claimant.segment, Claimant.unit_key, Claimant.id).limit(2000)))
    out = []
    for c in rows:
        clear = codes.new_code()
        session.add(PublicCode(incident_id=inc.id, claimant_id=c.id, kind=CodeKind.CLAIMANT.value,
                               code_hash=codes.digest(clear), hint=codes.hint(clear), issued_at=clock.now(),
                               issued_by=actor.name, opens=0))
        out.append((c, clear))
    session.flush()
    if out:
        timeline.record(session, inc, "public.codes_issued", actor, {"count": len(out), "kind": "claimant"})
    return out


def _code(session: Session, inc: Incident, code_id: Any) -> PublicCode:
    row = session.get(PublicCode, code_id) if isinstance(code_id, int) and not isinstance(code_id, bool) else None
    if row is None or row.incident_id != inc.id or row.kind == CodeKind.SURVEY.value:
        raise NotFound("no such code", field="code_id")
    return row


def revoke(session: Session, *, actor: Actor, incident_id: int, code_id: Any) -> PublicCode:
    """Revoke a code: it stops working with the next request."""
    inc = service.load_for(session, actor, incident_id, Action.PUBLIC_MANAGE)
    row = _code(session, inc, code_id)
    if row.revoked_at is not None:
        raise Conflict("the code is already revoked", field="code_id")
    row.revoked_at = clock.now()
    timeline.record(session, inc, "public.code_revoked", actor, {
        "code_id": row.id, "kind": row.kind, "claimant_id": row.claimant_id, "hint": row.hint})
    return row


def reissue(session: Session, *, actor: Actor, incident_id: int, code_id: Any) -> tuple[PublicCode, str]:
    """Revoke a code (if still live) and issue a new one of the same kind for the same person."""
    inc = service.load_for(session, actor, incident_id, Action.PUBLIC_MANAGE)
    old = _code(session, inc, code_id)
    if old.revoked_at is None:
        revoke(session, actor=actor, incident_id=inc.id, code_id=old.id)
    return issue(session, actor=actor, incident_id=inc.id, kind=old.kind, claimant_id=old.claimant_id)


def listing(session: Session, *, actor: Actor, incident_id: int) -> list[PublicCode]:
    """Every code of the incident (no survey links), newest first."""
    inc = service.load_for(session, actor, incident_id, Action.INCIDENT_VIEW)
    return list(session.scalars(select(PublicCode).where(
        PublicCode.incident_id == inc.id, PublicCode.kind != CodeKind.SURVEY.value).order_by(PublicCode.id.desc())))


def code_dict(row: PublicCode) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "claimant_id": row.claimant_id, "hint": row.hint,
            "issued_at": row.issued_at.isoformat(), "issued_by": row.issued_by,
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            "last_opened_at": row.last_opened_at.isoformat() if row.last_opened_at else None,
            "opens": row.opens}


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("%(field)s is required", field=field)
    if len(value) > limit:
        raise ValidationError("%(field)s is longer than %(max)s characters", field=field, max=limit)
    return value.strip()


def set_stage(session: Session, *, actor: Actor, incident_id: int, stage: Any = None, names: Any = None,
              next_update_due: datetime | None | str = "keep") -> PublicState:
    """Move the public stage, rename stages, or set when the next public update is due."""
    inc = service.load_for(session, actor, incident_id, Action.PUBLIC_MANAGE)
    st = _saved_state(session, inc.id)
    before = st.stage
    if stage is not None:
        if not isinstance(stage, int) or isinstance(stage, bool) or not 0 <= stage < len(DEFAULT_STAGES):
            raise ValidationError("stage must be 0 … 5", field="stage")
        st.stage = stage
    if names is not None:
        if not isinstance(names, list) or len(names) != len(DEFAULT_STAGES):
            raise ValidationError("names must list six stage names", field="names")
        st.stage_names = [_text(n, "names", 40) for n in names]
    if next_update_due != "keep":
        st.next_update_due = next_update_due if isinstance(next_update_due, datetime) else None
    st.version += 1
    session.flush()
    timeline.record(session, inc, "public.stage_changed", actor, {
        "from": before, "to": st.stage, "renamed": names is not None,
        "next_update_due": st.next_update_due.isoformat() if st.next_update_due else None})
    return st


def publish(session: Session, *, actor: Actor, incident_id: int, text: Any,
            next_update_due: datetime | None = None) -> PublicUpdate:
    """Publish an update to the public page, exactly as written (staff preview it first)."""
    inc = service.load_for(session, actor, incident_id, Action.PUBLIC_MANAGE)
    body = _text(text, "text", MAX_UPDATE)
    st = _saved_state(session, inc.id)
    if next_update_due is not None:
        st.next_update_due = next_update_due
        st.version += 1
    row = PublicUpdate(incident_id=inc.id, text=body, stage=st.stage, published_at=clock.now(),
                       published_by=actor.name)
    session.add(row)
    session.flush()
    timeline.record(session, inc, "public.update_published", actor, {
        "update_id": row.id, "text": body, "summary": body[:60]})
    return row


def updates(session: Session, incident_id: int, limit: int = 50) -> list[PublicUpdate]:
    return list(session.scalars(select(PublicUpdate).where(PublicUpdate.incident_id == incident_id)
                                .order_by(PublicUpdate.id.desc()).limit(limit)))
