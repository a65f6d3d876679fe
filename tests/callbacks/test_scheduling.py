"""Callback scheduling, clock-injected, from each named moment; due and overdue fire once; attempts
up to unreachable; the gate's rules for rounds not scheduled yet."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from exports.agreements.models import Agreement, AgreementTemplate
from exports.replies import service as replies
from incident.closing import status as closing_status
from incident import clock, service
from incident.callbacks import queries
from incident.callbacks import service as callbacks
from incident.callbacks.models import Callback
from incident.closing import gate
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem
from incident.errors import Conflict, Forbidden, ValidationError
from playbooks import engine, loader
from playbooks.models import ChecklistItem
from playbooks.scheduler import jobs
from playbooks.spec import PlaybookInvalid
from tests.callbacks.conftest import again, events
from tests.factories import make_incident, make_user


def swap(session, m, key):  # type: ignore[no-untyped-def]
    engine.drop(session, actor=m["leader"].actor, incident_id=m["incident"].id, key="mall_complaint")
    engine.attach(session, actor=m["leader"].actor, incident_id=m["incident"].id, key=key)
    session.commit()
    again(session)


def rows(session, inc):  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(Callback).where(Callback.incident_id == inc.id).order_by(Callback.id)))


def gate_items(session, inc):  # type: ignore[no-untyped-def]
    return {i.key: i for i in gate.evaluate(session, inc) if i.section == "callbacks"}


def issue_reply(session, m):  # type: ignore[no-untyped-def]
    inc = m["incident"]
    r = replies.draft(session, actor=m["leader"].actor, incident_id=inc.id)
    replies.approve(session, actor=m["leader"].actor, incident_id=inc.id, reply_id=r.id)
    replies.approve(session, actor=m["legal"].actor, incident_id=inc.id, reply_id=r.id, as_legal=True)
    replies.issue(session, actor=m["cs"].actor, incident_id=inc.id, reply_id=r.id, org="某某商场")
    session.commit()
    return r


def test_from_the_demand_items_fulfilled_per_representative(session, session_factory, mall, frozen):
    inc, leader = mall["incident"], mall["leader"]
    swap(session, mall, "property_mass")  # within a week of the fix, per representative
    items = list(session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id)))
    demands.offer_template(session, actor=leader.actor, incident_id=inc.id, template_id=items[0].template_id,
                           data={"amount": "120.00", "remedy": "退还多收的停车费"})
    for it in items:
        demands.decide(session, actor=leader.actor, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
    for it in items[:-1]:
        demands.fulfil(session, actor=leader.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    session.commit()
    jobs.run_due(session_factory)
    assert rows(session, inc) == []  # one item still open: the moment has not come
    assert not gate_items(session, inc)["callbacks.scheduled"].ok
    frozen.advance(hours=5)
    again(session)
    demands.fulfil(session, actor=leader.actor, incident_id=inc.id, item_id=items[-1].id,
                   data={"version": session.get(DemandItem, items[-1].id).version})
    session.commit()
    assert jobs.run_due(session_factory)["callbacks_scheduled"] == 1
    (cb,) = rows(session, inc)
    assert cb.target == "representative" and cb.name == "王芳" and len(cb.covers) == 5
    assert cb.anchor == "demands_fulfilled" and cb.due_at == clock.now() + timedelta(days=3)
    assert cb.due_at + timedelta(minutes=cb.window_minutes) == clock.now() + timedelta(days=7)
    assert jobs.run_due(session_factory)["callbacks_scheduled"] == 0  # scheduled once
    again(session)
    callbacks.record_attempt(session, actor=mall["cs"].actor, incident_id=inc.id, callback_id=cb.id,
                             channel="visit", reached=True, satisfaction="satisfied")
    session.commit()
    summary = queries.summary(session, inc.id)
    assert summary["distribution"]["satisfied"] == 1 and summary["claimant_distribution"]["satisfied"] == 5


SEALED_PLAYBOOK = """key: sealed_callbacks
title: {zh_CN: 盖章后回访, en: Callback after sealing}
steps:
  - {id: note, title: {zh_CN: 记录, en: Note}, phase: close, seat: customer_service}
