"""Incident use cases: open, edit the intake, notes, read-back, escalation, status.

Every function takes the session and the actor explicitly and writes exactly one timeline event
per state change, in the caller's transaction.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incident import clock, headcount, privacy, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.enums import Grade, IncidentStatus, Seat
from incident.errors import Conflict, NotFound, ValidationError
from incident.intake import followup
from incident.intake.readback import readback_text
from incident.intake.schema import IntakeIn, parse_changes
from incident.models import Incident, IncidentContact, IncidentNote
from incident.taskgroup.models import SeatAssignment
from incident.triage import Policy, TriageInput, TriageResult, triage
from incident.triage.store import load_terms

FORMATION_MINUTES = 30
# Called by open_incident after the row exists and before "incident.opened" is recorded:
# hook(session, incident, actor) -> dict merged into that event's payload (e.g. the playbooks
# attached by default), so opening stays ONE timeline event. Features append at import time.
OPEN_HOOKS: list[Callable[[Session, Incident, Actor], dict[str, Any] | None]] = []


def get(session: Session, incident_id: int, *, lock: bool = False) -> Incident:
    """Load an incident or raise NotFound; lock=True serialises writers (row lock on PostgreSQL)."""
    if not isinstance(incident_id, int) or isinstance(incident_id, bool):
        raise NotFound("no such incident", field="incident_id")
    inc = session.get(Incident, incident_id, with_for_update=lock or None, populate_existing=lock)
    if inc is None:
        raise NotFound("no such incident", field="incident_id")
    return inc


def load_for(session: Session, actor: Actor, incident_id: int, action: Action) -> Incident:
    """Load (and for writes, lock) an incident after checking the actor may perform *action*."""
    inc = get(session, incident_id, lock=action is not Action.INCIDENT_VIEW)
    require(session, actor, action, inc.id)
    return inc


def check_version(inc: Incident, expected: int | None) -> None:
    """Refuse a write based on a stale read (optimistic lock)."""
    if expected is not None and expected != inc.version:
        raise Conflict("the incident was changed by someone else; reload and try again",
                       field="version", current_version=inc.version)


def note_texts(session: Session, inc: Incident) -> list[str]:
    """The texts of the incident's notes, read as text alone (no note objects, the collection unloaded)."""
    if inc.id is None:
        return [n.text for n in inc.notes]
    return list(session.scalars(select(IncidentNote.text).where(IncidentNote.incident_id == inc.id)
                                .order_by(IncidentNote.id)))


def run_triage(session: Session, inc: Incident, policy: Policy = Policy()) -> TriageResult:
    """Triage the stored record (texts: demand, prior contact and every note)."""
    texts = (inc.core_demand, inc.prior_contact, inc.title, *note_texts(session, inc))
    return triage(TriageInput(headcount=inc.headcount, texts=texts,
                              circumstances=frozenset(inc.circumstances or []), channel=inc.channel,
                              emotion=inc.emotion, demands_consistent=inc.demands_consistent,
                              prior_contact=inc.prior_contact, safety_issue=inc.safety_issue),
                  load_terms(session), policy)


def _apply_triage(inc: Incident, result: TriageResult) -> str:
    """Store a triage result; the effective grade never falls below the escalation floor."""
    effective = max(result.grade, Grade(inc.grade_floor or "F"), key=lambda g: g.rank)
    inc.grade = effective.value
    inc.urgent = result.urgent
    inc.scope = result.scope.value
    inc.warning_level = result.warning_level
    inc.triage = result.to_dict() | {"effective_grade": effective.value, "floor": inc.grade_floor}
    due = result.deadlines(inc.opened_at)
    inc.first_contact_due_at = due["first_contact"]
    inc.response_due_at = due["response"]
    return effective.value


REF_LOCK = 0x436F6E63  # PostgreSQL advisory lock: concurrent opens count one after the other


