"""The recorder seat: the complainants' informed consent first, then audio and video notes."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import attachments, clock, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.enums import IncidentStatus, Seat
from incident.errors import Conflict, ValidationError
from incident.intake.schema import clean_text
from incident.models import Incident
from incident.service import load_for
from incident.taskgroup.holders import holder_dict, names_for
from incident.taskgroup.models import (
    ConsentMethod,
    Recording,
    RecordingConsent,
    RecordingKind,
)
from incident.taskgroup.queries import holder_of


def _open(session: Session, actor: Actor, incident_id: int, action: Action) -> Incident:
    inc = load_for(session, actor, incident_id, action)
    if inc.status == IncidentStatus.CLOSED.value:
        raise Conflict("the incident is closed", field="status")
    return inc


def _text(value: Any, field: str, limit: int, required: bool) -> str:
    return clean_text(value, field, limit, required)


def latest_consent(session: Session, incident_id: int) -> RecordingConsent | None:
    """The most recent consent recorded on the incident, if any."""
    stmt = select(RecordingConsent).where(RecordingConsent.incident_id == incident_id) \
        .order_by(RecordingConsent.id.desc()).limit(1)
    return session.scalars(stmt).first()


def record_consent(session: Session, *, actor: Actor, incident_id: int, consented_by: Any, method: Any,
                   note: Any = "") -> RecordingConsent:
    """Record who consented to being recorded, how (spoken or written) and before which recorder."""
    inc = _open(session, actor, incident_id, Action.RECORDING_CONSENT)
    who = _text(consented_by, "consented_by", 300, True)
    if method not in {m.value for m in ConsentMethod}:
        raise ValidationError("method must be spoken or written", field="method")
    note = _text(note, "note", 500, False)
    recorder = holder_of(session, inc.id, Seat.RECORDER.value)
    if recorder is None:
        raise Conflict("assign someone to the recorder seat first", field="seat")
    recorder_name = holder_dict(recorder, names_for(session, [recorder]))["name"]
    row = RecordingConsent(incident_id=inc.id, consented_by=who, method=method,
                           recorder_assignment_id=recorder.id, recorder_name=recorder_name,
                           recorded_by_id=actor.user_id, at=clock.now(), note=note)
    session.add(row)
    session.flush()
    timeline.record(session, inc, "taskgroup.consent_recorded", actor, {
        "consent_id": row.id, "consented_by": who, "method": method, "recorder": recorder_name,
        "recorder_assignment_id": recorder.id, "note": note, "summary": who,
    })
    return row


def add_recording(session: Session, *, actor: Actor, incident_id: int, filename: Any, content_type: Any,
                  data: bytes, caption: Any = "") -> Recording:
    """Attach an audio or video note; refused until the complainants' consent is on record."""
    inc = _open(session, actor, incident_id, Action.RECORDING_ADD)
    consent = latest_consent(session, inc.id)
    if consent is None:
        raise Conflict("record the complainants' consent before adding a recording", field="consent")
    caption = _text(caption, "caption", 300, False)
    ctype = (content_type or "").split(";")[0].strip().lower() if isinstance(content_type, str) else ""
    kind = ctype.split("/")[0]
    if kind not in {k.value for k in RecordingKind}:
        raise ValidationError("a recording must be an audio or video file", field="file")
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=str(filename or ""),
                            content_type=ctype, data=data, purpose="recording")
    row = Recording(incident_id=inc.id, consent_id=consent.id, attachment_id=att.id, kind=kind,
                    caption=caption, recorded_by_id=actor.user_id, at=clock.now())
    session.add(row)
    session.flush()
    timeline.record(session, inc, "taskgroup.recording_added", actor, {
        "recording_id": row.id, "attachment_id": att.id, "kind": kind, "caption": caption,
        "filename": att.filename, "size": att.size, "sha256": att.sha256, "consent_id": consent.id,
        "summary": caption or att.filename,
    })
    return row
