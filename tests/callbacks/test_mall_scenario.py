"""Acceptance: a mall parking-fee dispute without agreements — the written reply is issued within its
deadline, callbacks come due 48 hours after it, one tenant is unhappy (second round: higher grade, the
manager of that grade's level asked to lead, a new written-reply deadline and a new callback), then
satisfied: the gate passes, the case closes with its archive record and the dossier says so."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from exports.ledger import dossier
from exports.replies import service as replies
from incident import clock
from incident.callbacks import queries
from incident.callbacks import service as callbacks
from incident.accounts import levels
from incident.callbacks.models import Callback
from incident.closing import gate
from incident.closing import service as closing
from incident.closing.models import ProblemType
from incident.closing.status import change_status
from incident.crowd.demands import service as demands
from incident.crowd.demands.models import DemandItem, DemandTemplate
from incident.errors import Conflict, Forbidden
from incident.ledger import queries as ledger_queries
from incident.ledger import service as ledger
from playbooks.models import ChecklistItem
from playbooks.notify.models import Notification
from playbooks.scheduler import jobs
from tests.callbacks.conftest import again, events
from tests.exports.ledger.test_scenario import PNG
from tests.exports.pdfkit import pdftotext
from tests.factories import give_seat, make_user


def callback_items(session, inc):  # type: ignore[no-untyped-def]
    return {i.key: i for i in gate.evaluate(session, inc) if i.key.startswith("callbacks.")}


def step(session, inc, name):  # type: ignore[no-untyped-def]
    """The step's latest round."""
    return session.scalars(select(ChecklistItem).where(ChecklistItem.incident_id == inc.id,
                                                       ChecklistItem.playbook == "mall_complaint",
                                                       ChecklistItem.step == name)
                           .order_by(ChecklistItem.round.desc())).first()


def issue_reply(session, mall):  # type: ignore[no-untyped-def]
    """Draft, approve (leader and legal: money is promised) and issue a written reply."""
    inc, cs = mall["incident"], mall["cs"]
    r = replies.draft(session, actor=cs.actor, incident_id=inc.id)
    session.commit()
    again(session)
    replies.approve(session, actor=mall["leader"].actor, incident_id=inc.id, reply_id=r.id, expected_version=1)
    replies.approve(session, actor=mall["legal"].actor, incident_id=inc.id, reply_id=r.id, as_legal=True)
    r = replies.issue(session, actor=cs.actor, incident_id=inc.id, reply_id=r.id, org="某某商场管理有限公司")
    session.commit()
    return r


