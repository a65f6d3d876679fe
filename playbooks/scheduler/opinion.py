"""The opinion watch's playbook side (issue 14): the rule in force (the admin's settings with the
public_opinion playbook's cadence and reply step), telling the leader when the rule is met, and
firing each negative post's reply deadline exactly once.

The reply deadline lives in opinion_sources.reply_due_at; the scheduler claims it with a
conditional UPDATE of reply_fired_at (like checklist deadlines and callbacks), in the same
transaction as the timeline event and the inbox messages — never twice, never lost.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incident import timeline
from incident.access.actor import SYSTEM
from incident.db import unit_of_work
from incident.models import Incident
from incident.opinion import service as opinion
from incident.opinion.growth import Rule
from incident.opinion.models import OpinionSource
from playbooks import config, loader
from playbooks.engine import complete_by_events
from playbooks.notify import inbox
from playbooks.scheduler.actions import forget_seats, holders

PLAYBOOK, CADENCE_STEP, REPLY_STEP = "public_opinion", "count_reposts", "reply_negative"


def _(message: str) -> str:
    return message  # a msgid, translated in the recipient's locale at display time


ALERT = _("Opinion alert on %(ref)s: %(title)s is spreading fast; report the trend upward")
REPLY_OVERDUE = _("The reply to a negative post is overdue on %(ref)s: %(title)s")


def rule() -> Rule:
    """The rule in force: settings first, then the playbook (snapshot cadence, reply hours), then 8 h / 30 min."""
    pb = loader.get(PLAYBOOK)
    cadence = pb.step(CADENCE_STEP) if pb else None
    reply = pb.step(REPLY_STEP) if pb else None
    s = dict(config.current().opinion)
    hours = float(s.get("reply_hours") or 0) or (reply.offset.minutes / 60 if reply and reply.offset else 8.0)
    return Rule(metric=str(s.get("metric") or "reposts"), growth_30min=int(s.get("growth_30min", 150)),
                reads_level=int(s.get("reads_level", 100_000)), reply_hours=hours,
                cadence_minutes=cadence.repeat.minutes if cadence and cadence.repeat else 30)


def _alert_hook(session: Session, inc: Incident, src: OpinionSource, alerts: list[dict[str, Any]]) -> dict[str, Any]:
    leaders = holders(session, inc.id, "leader")
    notified = inbox.notify(session, leaders, incident=inc, kind="opinion_alert", message=ALERT,
                            params={"title": src.title, "anchor": f"opinion-{src.id}"})
    return {"notified": notified}


def _snapshot_hook(session: Session, inc: Incident) -> None:
    """A snapshot completes the open round of "count reposts" now (done_by: opinion.snapshot)."""
    complete_by_events(session, inc.id)


def install() -> None:
    if _alert_hook not in opinion.ALERT_HOOKS:
        opinion.ALERT_HOOKS.append(_alert_hook)
    if _snapshot_hook not in opinion.SNAPSHOT_HOOKS:
        opinion.SNAPSHOT_HOOKS.append(_snapshot_hook)


def fire_replies(factory: Callable[[], Session], now: datetime) -> int:
    """Claim every unanswered negative source whose reply is due, once; tell the seat and the leader."""
    with unit_of_work(factory) as s:
        rows = s.scalars(select(OpinionSource).join(Incident, Incident.id == OpinionSource.incident_id).where(
            OpinionSource.negative.is_(True), OpinionSource.replied_at.is_(None),
            OpinionSource.reply_fired_at.is_(None), OpinionSource.reply_due_at <= now,
            Incident.status != "closed").order_by(OpinionSource.reply_due_at).limit(500)).all()
        if not rows:
            return 0
        got = set(s.scalars(update(OpinionSource).where(
            OpinionSource.id.in_([r.id for r in rows]), OpinionSource.reply_fired_at.is_(None),
            OpinionSource.replied_at.is_(None)).values(reply_fired_at=now)
            .returning(OpinionSource.id).execution_options(synchronize_session=False)))
        for src in (r for r in rows if r.id in got):
            inc = s.get(Incident, src.incident_id, with_for_update=True, populate_existing=True)
            users = sorted(set(holders(s, inc.id, "customer_service")) | set(holders(s, inc.id, "leader")))
            notified = inbox.notify(s, users, incident=inc, kind="opinion_reply_overdue", message=REPLY_OVERDUE,
                                    params={"title": src.title, "anchor": f"opinion-{src.id}"})
            timeline.record(s, inc, "opinion.reply_overdue", SYSTEM, {
                "source_id": src.id, "title": src.title, "platform": src.platform,
                "due_at": src.reply_due_at.isoformat() if src.reply_due_at else None, "notified": notified})
        forget_seats(s)
        return len(got)


def next_wake(session: Session) -> datetime | None:
    due = session.scalar(select(func.min(OpinionSource.reply_due_at)).where(
        OpinionSource.negative.is_(True), OpinionSource.replied_at.is_(None), OpinionSource.reply_fired_at.is_(None)))
    return (due if due.tzinfo else due.replace(tzinfo=timezone.utc)) if due else None
