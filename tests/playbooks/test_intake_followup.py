"""Intake that follows the incident (issue 12): a case that grows into a group gets its formation
clock then; a playbook whose trigger starts to match mid-incident is proposed to the leader."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incident import service
from incident.db import begin_write
from incident.errors import Conflict, Forbidden
from incident.models import Incident
from playbooks.models import ChecklistItem, IncidentPlaybook
from playbooks.notify.models import Notification
from playbooks.proposals import service as proposals
from playbooks.proposals.models import PlaybookProposal
from playbooks.scheduler import jobs
from tests.factories import give_seat, make_incident, make_user
from tests.playbooks.conftest import T0, events, fresh, item


def _small_case(session, leader):  # type: ignore[no-untyped-def]
    inc = make_incident(session, leader, headcount=3, scope_text="3号楼，3户", core_demand="停车位被占，要求处理")
    session.commit()
    assert inc.scope == "individual"
    return inc


def _edit(session, actor, inc, **changes):  # type: ignore[no-untyped-def]
    begin_write(session)
    out = service.update_intake(session, actor=actor.actor, incident_id=inc.id, data=changes,
                                expected_version=None)
    session.commit()
    return out


def test_three_households_grown_to_twenty_get_their_formation_clock_when_they_become_a_group(
        session, session_factory, frozen):
    leader = make_user(session, "staff")
    inc = _small_case(session, leader)
    assert inc.formation_due_at == T0 + timedelta(minutes=30)

    frozen.advance(minutes=45)  # the individual case's clock has long run out
    grown_at = T0 + timedelta(minutes=45)
    _edit(session, leader, inc, headcount=20, scope_text="3-5号楼，20户")
    inc = fresh(session).get(Incident, inc.id)
    assert inc.scope == "group"
    assert inc.formation_due_at == grown_at + timedelta(minutes=30)
    started = events(session, inc.id, "taskgroup.formation_started")
    assert len(started) == 1
    assert started[0].payload["due_at"] == (grown_at + timedelta(minutes=30)).isoformat()
    assert started[0].payload["previous_due_at"] == (T0 + timedelta(minutes=30)).isoformat()
    assert started[0].payload["headcount"] == 20 and started[0].payload["cause"] == "intake.updated"
    clock_item = item(session, inc.id, "formation", playbook="_clock")
    assert clock_item.due_at == inc.formation_due_at and clock_item.fired_at is None

    frozen.advance(minutes=29)  # 29 minutes after it became a group: not yet missed
    jobs.run_due(session_factory)
    assert events(session, inc.id, "taskgroup.formation_missed") == []
    frozen.advance(minutes=2)
    jobs.run_due(session_factory)
    missed = events(session, inc.id, "taskgroup.formation_missed")
    assert [e.payload["due_at"] for e in missed] == [inc.formation_due_at.isoformat()]

    frozen.advance(minutes=5)  # growing further does not restart the clock: it is a group already
    _edit(session, leader, fresh(session).get(Incident, inc.id), headcount=40)
    assert len(events(session, inc.id, "taskgroup.formation_started")) == 1


def test_a_group_already_formed_keeps_its_formation(session, frozen):
    leader = make_user(session, "staff")
    inc = _small_case(session, leader)
    inc.formed_at = T0 + timedelta(minutes=10)
    session.commit()
    frozen.advance(minutes=20)
    _edit(session, leader, inc, headcount=25)
    assert fresh(session).get(Incident, inc.id).formation_due_at == T0 + timedelta(minutes=30)
    assert events(session, inc.id, "taskgroup.formation_started") == []


def test_a_mid_incident_media_threat_proposes_the_public_opinion_playbook(session, frozen):
    leader, cs = make_user(session, "staff"), make_user(session, "staff")
    inc = make_incident(session, leader)  # a property group complaint: no public-opinion watch yet
    give_seat(session, inc, cs, "customer_service")
    session.commit()
    attached = set(session.scalars(select(IncidentPlaybook.key).where(IncidentPlaybook.incident_id == inc.id)))
    assert "public_opinion" not in attached

    frozen.advance(hours=3)
    begin_write(session)
    service.add_note(session, actor=cs.actor, incident_id=inc.id, text="业主说今晚要找记者来曝光 <script>")
    session.commit()
    proposed = events(session, inc.id, "playbook.proposed")
    assert [e.payload["playbook"] for e in proposed] == ["public_opinion"]
    assert proposed[0].payload["matched"] == {"risk_category": ["media"]}
    assert proposed[0].payload["cause"] == "note.added" and proposed[0].payload["notified"] == [leader.id]
    note = fresh(session).scalar(select(Notification).where(Notification.user_id == leader.id,
                                                            Notification.kind == "proposal"))
    assert note is not None and note.params["anchor"].startswith("proposal-")
    open_ = proposals.pending(session, fresh(session).get(Incident, inc.id))
    assert [p["playbook"] for p in open_] == ["public_opinion"]

    # A second risky note proposes nothing twice.
    begin_write(session)
    service.add_note(session, actor=cs.actor, incident_id=inc.id, text="抖音上也有人转发，媒体在问")
    session.commit()
    assert len(events(session, inc.id, "playbook.proposed")) == 1

    # Only the leader (playbook manager) decides; one tap attaches it, counted from the trigger.
    begin_write(session)
    with pytest.raises(Forbidden):
        proposals.attach(session, actor=cs.actor, incident_id=inc.id, proposal_id=open_[0]["id"])
    session.rollback()
    begin_write(session)
    proposals.attach(session, actor=leader.actor, incident_id=inc.id, proposal_id=open_[0]["id"])
    session.commit()
    att = events(session, inc.id, "playbook.attached")
    assert att[-1].payload["playbook"] == "public_opinion" and att[-1].payload["proposal_id"] == open_[0]["id"]
    count_reposts = item(session, inc.id, "count_reposts", playbook="public_opinion")
    assert count_reposts.due_at == T0 + timedelta(hours=3, minutes=30)  # not overdue since opening
    assert fresh(session).get(PlaybookProposal, open_[0]["id"]).status == "attached"
    begin_write(session)
    with pytest.raises(Conflict):
        proposals.dismiss(session, actor=leader.actor, incident_id=inc.id, proposal_id=open_[0]["id"])
    session.rollback()


def test_a_safety_issue_found_later_is_proposed_and_a_dismissed_proposal_stays_dismissed(session, frozen):
    leader = make_user(session, "staff")
    inc = make_incident(session, leader)
    session.commit()
    _edit(session, leader, inc, safety_issue=True)
    proposed = events(session, inc.id, "playbook.proposed")
    assert [e.payload["playbook"] for e in proposed] == ["safety_incident"]
    begin_write(session)
    proposals.dismiss(session, actor=leader.actor, incident_id=inc.id, proposal_id=proposed[0].payload["proposal_id"])
    session.commit()
    assert len(events(session, inc.id, "playbook.proposal_dismissed")) == 1
    _edit(session, leader, fresh(session).get(Incident, inc.id), safety_issue=False)
    _edit(session, leader, fresh(session).get(Incident, inc.id), safety_issue=True)
    assert len(events(session, inc.id, "playbook.proposed")) == 1
    assert not fresh(session).scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == "safety_incident")).all()


def test_regulator_involved_and_a_published_story_raise_the_incident_to_grade_a(session, frozen):
    leader = make_user(session, "staff")
    inc = _small_case(session, leader)
    assert inc.grade != "A"
    _edit(session, leader, inc, prior_contact="已经找过市场监管局", circumstances=["media_story"])
    inc = fresh(session).get(Incident, inc.id)
    assert inc.grade == "A"
    change = events(session, inc.id, "grade.changed")[-1].payload
    assert change["to"] == "A" and "regulator_and_media" in {r["code"] for r in change["reasons"]}


def test_households_registered_one_by_one_start_the_clock_when_they_become_a_group(session, session_factory, frozen):
    from incident.crowd.claimants import service as claimants
    leader = make_user(session, "staff")
    inc = _small_case(session, leader)
    became_group_at = None
    for i in range(20):
        frozen.advance(minutes=3)
        begin_write(session)
        claimants.add(session, actor=leader.actor, incident_id=inc.id,
                      data={"name": f"业主𠮷{i + 1}", "unit": f"3号楼-{i + 1:02d}", "phone": f"1380000{i:04d}"})
        session.commit()
        if became_group_at is None and fresh(session).get(Incident, inc.id).scope == "group":
            became_group_at = T0 + timedelta(minutes=3 * (i + 1))
    inc = fresh(session).get(Incident, inc.id)
    assert inc.headcount == 20 and became_group_at is not None
    started = events(session, inc.id, "taskgroup.formation_started")
    assert len(started) == 1 and started[0].payload["cause"] == "claimant.added"
    assert inc.formation_due_at == became_group_at + timedelta(minutes=30)
    assert item(session, inc.id, "formation", playbook="_clock").due_at == inc.formation_due_at
