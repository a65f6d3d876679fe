"""Opinion-watch use cases: watch a source, record a snapshot (with its screenshot), record the
reply to a negative one. One timeline event per state change; the alert rule runs on each snapshot."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.access.actor import SYSTEM, Actor
from incident.access.permissions import Action
from incident.attachments import files
from incident.enums import Circumstance
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident
from incident.opinion import growth, inputs
from incident.opinion.models import OpinionSnapshot, OpinionSource

# hook(session, incident, source, alerts) -> dict merged into "opinion.alert" (playbooks notifies the
# leader there; the domain does not know the inbox). Features append at import.
ALERT_HOOKS: list[Callable[[Session, Incident, OpinionSource, list[dict[str, Any]]], dict[str, Any] | None]] = []
# hook(session, incident) after a snapshot (playbooks ticks the step "count reposts" there).
SNAPSHOT_HOOKS: list[Callable[[Session, Incident], Any]] = []
SCREENSHOT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")


def get(session: Session, inc: Incident, source_id: Any) -> OpinionSource:
    row = session.get(OpinionSource, source_id) if isinstance(source_id, int) and not isinstance(source_id, bool) else None
    if row is None or row.incident_id != inc.id:
        raise NotFound("no such watched source", field="source_id")
    return row


def add_source(session: Session, *, actor: Actor, incident_id: int, platform: Any, url: Any, title: Any,
               first_seen_at: Any = None, negative: Any = False, rule: growth.Rule = growth.Rule()) -> OpinionSource:
    """Watch a post, video or review; a negative one is due a reply within the rule's hours."""
    inc = service.load_for(session, actor, incident_id, Action.OPINION_RECORD)
    service.ensure_open(inc)
    src = OpinionSource(incident_id=inc.id, platform=inputs.platform(platform), url=inputs.url(url),
                        title=inputs.text(title, "title", 300, required=True),
                        first_seen_at=inputs.moment(first_seen_at, "first_seen_at"),
                        negative=inputs.flag(negative, "negative"), alerts=[], reply_text="", reply_url="",
                        replied_by_name="", created_by_id=actor.user_id, created_by_name=actor.name,
                        created_at=clock.now())
    if src.negative:
        src.reply_due_at = src.first_seen_at + timedelta(hours=rule.reply_hours)
    session.add(src)
    session.flush()
    timeline.record(session, inc, "opinion.source_added", actor, {
        "source_id": src.id, "platform": src.platform, "title": src.title, "url": src.url,
        "first_seen_at": src.first_seen_at.isoformat(), "negative": src.negative,
        "reply_due_at": src.reply_due_at.isoformat() if src.reply_due_at else None})
    return src


def add_snapshot(session: Session, *, actor: Actor, incident_id: int, source_id: Any, data: dict[str, Any],
                 screenshot: tuple[str, str, bytes] | None = None,
                 rule: growth.Rule = growth.Rule()) -> OpinionSnapshot:
    """Record what the platform shows now (reads, reposts, comments, likes), with the screenshot as
    evidence (stored with its hash); the alert rule runs on the new series."""
    inc = service.load_for(session, actor, incident_id, Action.OPINION_RECORD)
    service.ensure_open(inc)
    src = get(session, inc, source_id)
    counts = inputs.counts(data)
    taken = inputs.moment(data.get("taken_at"), "taken_at")
    note = inputs.text(data.get("note"), "note", 1000)
    if screenshot is not None and (screenshot[1] or "").split(";")[0].strip().lower() not in SCREENSHOT_TYPES:
        raise ValidationError("the screenshot must be a photo (JPEG, PNG, WebP or HEIC)", field="screenshot")
    if any(s.taken_at == taken for s in src.snapshots):
        raise Conflict("a snapshot of this source at that time exists already", field="taken_at")
    att = None
    if screenshot is not None:
        name, ctype, blob = screenshot
        att = files.store(session, actor=actor, incident_id=inc.id, filename=name, content_type=ctype,
                          data=blob, purpose="opinion")
    snap = OpinionSnapshot(source_id=src.id, incident_id=inc.id, taken_at=taken, note=note,
                           attachment_id=att.id if att else None, screenshot_sha256=att.sha256 if att else None,
                           recorded_by_id=actor.user_id, recorded_by_name=actor.name, created_at=clock.now(),
                           **counts)
    src.snapshots.append(snap)
    session.flush()
    row = next(r for r in growth.rows(src.snapshots) if r["taken_at"] == taken)
    timeline.record(session, inc, "opinion.snapshot", actor, {
        "source_id": src.id, "snapshot_id": snap.id, "title": src.title, "platform": src.platform,
        "taken_at": taken.isoformat(), **counts, "growth": row["growth"], "minutes": row["minutes"],
        "screenshot_sha256": snap.screenshot_sha256})
    alerts = growth.triggered(src.snapshots, rule, src.alerts or [])
    if alerts:
        alert(session, inc, src, alerts)
    for hook in SNAPSHOT_HOOKS:
        hook(session, inc)
    return snap


def alert(session: Session, inc: Incident, src: OpinionSource, alerts: list[dict[str, Any]]) -> None:
    """The rule was met: one event that tells the leader (hooks) and marks the incident as having a
    story out (媒体已曝光), which triage weighs; a changed grade follows as its own event."""
    src.alerts = sorted(set(src.alerts or []) | {a["kind"] for a in alerts})
    added = Circumstance.MEDIA_STORY.value not in (inc.circumstances or [])
    if added:
        inc.circumstances = [*(inc.circumstances or []), Circumstance.MEDIA_STORY.value]
    payload: dict[str, Any] = {"source_id": src.id, "title": src.title, "platform": src.platform,
                               "alerts": alerts, "circumstance_added": Circumstance.MEDIA_STORY.value if added else None}
    for hook in ALERT_HOOKS:
        payload.update(hook(session, inc, src, alerts) or {})
    timeline.record(session, inc, "opinion.alert", SYSTEM, payload)
    if added:
        service.regrade(session, inc, SYSTEM, "opinion.alert")


def record_reply(session: Session, *, actor: Actor, incident_id: int, source_id: Any, text: Any,
                 url: Any = None) -> OpinionSource:
    """Record the reply posted to a negative post or review (what was said, where, when)."""
    inc = service.load_for(session, actor, incident_id, Action.OPINION_REPLY)
    service.ensure_open(inc)
    src = get(session, inc, source_id)
    if src.replied_at is not None:
        raise Conflict("the reply to this source is recorded already", field="source_id")
    body = inputs.text(text, "text", 2000, required=True)
    link = inputs.url(url) if url not in (None, "") else ""
    now = clock.now()
    src.replied_at, src.reply_text, src.reply_url, src.replied_by_name = now, body, link, actor.name
    on_time = src.reply_due_at is None or now <= src.reply_due_at
    timeline.record(session, inc, "opinion.replied", actor, {
        "source_id": src.id, "title": src.title, "platform": src.platform, "text": body, "url": link,
        "due_at": src.reply_due_at.isoformat() if src.reply_due_at else None, "on_time": on_time})
    return src


def sources(session: Session, incident_id: int) -> list[OpinionSource]:
    return list(session.scalars(select(OpinionSource).where(OpinionSource.incident_id == incident_id)
                                .order_by(OpinionSource.id)))

