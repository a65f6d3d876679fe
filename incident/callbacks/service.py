"""Callback use cases: schedule a round for the incident's people, record attempts and answers,
open a second round (二次处理) on an unhappy answer. One timeline event per state change."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.access.actor import SYSTEM, Actor
from incident.access.permissions import Action
from incident.callbacks.models import Callback, CallbackAttempt
from incident.callbacks.scale import REASONS, Anchor, CallbackStatus, Channel, Satisfaction, Target
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.crowd.representatives.models import Representative, RepresentativeStatus
from incident.crowd.representatives.service import covered_claimants
from incident.enums import Grade
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident
from incident.triage import AUTHORITY

MAX_NOTE = 2000
# hook(session, incident, unhappy callback, new callback) -> dict merged into "callback.second_round"
# (playbooks asks a manager of the new level to take the leader seat). Features append at import.
SECOND_ROUND_HOOKS: list[Callable[[Session, Incident, Callback, Callback, str], dict[str, Any] | None]] = []
# hook(session, incident, new round-1 callbacks) after "callback.scheduled": the public side attaches
# survey answers a claimant gave before their callback existed. Features append at import.
SCHEDULED_HOOKS: list[Callable[[Session, Incident, list[Callback]], None]] = []


def _targets(session: Session, inc: Incident, per: str) -> list[dict[str, Any]]:
    """Who is called back: each active claimant, or each active representative for those they cover
    (claimants no representative covers are called themselves), or the complainant."""
    claimants = list(session.scalars(select(Claimant).where(
        Claimant.incident_id == inc.id, Claimant.status != ClaimantStatus.WITHDRAWN.value).order_by(Claimant.id)))
    out: list[dict[str, Any]] = []
    covered: set[int] = set()
    if per == Target.REPRESENTATIVE.value:
        for rep in session.scalars(select(Representative).where(
                Representative.incident_id == inc.id, Representative.status == RepresentativeStatus.ACTIVE.value)
                .order_by(Representative.id)):
            ids = covered_claimants(session, rep)
            c = session.get(Claimant, rep.claimant_id)
            out.append({"target": Target.REPRESENTATIVE.value, "representative_id": rep.id,
                        "claimant_id": rep.claimant_id, "name": c.name if c else "", "covers": ids})
            covered |= set(ids) | {rep.claimant_id}
    for c in claimants:
        if c.id not in covered:
            out.append({"target": Target.CLAIMANT.value, "claimant_id": c.id, "name": c.name, "covers": [c.id]})
    if not out:
        out.append({"target": Target.COMPLAINANT.value, "name": inc.complainant_name or inc.ref, "covers": []})
    return out


def schedule(session: Session, inc: Incident, *, spec_key: str, anchor: str, anchor_at: datetime,
             offset_minutes: int, window_minutes: int, per: str, attempts: int) -> list[Callback]:
    """Create one round-1 callback per person, due *offset* after the anchor (the scheduler calls it once
    per playbook declaration when its moment has happened)."""
    due = anchor_at + timedelta(minutes=offset_minutes)
    rows = [Callback(incident_id=inc.id, round=1, spec_key=spec_key, anchor=anchor, anchor_at=anchor_at, due_at=due,
                     offset_minutes=offset_minutes, window_minutes=window_minutes, max_attempts=attempts,
                     target=t["target"], claimant_id=t.get("claimant_id"), representative_id=t.get("representative_id"),
                     name=t["name"][:200], covers=t["covers"], status=CallbackStatus.OPEN.value, reasons=[], note="",
                     created_at=clock.now(), version=1) for t in _targets(session, inc, per)]
    session.add_all(rows)
    session.flush()
    timeline.record(session, inc, "callback.scheduled", SYSTEM, {
        "callback_ids": [r.id for r in rows], "count": len(rows), "anchor": anchor, "per": per,
        "anchor_at": anchor_at.isoformat(), "due_at": due.isoformat(), "spec": spec_key})
    for hook in SCHEDULED_HOOKS:
        hook(session, inc, rows)
    return rows


def get(session: Session, inc: Incident, callback_id: Any) -> Callback:
    row = session.get(Callback, callback_id, with_for_update=True) \
        if isinstance(callback_id, int) and not isinstance(callback_id, bool) else None
    if row is None or row.incident_id != inc.id:
        raise NotFound("no such callback", field="callback_id")
    return row


def _choice(value: Any, allowed: Any, fld: str) -> str:
    values = [a.value for a in allowed] if not isinstance(allowed, tuple) else list(allowed)
    if not isinstance(value, str) or value not in values:
        raise ValidationError(f"{fld} must be one of {', '.join(values)}", field=fld)
    return value


def _text(value: Any, fld: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise ValidationError(f"{fld} must be a text of at most {MAX_NOTE} characters", field=fld)
    return value.strip()


def _reasons(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > len(REASONS):
        raise ValidationError("reasons must be a list of reasons", field="reasons")
    return sorted({_choice(v, REASONS, "reasons") for v in value}, key=REASONS.index)


def record_attempt(session: Session, *, actor: Actor, incident_id: int, callback_id: Any, channel: Any,
                   reached: Any, satisfaction: Any = None, reasons: Any = None, note: Any = None,
                   expected_version: Any = None) -> Callback:
    """Record one try: not reached (unreachable after the configured attempts), or reached with the
    satisfaction answer, its reasons and a free text; an unhappy answer opens a second round."""
    inc = service.load_for(session, actor, incident_id, Action.CALLBACK_RECORD)
    service.ensure_open(inc)
    cb = get(session, inc, callback_id)
    if expected_version is not None and expected_version != cb.version:
        raise Conflict("the callback was changed by someone else; reload", field="version", current_version=cb.version)
    if cb.status != CallbackStatus.OPEN.value:
        raise Conflict("this callback is already finished", field="status")
    channel = _choice(channel, Channel, "channel")
    if not isinstance(reached, bool):
        raise ValidationError("reached must be true or false", field="reached")
    note, why = _text(note, "note"), _reasons(reasons)
    answer = Satisfaction(_choice(satisfaction, Satisfaction, "satisfaction")) if reached else None
    if not reached and satisfaction is not None:
        raise ValidationError("a satisfaction score needs the person to be reached", field="satisfaction")
    if answer is not None and answer.unhappy and not why and not note:
        raise ValidationError("say why: choose a reason or write a note", field="reasons")
    base = _attempt(cb, actor, channel, reached, note)
    if answer is None:
        failed = sum(1 for a in cb.attempts if not a.reached)
        if failed >= cb.max_attempts:
            cb.status, cb.done_at = CallbackStatus.UNREACHABLE.value, clock.now()
            cb.recorded_by_id, cb.recorded_by_name = actor.user_id, actor.name
            timeline.record(session, inc, "callback.unreachable", actor, base)
        else:
            timeline.record(session, inc, "callback.attempted", actor, base | {"note": note})
        return cb
    return _answered(session, inc, cb, actor, base, answer, why, note)


def record_answer(session: Session, inc: Incident, cb: Callback, *, actor: Actor, channel: str,
                  satisfaction: Satisfaction, reasons: list[str], note: str,
                  extra: dict[str, Any] | None = None, after_unreachable: bool = False) -> Callback:
    """Record an answer that reached us another way (the claimant's own survey): the same attempt,
    the same "callback.recorded" event and, when unhappy, the same second round as a staff answer.
    after_unreachable: a callback given up as unreachable takes it too (the person answered after all)."""
    allowed = (CallbackStatus.OPEN.value, CallbackStatus.UNREACHABLE.value) if after_unreachable \
        else (CallbackStatus.OPEN.value,)
    if cb.status not in allowed:
        raise Conflict("this callback is already finished", field="status")
    base = _attempt(cb, actor, channel, True, note)
    return _answered(session, inc, cb, actor, base | (extra or {}), satisfaction,
                     sorted(set(reasons), key=REASONS.index), note)


def _attempt(cb: Callback, actor: Actor, channel: str, reached: bool, note: str) -> dict[str, Any]:
    cb.attempts.append(CallbackAttempt(at=clock.now(), channel=channel, reached=reached, note=note,
                                       recorded_by_id=actor.user_id, recorded_by_name=actor.name))
    cb.version += 1
    return {"callback_id": cb.id, "name": cb.name, "round": cb.round, "channel": channel,
            "attempt": len(cb.attempts), "max_attempts": cb.max_attempts}


def _answered(session: Session, inc: Incident, cb: Callback, actor: Actor, base: dict[str, Any],
              answer: Satisfaction, why: list[str], note: str) -> Callback:
    cb.status, cb.done_at, cb.satisfaction = CallbackStatus.DONE.value, clock.now(), answer.value
    cb.reasons, cb.note = why, note
    cb.recorded_by_id, cb.recorded_by_name = actor.user_id, actor.name
    timeline.record(session, inc, "callback.recorded", actor, base | {
        "satisfaction": answer.value, "reasons": why, "note": note, "covers": len(cb.covers or [])})
    if answer.unhappy:
        second_round(session, inc, cb, actor)
    return cb


def second_round(session: Session, inc: Incident, cb: Callback, actor: Actor) -> Callback:
    """Raise the grade one level (the escalation event), ask a manager of that level to lead, and
    follow with a new callback due as far from now as the first one was from its moment."""
    before = inc.grade
    if before != Grade.A.value:
        service.escalate(session, actor=SYSTEM, incident_id=inc.id,
                         reason=f"二次处理 / second round: {cb.name}")
    now = clock.now()
    nxt = Callback(incident_id=inc.id, round=cb.round + 1, spec_key=cb.spec_key, anchor=Anchor.SECOND_ROUND.value,
                   anchor_at=now, due_at=now + timedelta(minutes=cb.offset_minutes), offset_minutes=cb.offset_minutes,
                   window_minutes=cb.window_minutes, max_attempts=cb.max_attempts, target=cb.target,
                   claimant_id=cb.claimant_id, representative_id=cb.representative_id, name=cb.name,
                   covers=list(cb.covers or []), status=CallbackStatus.OPEN.value, reasons=[], note="",
                   follows_id=cb.id, created_at=now, version=1)
    session.add(nxt)
    session.flush()
    payload: dict[str, Any] = {"callback_id": cb.id, "new_callback_id": nxt.id, "name": cb.name, "round": nxt.round,
                               "from": before, "to": inc.grade, "handler": AUTHORITY[inc.grade]["handler"],
                               "due_at": nxt.due_at.isoformat(), "satisfaction": cb.satisfaction}
    for hook in SECOND_ROUND_HOOKS:
        payload.update(hook(session, inc, cb, nxt, before) or {})
    timeline.record(session, inc, "callback.second_round", actor, payload)
    return nxt