def _next_ref(session: Session) -> str:
    """Today's next GC-YYYYMMDD-NNN; SQLite's one writer (BEGIN IMMEDIATE) or REF_LOCK serialises it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REF_LOCK})
    today = clock.local(clock.now()).strftime("%Y%m%d")  # the date people live in, not UTC
    n = session.scalar(select(func.count(Incident.id)).where(Incident.ref.like(f"GC-{today}-%"))) or 0
    return f"GC-{today}-{n + 1:03d}"


def _contact(c: Any) -> IncidentContact:
    cp = privacy.cipher()
    return IncidentContact(name=c.name, phone_cipher=cp.encrypt(c.phone), phone_index=cp.index(c.phone),
                           phone_masked=privacy.mask_phone(c.phone), note=c.note)


def open_incident(session: Session, *, actor: Actor, intake: IntakeIn,
                  formation_minutes: int = FORMATION_MINUTES) -> Incident:
    """Record a new incident from a validated intake; the opener takes the leader seat."""
    require(session, actor, Action.INCIDENT_OPEN)
    now = clock.now()
    inc = Incident(
        ref=_next_ref(session), title=intake.title, status=IncidentStatus.OPEN.value, opened_at=now,
        opened_by_id=actor.user_id, core_demand=intake.core_demand, headcount=intake.headcount,
        scope_text=intake.scope_text, channel=intake.channel, circumstances=intake.circumstances,
        complaint_object=intake.complaint_object, demand_type=intake.demand_type, place=intake.place,
        occurred_at=intake.occurred_at, anonymous=intake.anonymous,
        complainant_name=intake.complainant_name, emotion=intake.emotion,
        demands_consistent=intake.demands_consistent, prior_contact=intake.prior_contact,
        safety_issue=intake.safety_issue, grade_floor="F", version=1,
        formation_due_at=now + timedelta(minutes=formation_minutes),
        contacts=[_contact(c) for c in intake.contacts],
    )
    if intake.notes:
        inc.notes.append(IncidentNote(author_id=actor.user_id, author_name=actor.name, at=now,
                                      text=intake.notes))
    _apply_triage(inc, run_triage(session, inc))
    session.add(inc)
    session.flush()
    leader = None
    if actor.user_id is not None:
        session.add(SeatAssignment(incident_id=inc.id, seat=Seat.LEADER.value, user_id=actor.user_id,
                                   assumed_at=now, assumed_by_id=actor.user_id))
        leader = {"user_id": actor.user_id, "name": actor.name}
    extra: dict[str, Any] = {}
    for hook in OPEN_HOOKS:
        extra.update(hook(session, inc, actor) or {})
    timeline.record(session, inc, "incident.opened", actor, {
        "ref": inc.ref, "intake": intake_summary(inc), "triage": inc.triage, "leader": leader,
        "deadlines": deadlines_dict(inc), **extra,
    })
    return inc


def intake_summary(inc: Incident) -> dict[str, Any]:
    """The intake as stored, phones masked: safe for the timeline, the API and exports."""
    return {
        "title": inc.title, "core_demand": inc.core_demand, "headcount": inc.headcount,
        "scope_text": inc.scope_text, "channel": inc.channel, "circumstances": list(inc.circumstances),
        "complaint_object": inc.complaint_object, "demand_type": inc.demand_type, "place": inc.place,
        "occurred_at": inc.occurred_at.isoformat() if inc.occurred_at else None,
        "anonymous": inc.anonymous, "complainant_name": inc.complainant_name, "emotion": inc.emotion,
        "demands_consistent": inc.demands_consistent, "prior_contact": inc.prior_contact,
        "safety_issue": inc.safety_issue, "contacts": [c.to_dict() for c in inc.contacts],
    }


def deadlines_dict(inc: Incident) -> dict[str, str]:
    out = {"first_contact": inc.first_contact_due_at.isoformat(),
           "response": inc.response_due_at.isoformat(), "formation": inc.formation_due_at.isoformat()}
    if inc.scope == "group":
        out["written_reply"] = (inc.opened_at + Policy().group_written_reply).isoformat()
    return out


def regrade(session: Session, inc: Incident, actor: Actor, cause: str) -> None:
    """Re-run triage; a changed grade is its own event; a group it became gets its formation clock."""
    before, scope = inc.grade, inc.scope
    after = _apply_triage(inc, run_triage(session, inc))
    if after != before:
        timeline.record(session, inc, "grade.changed", actor, {
            "from": before, "to": after, "cause": cause, "reasons": inc.triage["reasons"],
            "authority": inc.triage["authority"], "class": inc.triage["class"],
        })
    followup.after_retriage(session, inc, actor, {"grade": before, "scope": scope, "cause": cause})


def ensure_open(inc: Incident) -> None:
    if inc.status == IncidentStatus.CLOSED.value:
        raise Conflict("the incident is closed: reopen it (with a reason) to change it", field="status")


def update_intake(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any],
                  expected_version: int | None) -> Incident:
    """Edit intake fields with an optimistic version check; re-triages and may void the read-back."""
    inc = load_for(session, actor, incident_id, Action.INTAKE_EDIT)
    ensure_open(inc)
    check_version(inc, expected_version)
    changes = parse_changes(data)
    if "headcount" in changes and headcount.owned_by_registry(session, inc.id):
        raise Conflict("the headcount follows the claimant registry; add or withdraw claimants instead",
                       field="headcount")
    diff = {}
    for key, value in changes.items():
        old = getattr(inc, key)
        if old != value:
            diff[key] = {"from": old.isoformat() if hasattr(old, "isoformat") else old,
                         "to": value.isoformat() if hasattr(value, "isoformat") else value}
            setattr(inc, key, value)
    if not diff:
        return inc
    inc.version += 1
    voided = False
    if inc.readback_confirmed_at and readback_text(inc, "zh_CN") != inc.readback_confirmed_text:
        inc.readback_confirmed_at, inc.readback_confirmed_by_id = None, None
        inc.readback_confirmed_by_name, inc.readback_confirmed_text = "", ""
        voided = True
    session.flush()
    timeline.record(session, inc, "intake.updated", actor, {"diff": diff, "readback_voided": voided})
    regrade(session, inc, actor, "intake.updated")
    return inc


def add_note(session: Session, *, actor: Actor, incident_id: int, text: str) -> IncidentNote:
    """Add a free note; notes are scanned for risk keywords, so this may re-grade."""
    inc = load_for(session, actor, incident_id, Action.NOTE_ADD)
    ensure_open(inc)
    text = (text or "").strip() if isinstance(text, str) else None
    if not text:
        raise ValidationError("note text is required", field="text")
    if len(text) > 5000:
        raise ValidationError("note is longer than 5000 characters", field="text")
    # Added beside the collection, not into it: appending would load every earlier note first.
    # (setting its incident fills a collection only when it is already loaded)
    note = IncidentNote(incident=inc, author_id=actor.user_id, author_name=actor.name, at=clock.now(), text=text)
    session.add(note)
    session.flush()
    from incident.triage.lexicon import find_hits
    hits = find_hits(text, load_terms(session))
    timeline.record(session, inc, "note.added", actor, {"note_id": note.id, "text": text, "hits": hits})
    regrade(session, inc, actor, "note.added")
    return note


def confirm_readback(session: Session, *, actor: Actor, incident_id: int, confirmed_by: str = "",
                     locale: str = "zh_CN") -> Incident:
    """Record that the complainant confirmed the read-back, by whom and when."""
    inc = load_for(session, actor, incident_id, Action.READBACK_CONFIRM)
    ensure_open(inc)
    if not isinstance(confirmed_by, str) or len(confirmed_by) > 120:
        raise ValidationError("confirmed_by must be a name of at most 120 characters", field="confirmed_by")
    text = readback_text(inc, "zh_CN")
    inc.readback_confirmed_at = clock.now()
    inc.readback_confirmed_by_id = actor.user_id
    inc.readback_confirmed_by_name = confirmed_by.strip() or (inc.complainant_name or "")
    inc.readback_confirmed_text = text
    timeline.record(session, inc, "intake.read_back_confirmed", actor, {
        "confirmed_by_complainant": inc.readback_confirmed_by_name, "recorded_by": actor.name,
        "text": text, "text_locale": locale,
    })
    return inc


def escalate(session: Session, *, actor: Actor, incident_id: int, reason: str, steps: int = 1) -> Incident:
    """Raise the grade floor (manual or overdue escalation) with the reason on the timeline."""
    inc = load_for(session, actor, incident_id, Action.INCIDENT_ESCALATE)
    ensure_open(inc)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError("a reason is required", field="reason")
    before = inc.grade
    target = Grade(before).raised(steps)
    if target.value == before:
        raise Conflict("the incident is already at grade A", field="grade")
    inc.grade_floor = target.value
    _apply_triage(inc, run_triage(session, inc))
    timeline.record(session, inc, "grade.changed", actor, {
        "from": before, "to": inc.grade, "cause": "escalation", "reason": reason,
        "authority": inc.triage["authority"], "class": inc.triage["class"],
    })
    return inc


# Status changes (and their closing gate) live in incident/closing/status.py (issue 13).


def visible_incidents(session: Session, actor: Actor) -> list[Incident]:
    """Incidents the actor may see: all for admins and managers, own seats otherwise."""
    require(session, actor, Action.INCIDENT_LIST)
    stmt = select(Incident).order_by(Incident.opened_at.desc())
    if actor.role not in ("admin", "manager"):
        from incident.taskgroup.queries import incident_ids_of
        ids = incident_ids_of(session, actor.user_id) if actor.user_id else set()
        stmt = stmt.where(Incident.id.in_(ids or {-1}))
    return list(session.scalars(stmt))
