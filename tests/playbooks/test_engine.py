"""The checklist engine: default playbooks by class, add/drop, ticking with evidence, anchors and rounds."""
from __future__ import annotations

from datetime import timedelta

import pytest

from incident import attachments, clock, timeline
from incident.access.actor import SYSTEM
from incident.errors import Conflict, Forbidden, NotFound, ValidationError
from playbooks import engine
from playbooks.scheduler import jobs
from tests.factories import make_incident
from tests.playbooks.conftest import events, fresh, item


def keys_of(session, inc):  # type: ignore[no-untyped-def]
    return events(session, inc.id, "incident.opened")[0].payload["playbooks"]


def test_the_incident_class_picks_the_default_playbooks_in_the_opening_event(session, crew):
    leader = crew["leader"]
    assert keys_of(session, crew["incident"]) == ["property_mass"]
    assert crew["incident"].last_seq == 1  # opening with its playbooks is one event
    urgent = make_incident(session, leader, safety_issue=True, circumstances=["media"])
    shop = make_incident(session, leader, complaint_object="goods", channel="online", headcount=237)
    mall = make_incident(session, leader, complaint_object="goods", channel="on_site")
    alone = make_incident(session, leader, headcount=1)
    session.commit()
    assert keys_of(session, urgent) == ["property_mass", "public_opinion", "safety_incident"]
    assert keys_of(session, shop) == ["ecommerce_batch"]
    assert keys_of(session, mall) == ["mall_complaint"]
    assert keys_of(session, alone) == []
    start = item(session, urgent.id, "start_handling", playbook="safety_incident")
    assert start.due_at == urgent.opened_at + timedelta(minutes=30)  # urgent: start within 30 minutes
    # every incident gets the formation clock, due when the incident says
    assert item(session, alone.id, "formation", playbook="_clock").due_at == alone.formation_due_at


def test_ticking_needs_the_seat_the_evidence_and_the_dependencies(session, crew):
    inc, cs, outsider, leader = crew["incident"], crew["cs"], crew["outsider"], crew["leader"]
    first, readback = item(session, inc.id, "first_contact"), item(session, inc.id, "readback")
    with pytest.raises(Forbidden):
        engine.tick(session, actor=outsider.actor, incident_id=inc.id, item_id=first.id, note="x")
    fresh(session)
    with pytest.raises(ValidationError) as err:
        engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=first.id, note="  ")
    assert err.value.field == "note"
    session.rollback()
    with pytest.raises(Conflict) as err:
        engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=readback.id)
    assert err.value.field == "depends_on" and err.value.details["missing"] == ["first_contact"]
    session.rollback()
    with pytest.raises(NotFound):
        engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=10**6, note="x")
    session.rollback()
    assert item(session, inc.id, "first_contact").status == "pending"

    engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=first.id, note="已电话联系刘先生")
    session.commit()
    done = events(session, inc.id, "playbook.step_done")
    assert len(done) == 1 and done[0].payload["note"] == "已电话联系刘先生" and done[0].actor_id == cs.id
    with pytest.raises(Conflict):
        engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=first.id, note="again")
    session.rollback()

    reply = item(session, inc.id, "written_reply")  # the leader's step, needs an attachment
    with pytest.raises(Forbidden):
        engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=reply.id)
    session.rollback()
    with pytest.raises(ValidationError) as err:
        engine.tick(session, actor=leader.actor, incident_id=inc.id, item_id=reply.id)
    assert err.value.field == "attachment_id"
    session.rollback()
    att = attachments.store(session, actor=leader.actor, incident_id=inc.id, filename="reply.pdf",
                            content_type="application/pdf", data=b"%PDF-1.4 reply", purpose="evidence")
    engine.tick(session, actor=leader.actor, incident_id=inc.id, item_id=reply.id, attachment_id=att.id)
    session.commit()
    assert item(session, inc.id, "written_reply").evidence["attachment_id"] == att.id


