"""The read side: every watched source with its snapshots, growth per interval, the reply deadline
and when the next snapshot is due (the playbook's cadence after the last one)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from incident import clock
from incident.opinion import growth
from incident.opinion.models import OpinionSource
from incident.opinion.platforms import METRICS
from incident.opinion.service import sources


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def reply_state(src: OpinionSource, now: datetime) -> str | None:
    if not src.negative:
        return None
    if src.replied_at is not None:
        return "replied" if src.reply_due_at is None or src.replied_at <= src.reply_due_at else "replied_late"
    return "overdue" if src.reply_due_at is not None and now > src.reply_due_at else "open"


def source_dict(src: OpinionSource, rule: growth.Rule, now: datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    by_time = {s.taken_at: s for s in src.snapshots}
    rows = []
    for r in growth.rows(src.snapshots):
        s = by_time[r["taken_at"]]
        rows.append({"id": s.id, "taken_at": s.taken_at.isoformat(), **{m: r[m] for m in METRICS},
                     "growth": r["growth"], "minutes": r["minutes"], "note": s.note,
                     "attachment_id": s.attachment_id, "screenshot_sha256": s.screenshot_sha256,
                     "recorded_by": s.recorded_by_name})
    last = src.snapshots[-1].taken_at if src.snapshots else None
    due = (last or src.first_seen_at) + timedelta(minutes=rule.cadence_minutes)
    return {"id": src.id, "platform": src.platform, "url": src.url, "title": src.title,
            "first_seen_at": src.first_seen_at.isoformat(), "negative": src.negative,
            "reply_due_at": _iso(src.reply_due_at), "reply_state": reply_state(src, now),
            "replied_at": _iso(src.replied_at), "reply_text": src.reply_text, "reply_url": src.reply_url,
            "replied_by": src.replied_by_name, "alerts": list(src.alerts or []),
            "rate_30min": growth.rate_30min(src.snapshots, rule.metric),
            "next_snapshot_due_at": due.isoformat(), "snapshot_overdue": now > due,
            "snapshots": rows}


def watch(session: Session, incident_id: int, rule: growth.Rule) -> dict[str, Any]:
    """The whole watch of an incident, newest source last, with the rule in force."""
    now = clock.now()
    items = [source_dict(s, rule, now) for s in sources(session, incident_id)]
    dues = [i["next_snapshot_due_at"] for i in items]
    return {"rule": rule.to_dict(), "sources": items, "next_snapshot_due_at": min(dues) if dues else None,
            "negative_open": sum(1 for i in items if i["reply_state"] in ("open", "overdue"))}