callbacks:
  - {after: agreement_sealed, in: +2d, per: claimant, attempts: 2}
"""


@pytest.fixture
def sealed_playbook(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "sealed.yaml").write_text(SEALED_PLAYBOOK, encoding="utf-8")
    loader.configure(tmp_path)
    yield
    loader.configure(None)


def test_from_the_agreements_sealed_only_when_every_one_is_sealed_or_void(session, session_factory, mall, frozen,
                                                                         sealed_playbook):
    inc = mall["incident"]
    swap(session, mall, "sealed_callbacks")  # an instance playbook (instance/playbooks) declares it
    template = session.scalars(select(AgreementTemplate)).first()
    now = clock.now()

    def agreement(n: int, status: str) -> Agreement:
        row = Agreement(ref=f"{inc.ref}-A{n:03}", incident_id=inc.id, template_id=template.id, status=status,
                        terms={}, terms_hash="x" * 64, created_at=now, updated_at=now,
                        sealed_at=clock.now() if status == "sealed" else None)
        session.add(row)
        session.flush()
        return row

    agreement(1, "sealed")
    second = agreement(2, "signed")
    session.commit()
    jobs.run_due(session_factory)
    assert rows(session, inc) == []  # one agreement is only signed: not yet
    again(session)
    frozen.advance(hours=3)
    second = session.get(Agreement, second.id)
    second.status, second.sealed_at = "sealed", clock.now()
    agreement(3, "void")
    session.commit()
    sealed_at = clock.now()
    frozen.advance(minutes=1)
    assert jobs.run_due(session_factory)["callbacks_scheduled"] == 5
    got = rows(session, inc)
    assert {cb.anchor for cb in got} == {"agreement_sealed"} and {cb.anchor_at for cb in got} == {sealed_at}
    assert {cb.due_at for cb in got} == {sealed_at + timedelta(days=2)} and {cb.max_attempts for cb in got} == {2}


def test_from_the_incident_resolved_and_what_the_gate_says_before(session, session_factory, mall, frozen):
    inc, leader = mall["incident"], mall["leader"]
    swap(session, mall, "safety_incident")  # the day after it is resolved
    # Before the resolve a round counted from it cannot exist: it does not block the resolve itself.
    assert gate_items(session, inc)["callbacks.scheduled"].ok
    closing_status.change_status(session, actor=leader.actor, incident_id=inc.id, status="command")
    frozen.advance(hours=2)
    closing_status.change_status(session, actor=leader.actor, incident_id=inc.id, status="closing")
    session.commit()
    resolved_at = clock.now()
    assert not gate_items(session, inc)["callbacks.scheduled"].ok  # resolved: now it is expected
    frozen.advance(minutes=10)
    jobs.run_due(session_factory)
    got = rows(session, inc)
    assert len(got) == 5 and {cb.due_at for cb in got} == {resolved_at + timedelta(hours=24)}
    assert gate_items(session, inc)["callbacks.scheduled"].ok


def test_due_and_overdue_fire_once_and_unreachable_after_the_attempts(session, session_factory, mall, frozen):
    inc, cs, leader = mall["incident"], mall["cs"], mall["leader"]
    issue_reply(session, mall)
    jobs.run_due(session_factory)
    cbs = rows(session, inc)
    assert jobs.next_wake(session_factory) <= cbs[0].due_at
    frozen.advance(hours=47, minutes=59)
    assert jobs.run_due(session_factory)["callbacks_due"] == 0
    frozen.advance(minutes=1)  # exactly 48 h after the reply
    assert jobs.run_due(session_factory)["callbacks_due"] == 5
    frozen.advance(hours=24)
    result = jobs.run_due(session_factory)
    assert result["callbacks_overdue"] == 5 and jobs.run_due(session_factory)["callbacks_overdue"] == 0
    session.rollback()
    overdue = events(session, inc.id, "callback.overdue")
    assert len(overdue) == 1 and set(overdue[0].payload["notified"]) == {cs.id, leader.id}
    assert queries.summary(session, inc.id)["counts"]["overdue"] == 5
    again(session)
    cb = cbs[0]
    for n in range(2):
        callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, channel="phone",
                                 reached=False, note=f"无人接听 {n + 1}")
    assert cb.status == "open"
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, channel="message",
                             reached=False)
    assert cb.status == "unreachable" and cb.recorded_by_name == cs.display_name
    session.commit()
    assert [e.type for e in events(session, inc.id, "callback.unreachable")] == ["callback.unreachable"]
    assert queries.summary(session, inc.id)["counts"] == {"scheduled": 0, "due": 0, "overdue": 4, "done": 0,
                                                          "unreachable": 1}
    again(session)
    with pytest.raises(Conflict):
        callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, channel="phone",
                                 reached=True, satisfaction="satisfied")


def test_recording_is_validated_and_permissioned(session, mall, frozen, session_factory):
    inc, cs = mall["incident"], mall["cs"]
    issue_reply(session, mall)
    jobs.run_due(session_factory)
    cb = rows(session, inc)[0]
    again(session)
    bad = [dict(channel="fax", reached=True, satisfaction="satisfied"), dict(channel="phone", reached="yes"),
           dict(channel="phone", reached=True), dict(channel="phone", reached=True, satisfaction="great"),
           dict(channel="phone", reached=False, satisfaction="satisfied"),
           dict(channel="phone", reached=True, satisfaction="very_dissatisfied"),  # unhappy needs a why
           dict(channel="phone", reached=True, satisfaction="satisfied", reasons=["weather"]),
           dict(channel="phone", reached=True, satisfaction="satisfied", note="x" * 2001)]
    for data in bad:
        with pytest.raises(ValidationError):
            callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, **data)
        again(session)
    outsider = make_user(session, "staff")
    with pytest.raises(Forbidden):
        callbacks.record_attempt(session, actor=outsider.actor, incident_id=inc.id, callback_id=cb.id,
                                 channel="phone", reached=True, satisfaction="satisfied")


def test_the_gate_for_group_cases_without_declarations_and_individual_cases(session, frozen):
    leader = make_user(session, "staff")
    group = make_incident(session, leader, headcount=12, complaint_object="other", channel="online")
    alone = make_incident(session, leader, headcount=1)
    for inc in (group, alone):
        for key in events(session, inc.id, "incident.opened")[0].payload["playbooks"]:
            engine.drop(session, actor=leader.actor, incident_id=inc.id, key=key)
    session.commit()
    assert group.scope == "group" and alone.scope == "individual"
    sched = {i.key: i for i in gate.evaluate(session, group)}["callbacks.scheduled"]
    assert not sched.ok and "playbook" in sched.detail
    assert all(i.ok for i in gate.evaluate(session, alone) if i.section == "callbacks")


def test_playbook_declarations_are_validated():
    text = """key: x