def test_anchor_events_start_deadlines_and_a_newer_one_recomputes_them(session, session_factory, crew, frozen):
    inc, leader, cs = crew["incident"], crew["leader"], crew["cs"]
    callback = item(session, inc.id, "callback")
    assert callback.anchor == "agreement.signed" and callback.due_at is None
    frozen.advance(hours=2)
    timeline.record(session, inc, "agreement.signed", SYSTEM, {"agreement_id": 1})
    session.commit()
    jobs.run_due(session_factory)
    callback = item(session, inc.id, "callback")
    assert callback.due_at == clock.now() + timedelta(days=7)
    set_events = events(session, inc.id, "playbook.deadlines_set")
    assert len(set_events) == 1 and set_events[0].payload["items"][0]["step"] == "callback"
    jobs.run_due(session_factory)
    assert len(events(session, inc.id, "playbook.deadlines_set")) == 1  # nothing new: not recomputed

    frozen.advance(days=1)  # a second agreement: the callback clock restarts from it
    timeline.record(session, inc, "agreement.signed", SYSTEM, {"agreement_id": 2})
    session.commit()
    jobs.run_due(session_factory)
    assert item(session, inc.id, "callback").due_at == clock.now() + timedelta(days=7)

    engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=callback.id, note="满意度 4/5")
    session.commit()
    archive = item(session, inc.id, "archive")  # step-anchored, in business hours: +3 working days
    assert archive.anchor == "step:callback" and archive.due_at is not None
    assert archive.due_at - clock.now() >= timedelta(days=3)
    assert leader  # the leader remains the only one who may drop playbooks (below)


def test_leader_adds_and_drops_a_playbook_and_recurring_steps_open_rounds(session, crew, frozen):
    inc, leader, cs = crew["incident"], crew["leader"], crew["cs"]
    with pytest.raises(Forbidden):
        engine.attach(session, actor=cs.actor, incident_id=inc.id, key="public_opinion")
    session.rollback()
    with pytest.raises(ValidationError) as err:
        engine.attach(session, actor=leader.actor, incident_id=inc.id, key="nope")
    assert err.value.field == "playbook"
    session.rollback()
    engine.attach(session, actor=leader.actor, incident_id=inc.id, key="public_opinion")
    session.commit()
    with pytest.raises(Conflict):
        engine.attach(session, actor=leader.actor, incident_id=inc.id, key="public_opinion")
    session.rollback()
    added = events(session, inc.id, "playbook.attached")
    assert [e.payload["playbook"] for e in added] == ["public_opinion"] and added[0].actor_id == leader.id

    count1 = item(session, inc.id, "count_reposts", playbook="public_opinion")
    frozen.advance(minutes=20)
    engine.tick(session, actor=cs.actor, incident_id=inc.id, item_id=count1.id, note="转发 120，阅读 3400")
    session.commit()
    count2 = item(session, inc.id, "count_reposts", playbook="public_opinion", round=2)
    assert count2.status == "pending" and count2.due_at == clock.now() + timedelta(minutes=30)
    trend = item(session, inc.id, "trend_report", playbook="public_opinion")
    assert trend.due_at == clock.now() + timedelta(hours=2)

    engine.drop(session, actor=leader.actor, incident_id=inc.id, key="public_opinion")
    session.commit()
    assert item(session, inc.id, "count_reposts", playbook="public_opinion", round=2).status == "dropped"
    assert item(session, inc.id, "count_reposts", playbook="public_opinion").status == "done"  # history stays
    dropped = events(session, inc.id, "playbook.dropped")
    assert dropped[0].payload["open_steps"] == 3  # round 2 of the count, the negative-review reply, the trend report
    with pytest.raises(NotFound):
        engine.drop(session, actor=leader.actor, incident_id=inc.id, key="public_opinion")
    session.rollback()
    engine.attach(session, actor=leader.actor, incident_id=inc.id, key="public_opinion")  # back again
    session.commit()
    assert item(session, inc.id, "count_reposts", playbook="public_opinion", round=3).status == "pending"