def test_parking_fee_dispute_reply_callbacks_second_round_and_the_gate(session, session_factory, mall, frozen,
                                                                        tmp_path):
    inc, leader, cs, legal, manager = (mall[k] for k in ("incident", "leader", "cs", "legal", "manager"))
    assert inc.scope == "group" and step(session, inc, "written_reply").due_at == inc.opened_at + timedelta(hours=24)
    # Before the reply nothing is scheduled: the gate says what the callbacks wait for.
    items = callback_items(session, inc)
    assert not items["callbacks.scheduled"].ok and "written reply" in items["callbacks.scheduled"].detail

    # 1. Drafted from the incident: each tenant's refund, the measures, the deadline, the contact.
    r = replies.draft(session, actor=cs.actor, incident_id=inc.id)
    c = r.content
    assert [e["name"] for e in c["entitlements"]] == [t.name for t in mall["tenants"]]
    assert {i["amount"] for e in c["entitlements"] for i in e["items"]} == {"120.00"}
    assert r.promises_money and c["addressees"] == ["王芳"] and "客服 孙" in c["contact"]
    assert inc.ref in c["title"] and "停车费" in c["facts"]
    r = replies.update(session, actor=cs.actor, incident_id=inc.id, reply_id=r.id, expected_version=1,
                       data={"facts": c["facts"] + " 经核查，11月起的收费标准未经公示。"})
    session.commit()
    again(session)
    # The leader approves; money is promised, so legal must approve too before it can be issued.
    replies.approve(session, actor=leader.actor, incident_id=inc.id, reply_id=r.id, expected_version=2)
    with pytest.raises(Forbidden):
        replies.approve(session, actor=cs.actor, incident_id=inc.id, reply_id=r.id, as_legal=True)
    with pytest.raises(Conflict):
        replies.issue(session, actor=cs.actor, incident_id=inc.id, reply_id=r.id, org="某某商场管理有限公司")
    replies.approve(session, actor=legal.actor, incident_id=inc.id, reply_id=r.id, as_legal=True)
    assert r.status == "approved"
    session.commit()
    again(session)

    # 2. Issued 20 hours in: the PDF is kept and the reply is recorded as sent to the representative.
    frozen.advance(hours=20)
    r = replies.issue(session, actor=cs.actor, incident_id=inc.id, reply_id=r.id, org="某某商场管理有限公司")
    session.commit()
    issued = events(session, inc.id, "reply.issued")[0].payload
    assert issued["recipients"] == ["王芳"] and issued["late"] is False and r.attachment_id
    path = tmp_path / "reply.pdf"
    path.write_bytes(replies.document(session, inc, r, "某某商场管理有限公司"))
    text = pdftotext(path).replace("\n", "")
    assert "书面答复" in text and "退还11月多收的停车费" in text and "120.00" in text and "王芳" in text

    # The scheduler: the reply meets the 24-hour step; one callback per tenant, due 48 h after the reply.
    result = jobs.run_due(session_factory)
    assert result["completed"] == 1 and result["callbacks_scheduled"] == 5 and result["callbacks_due"] == 0
    session.rollback()  # a new read: the scheduler committed in its own transactions
    reply_step = step(session, inc, "written_reply")
    assert reply_step.status == "done" and reply_step.done_at == r.issued_at
    assert events(session, inc.id, "playbook.step_done")[-1].payload["late"] is False
    rows = list(session.scalars(select(Callback).where(Callback.incident_id == inc.id).order_by(Callback.id)))
    assert len(rows) == 5 and {cb.due_at for cb in rows} == {r.issued_at + timedelta(hours=48)}
    assert queries.summary(session, inc.id)["counts"]["scheduled"] == 5
    items = callback_items(session, inc)
    assert items["callbacks.scheduled"].ok and not items["callbacks.done"].ok

    # 3. 48 hours later they come due: customer service is told, once.
    frozen.advance(hours=48)
    session.rollback()
    assert jobs.run_due(session_factory)["callbacks_due"] == 5
    assert jobs.run_due(session_factory)["callbacks_due"] == 0
    session.rollback()
    due = events(session, inc.id, "callback.due")
    assert len(due) == 1 and due[0].payload["count"] == 5 and due[0].payload["notified"] == [cs.id]
    session.rollback()  # a new read: the scheduler committed in its own transactions
    assert queries.summary(session, inc.id)["counts"]["due"] == 5

    # 4. Four are satisfied; one tenant is not (第二次处理): grade up, a manager asked, a new callback.
    again(session)
    grade_before = inc.grade
    # Managers carry a level: the one of the next grade's level is asked, not the other one.
    wanted = levels.for_grade("FEDCBA"["FEDCBA".index(grade_before) + 1])
    manager.manager_level = wanted
    other = make_user(session, "manager", display_name="总监 钱")
    other.manager_level = "director" if wanted != "director" else "general_manager"
    session.flush()
    for cb, level in zip(rows[:4], ["satisfied", "very_satisfied", "satisfied", "neutral"]):
        callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=cb.id, channel="phone",
                                 reached=True, satisfaction=level)
    unhappy = rows[4]
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=unhappy.id, channel="visit",
                             reached=False)
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=unhappy.id, channel="phone",
                             reached=True, satisfaction="dissatisfied", reasons=["compensation_low"],
                             note="退款只退了一半")
    session.commit()
    session.refresh(inc)
    assert inc.grade != grade_before and "FEDCBA".index(inc.grade) == "FEDCBA".index(grade_before) + 1
    second = events(session, inc.id, "callback.second_round")[0].payload
    assert second["from"] == grade_before and second["to"] == inc.grade and second["notified"] == [manager.id]
    assert second["level"] == wanted == second["asked_level"] and second["asked"] == "level"
    # The round's new deadlines: a second written reply within 24 hours of the second round.
    assert [(s["step"], s["round"]) for s in second["started"]] == [("written_reply", 2)]
    reply2 = step(session, inc, "written_reply")
    assert reply2.round == 2 and reply2.status == "pending" and reply2.due_at == clock.now() + timedelta(hours=24)
    note = session.scalars(select(Notification).where(Notification.user_id == manager.id,
                                                      Notification.kind == "second_round")).one()
    assert note.params["grade"] == inc.grade
    nxt = session.get(Callback, second["new_callback_id"])
    assert nxt.round == 2 and nxt.follows_id == unhappy.id and nxt.due_at == clock.now() + timedelta(hours=48)
    summary = queries.summary(session, inc.id)
    assert summary["distribution"] == {"very_satisfied": 1, "satisfied": 2, "neutral": 1, "dissatisfied": 1,
                                       "very_dissatisfied": 0}
    assert summary["counts"]["done"] == 5 and summary["counts"]["scheduled"] == 1
    assert not callback_items(session, inc)["callbacks.done"].ok

    # The first reply does not meet the new deadline; a second reply, issued 3 hours in, does.
    session.rollback()
    assert jobs.run_due(session_factory)["completed"] == 0
    session.rollback()
    assert step(session, inc, "written_reply").status == "pending"
    frozen.advance(hours=3)
    again(session)
    r2 = issue_reply(session, mall)
    assert jobs.run_due(session_factory)["completed"] == 1
    session.rollback()
    reply2 = step(session, inc, "written_reply")
    assert reply2.round == 2 and reply2.status == "done" and reply2.done_at == r2.issued_at
    assert events(session, inc.id, "playbook.step_done")[-1].payload["late"] is False
    assert events(session, inc.id, "reply.issued")[-1].payload["late"] is False  # judged by the new deadline

    # 5. The second round's callback: satisfied now; the distribution shows their latest answer.
    frozen.advance(hours=46)
    session.rollback()
    jobs.run_due(session_factory)
    again(session)
    callbacks.record_attempt(session, actor=cs.actor, incident_id=inc.id, callback_id=nxt.id, channel="phone",
                             reached=True, satisfaction="satisfied")
    session.commit()
    summary = queries.summary(session, inc.id)
    assert summary["distribution"]["dissatisfied"] == 0 and summary["distribution"]["satisfied"] == 3
    assert summary["satisfied_share"] == "0.80"
    assert all(i.ok for i in callback_items(session, inc).values())
    assert not [i for i in gate.open_items(session, inc) if i.section == "callbacks"]

    # 6. The refunds are paid with their bank receipts, the seats sign off, the archive record is
    # filed: the gate passes and the case closes; the dossier holds the problem type, the durations
    # and the satisfaction.
    biz = make_user(session, "staff", display_name="商务 钱")
    give_seat(session, inc, biz, "business", by=leader)
    tpl = session.scalars(select(DemandTemplate).where(DemandTemplate.incident_id == inc.id)).one()
    demands.offer_template(session, actor=cs.actor, incident_id=inc.id, template_id=tpl.id, data={"amount": "120.00"})
    for it in session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id).order_by(DemandItem.id)):
        demands.decide(session, actor=cs.actor, incident_id=inc.id, item_id=it.id,
                       data={"decision": "accepted", "version": it.version})
        demands.fulfil(session, actor=cs.actor, incident_id=inc.id, item_id=it.id, data={"version": it.version})
    for n, o in enumerate(ledger_queries.obligations(session, inc.id)):
        ledger.record_payment(session, actor=biz.actor, incident_id=inc.id, item_id=o.item_id,
                              data={"amount": "120.00", "paid_on": "2026-11-30", "method": "bank_transfer",
                                    "reference": f"TK{n}"}, proof=(f"回单{n}.png", "image/png", PNG))
    for seat, who in (("customer_service", cs), ("business", biz), ("legal", legal)):
        closing.sign_off(session, actor=who.actor, incident_id=inc.id, seat=seat)
    type_id = session.scalar(select(ProblemType.id).where(ProblemType.name == "停车费争议"))
    closing.save_archive(session, actor=leader.actor, incident_id=inc.id,
                         data={"problem_type_id": type_id, "root_cause": "11月起的收费标准未经公示"})
    session.commit()
    again(session)
    change_status(session, actor=leader.actor, incident_id=inc.id, status="resolved")
    change_status(session, actor=leader.actor, incident_id=inc.id, status="closed")
    session.commit()
    assert inc.status == "closed"
    rec = events(session, inc.id, "archive.recorded")[-1].payload
    path = tmp_path / "dossier.pdf"
    path.write_bytes(dossier.build(session, actor=cs.actor, incident_id=inc.id))
    flat = "".join(pdftotext(path).split())
    assert "停车/收费›停车费争议" in flat and "11月起的收费标准未经公示" in flat
    assert "书面答复已发出2026-11-2606:0020小时" in flat  # the first reply, 20 hours after the opening
    assert "满意度：非常满意1·满意3·一般1·不满意0·非常不满意0" in flat  # each person's latest answer
    assert rec["satisfaction"]["satisfied_share"] == "0.80"