title: {zh_CN: 测试, en: Test}
steps:
  - {id: a, title: {zh_CN: 甲, en: A}, phase: close, seat: leader, done_by: "not an event"}
callbacks:
  - {after: paid, in: +2h, per: everyone, attempts: 0, window: soon, colour: red}
  - not a mapping
"""
    with pytest.raises(PlaybookInvalid) as err:
        loader.parse(text, "x.yaml")
    fields = {i.field for i in err.value.issues}
    assert {"done_by", "callbacks[0].after", "callbacks[0].per", "callbacks[0].attempts", "callbacks[0].window",
            "callbacks[0].colour", "callbacks[1]"} <= fields


def test_a_reply_issued_in_time_meets_its_step_even_if_the_scheduler_runs_after_the_deadline(
        session, session_factory, mall, frozen):
    inc = mall["incident"]
    frozen.advance(hours=23)
    issue_reply(session, mall)
    frozen.advance(hours=2)  # the scheduler was asleep past the 24-hour deadline
    result = jobs.run_due(session_factory)
    assert result["completed"] == 1
    session.rollback()
    done = [e.payload for e in events(session, inc.id, "playbook.step_done") if e.payload["step"] == "written_reply"]
    assert done and done[0]["late"] is False and done[0]["done_by"] == "reply.issued" and done[0]["attachment_id"]
    assert not [e for e in events(session, inc.id, "playbook.step_overdue") if e.payload["step"] == "written_reply"]
    escalations = [e.payload["reason"] for e in events(session, inc.id, "grade.changed")
                   if e.payload.get("cause") == "escalation"]
    assert not [r for r in escalations if "written_reply" in r]  # other steps of the mall were late, not this


def test_a_late_reply_is_recorded_late(session, session_factory, mall, frozen):
    inc = mall["incident"]
    frozen.advance(hours=30)
    issue_reply(session, mall)
    session.rollback()
    assert events(session, inc.id, "reply.issued")[0].payload["late"] is True


def test_a_second_rounds_new_deadline_fires_once_and_a_later_second_round_restarts_it(
        session, session_factory, mall, frozen):
    inc, cs = mall["incident"], mall["cs"]
    issue_reply(session, mall)
    jobs.run_due(session_factory)
    frozen.advance(hours=48)
    jobs.run_due(session_factory)
    first, second_cb = rows(session, inc)[:2]
    again(session)

    def unhappy(cb):  # type: ignore[no-untyped-def]
        callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, channel="phone",
                                 reached=True, satisfaction="very_dissatisfied", note="还是不满意")
        session.commit()

    def reply_rounds():  # type: ignore[no-untyped-def]
        session.rollback()
        return list(session.scalars(select(ChecklistItem).where(
            ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == "mall_complaint",
            ChecklistItem.step == "written_reply").order_by(ChecklistItem.round)))

    unhappy(first)
    (_, new) = reply_rounds()
    assert new.round == 2 and new.anchor == "callback.second_round" and new.due_at == clock.now() + timedelta(hours=24)
    frozen.advance(hours=25)
    assert jobs.run_due(session_factory)["fired"] >= 1
    jobs.run_due(session_factory)  # a second pass fires nothing again
    session.rollback()
    overdue = [e for e in events(session, inc.id, "playbook.step_overdue") if e.payload.get("item_id") == new.id]
    assert len(overdue) == 1
    # Another unhappy answer: the still-open reply deadline starts again from that second round
    # (no third item), and fires anew, once.
    again(session)
    unhappy(second_cb)
    assert len(reply_rounds()) == 2
    jobs.run_due(session_factory)
    (_, new) = reply_rounds()
    assert new.due_at == clock.now() + timedelta(hours=24) and new.fired_at is None
    frozen.advance(hours=25)
    jobs.run_due(session_factory)
    jobs.run_due(session_factory)
    session.rollback()
    overdue = [e for e in events(session, inc.id, "playbook.step_overdue") if e.payload.get("item_id") == new.id]
    assert len(overdue) == 2


def test_a_second_round_at_the_top_grade_does_not_say_the_grade_was_raised(session, session_factory, mall, frozen):
    from playbooks.callbacks import SECOND_ROUND, SECOND_ROUND_AT_TOP
    from playbooks.notify.models import Notification
    inc, cs = mall["incident"], mall["cs"]
    issue_reply(session, mall)
    jobs.run_due(session_factory)
    frozen.advance(hours=48)
    jobs.run_due(session_factory)
    first, second_cb = rows(session, inc)[:2]
    again(session)

    def unhappy(cb):  # type: ignore[no-untyped-def]
        callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, channel="phone",
                                 reached=True, satisfaction="very_dissatisfied", note="还是不满意")
        session.commit()
        session.rollback()
        return [n.message for n in session.scalars(select(Notification).where(
            Notification.incident_id == inc.id, Notification.kind == "second_round").order_by(Notification.id.desc()))]

    raised = unhappy(first)
    assert raised and set(raised) == {SECOND_ROUND}
    while service.get(session, inc.id).grade != "A":
        service.escalate(session, actor=mall["leader"].actor, incident_id=inc.id, reason="升级到最高")
        session.commit()
    again(session)
    after = unhappy(second_cb)
    assert SECOND_ROUND_AT_TOP in after and len(after) > len(raised)
