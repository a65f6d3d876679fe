"""Deadlines other features own, kept as checklist items so the one scheduler fires them:

- "_ledger": each agreed payment's performance deadline (the demand item's deadline, which the
  agreement prints) until it is paid or waived; a reminder the day before goes to the business seat,
  and when it is overdue the leader is told and the incident is escalated one grade.
- "_improvement": each improvement action of the archive record until it is done or dropped,
  followed after the close too (the scheduler fires these on closed incidents).

`sync` runs at the start of every scheduler pass (restart recovery is this query again); the title
of each item is kept in its evidence, in both languages, for the deadlines list.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import service, timeline
from incident.access.actor import SYSTEM
from incident.closing.models import ImprovementAction
from incident.crowd.demands.models import DemandItem
from incident.crowd.demands.queries import AGREED
from incident.enums import Grade
from incident.ledger.queries import obligations
from incident.models import Incident
from playbooks.models import ChecklistItem, ItemStatus
from playbooks.notify import inbox
from playbooks.scheduler import actions

LEDGER, IMPROVEMENT = "_ledger", "_improvement"
AFTER_CLOSE = (IMPROVEMENT,)
PAYMENT_LEAD = timedelta(days=1)
KIND_WORDS = {"compensation": ("补偿", "compensation"), "indemnity": ("赔偿", "indemnity"), "other": ("款项", "payment")}


def _(message: str) -> str:
    return message


PAYMENT_DUE = _("Payment due soon: %(step)s (%(ref)s)")
PAYMENT_OVERDUE = _("Payment overdue, the incident was escalated: %(step)s (%(ref)s)")
IMPROVEMENT_OVERDUE = _("Improvement action overdue: %(step)s (%(ref)s)")


def _existing(session: Session, playbook: str) -> dict[tuple[int, str], ChecklistItem]:
    return {(i.incident_id, i.step): i for i in session.scalars(select(ChecklistItem).where(
        ChecklistItem.playbook == playbook))}


def _ensure(session: Session, have: dict[tuple[int, str], ChecklistItem], incident_id: int, playbook: str,
            step: str, seat: str, due: datetime, remind: datetime | None, title: dict[str, str],
            ref: dict[str, Any]) -> None:
    item = have.get((incident_id, step))
    if item is None:
        session.add(ChecklistItem(incident_id=incident_id, playbook=playbook, step=step, round=1, kind="step",
                                  seat=seat, status=ItemStatus.PENDING.value, due_at=due, remind_at=remind,
                                  evidence={"title": title, **ref}))
    elif item.status == ItemStatus.PENDING.value and item.due_at != due:
        item.due_at, item.remind_at, item.fired_at, item.reminded_at = due, remind, None, None


def _finish(have: dict[tuple[int, str], ChecklistItem], key: tuple[int, str], at: datetime) -> None:
    item = have.get(key)
    if item is not None and item.status == ItemStatus.PENDING.value:
        item.status, item.done_at = ItemStatus.DONE.value, at


def sync(session: Session, now: datetime) -> None:
    """Create, move or finish the payment and improvement deadlines from what the features hold."""
    have = _existing(session, LEDGER)
    open_ids = set(session.scalars(select(DemandItem.incident_id).join(Incident, Incident.id == DemandItem.incident_id)
                                   .where(DemandItem.status.in_(AGREED), DemandItem.deadline.is_not(None),
                                          Incident.status != "closed").distinct()))
    for incident_id in sorted(open_ids | {k[0] for k, i in have.items() if i.status == ItemStatus.PENDING.value}):
        for o in obligations(session, incident_id):
            step = f"pay-{o.item_id}"
            if o.settled or o.deadline is None:
                _finish(have, (incident_id, step), now)
                continue
            zh, en = KIND_WORDS[o.kind]
            title = {"zh_CN": f"付款（{zh}）：{o.claimant_name} ¥{o.outstanding:,.2f}",
                     "en": f"Payment ({en}): {o.claimant_name} ¥{o.outstanding:,.2f}"}
            lead = o.deadline - PAYMENT_LEAD
            _ensure(session, have, incident_id, LEDGER, step, "business", o.deadline, lead if lead > now else None,
                    title, {"item_id": o.item_id, "claimant": o.claimant_name, "kind": o.kind,
                            "outstanding": f"{o.outstanding:.2f}"})
    have = _existing(session, IMPROVEMENT)
    for a in session.scalars(select(ImprovementAction)):
        step = f"action-{a.id}"
        if a.status != "open":
            _finish(have, (a.incident_id, step), a.done_at or now)
            continue
        title = {"zh_CN": f"改进措施：{a.title}（{a.owner}）", "en": f"Improvement: {a.title} ({a.owner})"}
        _ensure(session, have, a.incident_id, IMPROVEMENT, step, "leader", a.due_at, None, title,
                {"action_id": a.id, "owner": a.owner})
    session.flush()


def _payment(session: Session, inc: Incident, item: ChecklistItem, kind: str) -> None:
    ev = item.evidence or {}
    title = ev.get("title") or {"en": item.step}
    business = actions.holders(session, inc.id, "business")
    leaders = actions.holders(session, inc.id, "leader")
    if kind == "remind":
        notified = inbox.notify(session, business or leaders, incident=inc, kind="reminder", message=PAYMENT_DUE,
                                params={"step": title})
        timeline.record(session, inc, "playbook.reminder_sent", SYSTEM, {
            "item_id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round, "title": title,
            "due_at": item.due_at.isoformat() if item.due_at else None, "notified": notified})
        return
    notified = inbox.notify(session, set(business) | set(leaders), incident=inc, kind="overdue",
                            message=PAYMENT_OVERDUE, params={"step": title})
    timeline.record(session, inc, "ledger.payment_overdue", SYSTEM, {
        "item_id": ev.get("item_id"), "claimant": ev.get("claimant"), "kind": ev.get("kind"),
        "outstanding": ev.get("outstanding"), "due_at": item.due_at.isoformat() if item.due_at else None,
        "notified": notified})
    if inc.grade != Grade.A.value:
        service.escalate(session, actor=SYSTEM, incident_id=inc.id,
                         reason=f"{title.get('zh_CN', '')} / {title.get('en', '')} — overdue")


def _improvement(session: Session, inc: Incident, item: ChecklistItem, kind: str) -> None:
    if kind == "remind":
        return
    ev = item.evidence or {}
    title = ev.get("title") or {"en": item.step}
    notified = inbox.notify(session, actions.holders(session, inc.id, "leader"), incident=inc, kind="overdue",
                            message=IMPROVEMENT_OVERDUE, params={"step": title})
    row = session.get(ImprovementAction, ev.get("action_id"))
    timeline.record(session, inc, "archive.improvement_overdue", SYSTEM, {
        "action_id": ev.get("action_id"), "title": row.title if row else "", "owner": ev.get("owner"),
        "status": row.status if row else "open", "due_at": item.due_at.isoformat() if item.due_at else None,
        "notified": notified})


actions.OWNED.update({LEDGER: _payment, IMPROVEMENT: _improvement})
