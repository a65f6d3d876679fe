"""Clock-injected scheduler: reminders, overdue actions (remind, notify the leader, escalate), exactly once."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from incident import clock, service
from incident.models import Incident
from playbooks.models import ChecklistItem
from playbooks.notify.models import Notification
from playbooks.scheduler import jobs, lease
from tests.factories import close_incident, make_incident
from tests.playbooks.conftest import count, events, fresh, item


def test_overdue_step_reminds_notifies_leader_and_raises_the_grade(session, session_factory, crew, frozen):
    inc, cs, leader = crew["incident"], crew["cs"], crew["leader"]
    grade_before = inc.grade
    first = item(session, inc.id, "first_contact")
    assert first.due_at == inc.opened_at + timedelta(minutes=15)
    assert first.remind_at == first.due_at - timedelta(minutes=5)

    frozen.advance(minutes=10)  # the reminder, 5 minutes before the deadline
    assert jobs.run_due(session_factory)["reminded"] >= 1
    reminded = events(session, inc.id, "playbook.reminder_sent")
    assert [e.payload["step"] for e in reminded] == ["first_contact"]
    assert reminded[0].payload["notified"] == [cs.id]
    assert not events(session, inc.id, "playbook.step_overdue")

    frozen.advance(minutes=6)  # 16 minutes after opening: overdue
    jobs.run_due(session_factory)
    overdue = events(session, inc.id, "playbook.step_overdue")
    assert [e.payload["step"] for e in overdue] == ["first_contact"]
    assert overdue[0].payload["actions"] == ["remind_seat", "notify_leader", "escalate"]
    assert set(overdue[0].payload["notified"]) == {cs.id, leader.id}
    raised = [e for e in events(session, inc.id, "grade.changed") if e.payload["cause"] == "escalation"]
    assert len(raised) == 1 and raised[0].actor_id is None
    assert raised[0].payload["from"] == grade_before and raised[0].payload["to"] != grade_before
    assert "first_contact" in raised[0].payload["reason"] and "overdue" in raised[0].payload["reason"]
    assert raised[0].seq == overdue[0].seq + 1  # the escalation follows the overdue event it explains
    assert fresh(session).get(Incident, inc.id).grade == raised[0].payload["to"]
    kinds = dict(fresh(session).execute(select(Notification.kind, Notification.user_id)
                                 .where(Notification.user_id == leader.id, Notification.kind == "escalation")).all())
    assert kinds == {"escalation": leader.id}
    assert count(session, Notification, Notification.user_id == cs.id, Notification.kind == "overdue") == 1

    for _ in range(3):  # later passes find nothing new: fired once
        frozen.advance(seconds=1)
        jobs.run_due(session_factory)
    assert len(events(session, inc.id, "playbook.step_overdue")) == len(
        {e.payload["item_id"] for e in events(session, inc.id, "playbook.step_overdue")})
    assert [e.payload["step"] for e in events(session, inc.id, "playbook.step_overdue")][0] == "first_contact"
    assert len([e for e in events(session, inc.id, "playbook.step_overdue") if e.payload["step"] == "first_contact"]) == 1


def test_two_schedulers_racing_fire_each_deadline_once(session, session_factory, crew, frozen):
    incs = [crew["incident"]] + [make_incident(session, crew["leader"]) for _ in range(3)]
    session.commit()
    frozen.advance(hours=30)  # everything with a known deadline is overdue
    due = session.scalar(select(func.count(ChecklistItem.id)).where(
        ChecklistItem.due_at.is_not(None), ChecklistItem.due_at <= clock.now()))
    errors: list[BaseException] = []

    def run(holder: str) -> None:
        try:
            jobs.run_due(session_factory, holder)
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(f"s{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    fresh(session)
    fired = session.scalars(select(ChecklistItem).where(ChecklistItem.fired_at.is_not(None))).all()
    assert len(fired) == due > 0
    per_item: dict[int, int] = {}
    for inc in incs:
        for e in events(session, inc.id, "playbook.step_overdue") + events(session, inc.id,
                                                                           "taskgroup.formation_missed"):
            per_item[e.payload["item_id"]] = per_item.get(e.payload["item_id"], 0) + 1
    assert sorted(per_item) == sorted(i.id for i in fired)
    assert set(per_item.values()) == {1}


def test_deadlines_that_passed_while_down_fire_once_without_late_reminders(session, session_factory, crew, frozen):
    inc = crew["incident"]
    frozen.advance(days=2)  # nobody ran for two days: recovery is the same query
    result = jobs.run_due(session_factory)
    assert result["reminded"] == 0 and result["fired"] >= 4
    assert not events(session, inc.id, "playbook.reminder_sent")
    assert len(events(session, inc.id, "taskgroup.formation_missed")) == 1
    assert jobs.run_due(session_factory)["fired"] == 0


def test_formation_clock_fires_only_when_the_group_was_not_formed(session, session_factory, crew, frozen):
    missed = crew["incident"]
    formed = make_incident(session, crew["leader"])
    formed.formed_at = clock.now() + timedelta(minutes=20)  # what the task-group feature records
    session.commit()
    frozen.advance(minutes=31)
    jobs.run_due(session_factory)
    assert len(events(session, missed.id, "taskgroup.formation_missed")) == 1
    assert events(session, formed.id, "taskgroup.formation_missed") == []
    clock_item = item(session, formed.id, "formation", playbook="_clock")
    assert clock_item.status == "done" and clock_item.done_at == formed.formed_at


def test_closed_incidents_do_not_fire(session, session_factory, crew, frozen):
    inc = crew["incident"]
    close_incident(session, inc)  # -- closing (issue 13): through the gate
    session.commit()
    frozen.advance(days=1)
    assert jobs.run_due(session_factory)["fired"] == 0


def test_lease_has_one_holder_until_it_expires(session_factory, frozen):
    assert lease.hold(session_factory, "a", ttl=10)
    assert not lease.hold(session_factory, "b", ttl=10)
    assert lease.hold(session_factory, "a", ttl=10)  # renewal
    frozen.advance(seconds=11)
    assert lease.hold(session_factory, "b", ttl=10)
    assert not lease.hold(session_factory, "a", ttl=10)
    lease.release(session_factory, "b")
    assert lease.hold(session_factory, "a", ttl=10)


def test_an_item_whose_action_fails_stays_due_and_the_others_are_still_published(
        session, session_factory, crew, frozen, monkeypatch):
    from incident.timeline import bus
    from playbooks.scheduler import actions
    inc = crew["incident"]
    frozen.advance(minutes=31)  # first_contact, readback and the formation clock are overdue
    real = actions.overdue
    published: list[str] = []
    unsubscribe = bus.subscribe(lambda ev: published.append(ev["payload"].get("step", ev["type"])))

    def broken(s, incident, it):  # type: ignore[no-untyped-def]
        real(s, incident, it)
        if it.step == "readback":
            raise RuntimeError("mail server on fire")
    monkeypatch.setattr(actions, "overdue", broken)
    try:
        jobs.run_due(session_factory)
    finally:
        unsubscribe()
    assert "first_contact" in published and "readback" not in published
    readback = item(session, inc.id, "readback")
    assert readback.fired_at is None  # not fired: retried at the next pass
    assert [e.payload["step"] for e in events(session, inc.id, "playbook.step_overdue")] == ["first_contact"]
    monkeypatch.setattr(actions, "overdue", real)
    jobs.run_due(session_factory)
    assert sorted(e.payload["step"] for e in events(session, inc.id, "playbook.step_overdue")) == [
        "first_contact", "readback"]
