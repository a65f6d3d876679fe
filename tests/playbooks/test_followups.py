"""Clock-injected: an agreed payment's deadline reminds the business seat the day before, and overdue
it tells the leader and escalates; paying it in time finishes the deadline. Improvement actions are
followed as deadlines after the close."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from incident.closing import service as closing
from incident.crowd.claimants.models import Claimant
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem
from incident.db import begin_write
from incident.ledger import service as ledger
from playbooks import followups
from playbooks.models import ChecklistItem
from playbooks.notify.models import Notification
from playbooks.scheduler import jobs
from tests.factories import close_incident, give_seat, make_user
from tests.playbooks.conftest import count, events, fresh, item

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _agreed(session, crew, *names, deadline="2026-11-27"):  # type: ignore[no-untyped-def]
    """Claimants with an accepted 补偿 of ¥500 due on *deadline* (end of that day, Shanghai)."""
    inc, cs = crew["incident"], crew["cs"].actor
    for n in names:
        session.add(Claimant(incident_id=inc.id, name=n, unit=n, unit_key=n, segment="5号楼", joined_at=inc.opened_at))
    session.flush()
    t = demands.create_template(session, actor=cs, incident_id=inc.id, data={
        "type": "compensation", "remedy": "补偿", "amount": "500.00", "owner": "财务部", "deadline": deadline})
    demands.offer_template(session, actor=cs, incident_id=inc.id, template_id=t.id, data={})
    for it in session.scalars(select(DemandItem).where(DemandItem.template_id == t.id)):
        demands.decide(session, actor=cs, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
    session.commit()
    return list(session.scalars(select(DemandItem).where(DemandItem.template_id == t.id).order_by(DemandItem.id)))


def test_overdue_payment_reminds_then_escalates_and_a_paid_one_is_done(session, session_factory, crew, frozen):
    inc = crew["incident"]
    biz = make_user(session, "staff")
    give_seat(session, inc, biz, "business")
    late, paid = _agreed(session, crew, "王𠮷", "李四")
    jobs.run_due(session_factory)
    due = item(session, inc.id, f"pay-{late.id}", playbook="_ledger")
    assert due.seat == "business" and due.evidence["title"]["zh_CN"].startswith("付款（补偿）：王𠮷")
    assert due.remind_at == due.due_at - timedelta(days=1)
    begin_write(session)
    ledger.record_payment(session, actor=biz.actor, incident_id=inc.id, item_id=paid.id,
                          data={"amount": "500.00", "method": "cash"}, proof=("回单.png", "image/png", PNG))
    session.commit()
    # the day before the deadline: a reminder to the business seat
    frozen.advance(days=2, hours=5)  # 2026-11-27 07:00 UTC = 15:00 Shanghai; due 23:59:59 Shanghai
    jobs.run_due(session_factory)
    assert item(session, inc.id, f"pay-{paid.id}", playbook="_ledger").status == "done"
    assert [e.payload["step"] for e in events(session, inc.id, "playbook.reminder_sent")
            if e.payload["playbook"] == "_ledger"] == [f"pay-{late.id}"]
    assert count(session, Notification, Notification.user_id == biz.id, Notification.message == followups.PAYMENT_DUE) == 1
    grade = fresh(session).get(type(inc), inc.id).grade
    # past the deadline: the leader is told, the incident is escalated one grade, once
    frozen.advance(hours=10)
    jobs.run_due(session_factory)
    jobs.run_due(session_factory)
    overdue = events(session, inc.id, "ledger.payment_overdue")
    assert len(overdue) == 1 and overdue[0].payload["claimant"] == "王𠮷" and overdue[0].payload["outstanding"] == "500.00"
    assert fresh(session).get(type(inc), inc.id).grade != grade
    assert events(session, inc.id, "grade.changed")[-1].payload["cause"] == "escalation"
    assert count(session, Notification, Notification.user_id == crew["leader"].id,
                 Notification.message == followups.PAYMENT_OVERDUE) == 1


def test_improvement_actions_are_followed_after_the_close(session, session_factory, crew, frozen):
    inc = crew["incident"]
    manager = make_user(session, "manager")
    a = closing.add_improvement(session, actor=manager.actor, incident_id=inc.id, data={
        "title": "公示停车收费标准", "owner": "物业服务中心", "due_on": "2026-12-01"})
    b = closing.add_improvement(session, actor=manager.actor, incident_id=inc.id, data={
        "title": "更换道闸", "owner": "工程部", "due_on": "2026-12-01"})
    close_incident(session, inc)
    session.commit()
    jobs.run_due(session_factory)
    assert item(session, inc.id, f"action-{a.id}", playbook="_improvement").status == "pending"
    begin_write(session)
    closing.update_improvement(session, actor=manager.actor, incident_id=inc.id, action_id=b.id, data={"status": "done"})
    session.commit()
    frozen.advance(days=7)
    jobs.run_due(session_factory)
    assert item(session, inc.id, f"action-{b.id}", playbook="_improvement").status == "done"
    overdue = events(session, inc.id, "archive.improvement_overdue")
    assert [e.payload["title"] for e in overdue] == ["公示停车收费标准"]
    assert fresh(session).get(type(inc), inc.id).status == "closed"
    assert session.scalar(select(ChecklistItem.fired_at).where(ChecklistItem.step == f"action-{a.id}")) is not None
