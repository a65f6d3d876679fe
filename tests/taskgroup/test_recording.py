"""The recorder seat: consent first, then audio/video notes stored as attachments."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incident import attachments
from incident.errors import Conflict, Forbidden, ValidationError
from incident.taskgroup import recording
from incident.taskgroup import service as tg
from incident.taskgroup.models import Recording
from incident.timeline.models import Event

AUDIO = b"ID3\x03\x00fake mp3 bytes of a negotiation"


@pytest.fixture
def recorder(session, group):  # type: ignore[no-untyped-def]
    tg.assign_seat(session, actor=group.leader.actor, incident_id=group.inc.id, seat="recorder",
                   holder={"user_id": group.aux.id})
    session.commit()
    return group.aux


def _add(session, g, who, **kw):  # type: ignore[no-untyped-def]
    args = {"filename": "talk.mp3", "content_type": "audio/mpeg", "data": AUDIO, "caption": "第一轮协商"} | kw
    return recording.add_recording(session, actor=who.actor, incident_id=g.inc.id, **args)


def test_recording_refused_before_consent(session, group, recorder):
    with pytest.raises(Conflict) as err:
        _add(session, group, recorder)
    assert err.value.field == "consent"
    session.rollback()
    assert session.scalar(select(func.count(Recording.id))) == 0


def test_consent_then_recording(session, group, recorder):
    g = group
    consent = recording.record_consent(session, actor=recorder.actor, incident_id=g.inc.id,
                                       consented_by="刘先生、周女士（业主代表）", method="spoken")
    rec = _add(session, g, recorder)
    session.commit()
    assert consent.recorder_name == recorder.display_name and consent.method == "spoken"
    assert rec.consent_id == consent.id and rec.kind == "audio"
    att, data = attachments.read(session, rec.attachment_id, g.inc.id)
    assert data == AUDIO and att.purpose == "recording"
    types = [e.type for e in session.scalars(select(Event).where(Event.incident_id == g.inc.id)
                                              .order_by(Event.seq))]
    assert types[-2:] == ["taskgroup.consent_recorded", "taskgroup.recording_added"]


def test_leader_may_record_consent_naming_the_recorder(session, group, recorder):
    c = recording.record_consent(session, actor=group.leader.actor, incident_id=group.inc.id,
                                 consented_by="全体到场业主", method="written", note="签字见附件")
    assert c.recorder_name == recorder.display_name and c.recorded_by_id == group.leader.id


def test_consent_needs_a_recorder_seat(session, group):
    with pytest.raises(Conflict) as err:
        recording.record_consent(session, actor=group.leader.actor, incident_id=group.inc.id,
                                 consented_by="刘先生", method="spoken")
    assert err.value.field == "seat"


def test_only_the_recorder_adds_recordings(session, group, recorder):
    g = group
    recording.record_consent(session, actor=recorder.actor, incident_id=g.inc.id, consented_by="刘先生",
                             method="spoken")
    session.commit()
    for who in (g.leader, g.manager, g.other):
        with pytest.raises(Forbidden):
            _add(session, g, who)
        session.rollback()
    with pytest.raises(Forbidden):
        recording.record_consent(session, actor=g.other.actor, incident_id=g.inc.id, consented_by="x",
                                 method="spoken")


def test_bad_consent_and_recording_input(session, group, recorder):
    g = group
    for kw, field in (({"consented_by": "", "method": "spoken"}, "consented_by"),
                      ({"consented_by": "x" * 301, "method": "spoken"}, "consented_by"),
                      ({"consented_by": "刘先生", "method": "nodded"}, "method"),
                      ({"consented_by": "刘先生", "method": "spoken", "note": 5}, "note")):
        with pytest.raises(ValidationError) as err:
            recording.record_consent(session, actor=recorder.actor, incident_id=g.inc.id, **kw)
        assert err.value.field == field
        session.rollback()
    recording.record_consent(session, actor=recorder.actor, incident_id=g.inc.id, consented_by="刘先生",
                             method="spoken")
    session.commit()
    for kw in ({"content_type": "application/pdf"}, {"content_type": "image/png"}, {"data": b""},
               {"content_type": "audio/x-unknown"}):
        with pytest.raises(ValidationError) as err:
            _add(session, g, recorder, **kw)
        assert err.value.field == "file"
        session.rollback()
    assert session.scalar(select(func.count(Recording.id))) == 0
