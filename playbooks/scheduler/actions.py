"""What firing does: the reminder before a deadline and the overdue actions (remind, notify, escalate)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import service, timeline
from incident.access.actor import SYSTEM
from incident.enums import Grade, IncidentStatus
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment
from playbooks import config
from playbooks.deadlines import step_of
from playbooks.models import ChecklistItem, ItemKind, ItemStatus
from playbooks.notify import channels, inbox, outbox
from playbooks.notify import messages as M
from playbooks.spec import OverdueAction
from playbooks.views import FORMATION_TITLE

_SEATS = "concord.seat_cache"
# -- ledger and archive (issue 13): deadlines a feature owns (playbooks/followups.py), by pseudo-playbook:
# fn(session, incident, item, "remind" | "overdue") says and does what their firing means.
OWNED: dict[str, Any] = {}


def holders(session: Session, incident_id: int, seat: str) -> list[int]:
    """Users currently on a seat of the incident (read once per incident and batch)."""
    cache = session.info.setdefault(_SEATS, {})
    if incident_id not in cache:
        seats: dict[str, list[int]] = {}
        for s, uid in session.execute(select(SeatAssignment.seat, SeatAssignment.user_id).where(
                SeatAssignment.incident_id == incident_id, SeatAssignment.released_at.is_(None))):
            seats.setdefault(s, []).append(uid)
        cache[incident_id] = seats
    return list(cache[incident_id].get(seat, []))


def preload_seats(session: Session, incident_ids: set[int]) -> None:
    """Read the seats of a batch's incidents with one query (a batch then asks the database nothing per item)."""
    cache = session.info.setdefault(_SEATS, {})
    todo = [i for i in incident_ids if i not in cache]
    for i in todo:
        cache[i] = {}
    if todo:
        for inc_id, s, uid in session.execute(select(SeatAssignment.incident_id, SeatAssignment.seat,
                                                     SeatAssignment.user_id).where(
                SeatAssignment.incident_id.in_(todo), SeatAssignment.released_at.is_(None))):
            cache[inc_id].setdefault(s, []).append(uid)


def forget_seats(session: Session) -> None:
    session.info.pop(_SEATS, None)


def _payload(event: str, inc: Incident, item: ChecklistItem, title: dict[str, str], **extra: Any) -> dict[str, Any]:
    base = config.current().public_url.rstrip("/")
    return {"event": event, "incident": {"id": inc.id, "ref": inc.ref, "title": inc.title, "grade": inc.grade},
            "item": {"id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round,
                     "seat": item.seat, "title": title, "due_at": item.due_at.isoformat() if item.due_at else None},
            "url": f"{base}/incidents/{inc.id}" if base else f"/incidents/{inc.id}", **extra}


def _mail(message: str, params: dict[str, Any]) -> tuple[str, str]:
    text = M.render(message, params, "zh_CN")
    return M.render(M.MAIL_SUBJECT, {"text": text}, "zh_CN"), text + "\n\n" + M.render(message, params, "en")


def remind(session: Session, inc: Incident, item: ChecklistItem) -> None:
    """Tell the seat (or the leader when nobody holds it) that the deadline is near."""
    if item.playbook in OWNED:
        return OWNED[item.playbook](session, inc, item, "remind")
    minutes = max(1, round((item.due_at - item.reminded_at).total_seconds() / 60)) if item.due_at and item.reminded_at else 5
    if item.kind == ItemKind.FORMATION.value:
        users = holders(session, inc.id, "leader")
        message, title = M.FORMATION_REMINDER, FORMATION_TITLE
    else:
        step = step_of(item)
        title = step.title if step else {"en": item.step}
        users = holders(session, inc.id, item.seat) or holders(session, inc.id, "leader")
        message = M.REMINDER
    anchor = f"deadlines-{item.id}"  # -- issue 12: the inbox and the robots link to the exact item
    notified = inbox.notify(session, users, incident=inc, kind="reminder", message=message,
                            params={"step": title, "minutes": minutes, "anchor": anchor})
    channels.enqueue(session, inc, "reminder", message, {"step": title, "minutes": minutes}, anchor)
    timeline.record(session, inc, "playbook.reminder_sent", SYSTEM, {
        "item_id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round, "title": title,
        "due_at": item.due_at.isoformat() if item.due_at else None, "notified": notified})


def overdue(session: Session, inc: Incident, item: ChecklistItem) -> None:
    """Run the step's overdue actions, each recorded; the formation clock records a missed formation."""
    if item.playbook in OWNED:
        return OWNED[item.playbook](session, inc, item, "overdue")
    leaders = holders(session, inc.id, "leader")
    if item.kind == ItemKind.FORMATION.value:
        if inc.formed_at is not None:
            item.status, item.done_at = ItemStatus.DONE.value, inc.formed_at
            return
        notified = inbox.notify(session, leaders, incident=inc, kind="overdue", message=M.FORMATION_MISSED,
                                params={"anchor": f"deadlines-{item.id}"})
        channels.enqueue(session, inc, "formation", M.FORMATION_MISSED, {}, f"deadlines-{item.id}")
        timeline.record(session, inc, "taskgroup.formation_missed", SYSTEM, {
            "item_id": item.id, "due_at": item.due_at.isoformat() if item.due_at else None, "notified": notified})
        outbox.enqueue_event(session, _payload("taskgroup.formation_missed", inc, item, FORMATION_TITLE),
                             *_mail(M.FORMATION_MISSED, {"ref": inc.ref}))
        return
    step = step_of(item)
    title = step.title if step else {"en": item.step}
    actions = list(step.on_overdue) if step else [OverdueAction.NOTIFY_LEADER]
    notified: list[int] = []
    anchor = f"deadlines-{item.id}"
    if OverdueAction.REMIND_SEAT in actions:
        notified += inbox.notify(session, holders(session, inc.id, item.seat) or leaders, incident=inc,
                                 kind="overdue", message=M.OVERDUE, params={"step": title, "anchor": anchor})
    if OverdueAction.NOTIFY_LEADER in actions:
        notified += inbox.notify(session, leaders, incident=inc, kind="overdue", message=M.LEADER_OVERDUE,
                                 params={"step": title, "anchor": anchor})
    channels.enqueue(session, inc, "overdue", M.OVERDUE, {"step": title}, anchor)
    timeline.record(session, inc, "playbook.step_overdue", SYSTEM, {
        "item_id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round, "title": title,
        "seat": item.seat, "due_at": item.due_at.isoformat() if item.due_at else None,
        "actions": [a.value for a in actions], "notified": sorted(set(notified))})
    if OverdueAction.ESCALATE in actions:
        _escalate(session, inc, item, title, leaders)
    if OverdueAction.NOTIFY_LEADER in actions or OverdueAction.ESCALATE in actions:
        outbox.enqueue_event(session, _payload("playbook.step_overdue", inc, item, title,
                                               actions=[a.value for a in actions]),
                             *_mail(M.LEADER_OVERDUE, {"ref": inc.ref, "step": title}))


def _escalate(session: Session, inc: Incident, item: ChecklistItem, title: dict[str, str], leaders: list[int]) -> None:
    reason = f"{title.get('zh_CN', '')} / {title.get('en', item.step)} — overdue ({item.playbook}.{item.step})"
    # Checked here rather than caught: a failed SAVEPOINT would make the timeline bus drop every
    # event staged in this transaction (after_rollback), so escalate() must not be allowed to fail.
    if inc.grade == Grade.A.value or inc.status == IncidentStatus.CLOSED.value:
        return  # already at the top or closed: the overdue event above says what happened
    service.escalate(session, actor=SYSTEM, incident_id=inc.id, reason=reason)
    inbox.notify(session, leaders, incident=inc, kind="escalation", message=M.ESCALATED,
                 params={"step": title, "grade": inc.grade, "anchor": f"deadlines-{item.id}"})
    channels.enqueue(session, inc, "grade", M.ESCALATED, {"step": title, "grade": inc.grade}, f"deadlines-{item.id}")
