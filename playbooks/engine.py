"""Checklist use cases: attach the default playbooks, add or drop one, tick a step with its evidence."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from datetime import timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import SYSTEM, Actor
from incident.access.permissions import Action
from incident.attachments import Attachment
from incident.errors import Conflict, Forbidden, NotFound, ValidationError
from incident.models import Incident
from incident.service import load_for
from incident.timeline.models import Event
from incident.taskgroup.queries import seats_of
from playbooks import loader
from playbooks.deadlines import event_anchor_time, set_due, step_of
from playbooks.models import ChecklistItem, IncidentPlaybook, ItemKind, ItemStatus
from playbooks.selection import default_keys
from playbooks.spec import Evidence, Playbook

CLOCK = "_clock"  # pseudo-playbook of the formation clock
MAX_NOTE = 2000


def _new_items(session: Session, inc: Incident, pb: Playbook, start: datetime | None = None) -> list[ChecklistItem]:
    rounds = dict(session.execute(
        select(ChecklistItem.step, func.max(ChecklistItem.round))
        .where(ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == pb.key)
        .group_by(ChecklistItem.step)).all())
    items = []
    for step in pb.steps:
        item = ChecklistItem(incident_id=inc.id, playbook=pb.key, step=step.id, round=rounds.get(step.id, 0) + 1,
                             kind=ItemKind.STEP.value, seat=step.seat, status=ItemStatus.PENDING.value,
                             anchor=step.anchor, done_by_name="", evidence={})
        if step.offset is not None and step.anchor and not step.anchor_step:
            # A playbook proposed mid-incident counts "from opening" from when its trigger appeared.
            at = start if start and step.anchor == "incident.opened" else event_anchor_time(session, inc, step.anchor)
            if at is not None:
                set_due(item, step, at)
        session.add(item)
        items.append(item)
    session.flush()
    return items


def _attach(session: Session, inc: Incident, pb: Playbook, actor: Actor, start: datetime | None = None) -> int:
    row = session.scalar(select(IncidentPlaybook).where(IncidentPlaybook.incident_id == inc.id,
                                                        IncidentPlaybook.key == pb.key))
    if row is not None and row.dropped_at is None:
        raise Conflict("this playbook is already attached", field="playbook")
    if row is None:
        row = IncidentPlaybook(incident_id=inc.id, key=pb.key, attached_at=clock.now(),
                               attached_by_id=actor.user_id)
        session.add(row)
    row.dropped_at, row.attached_at, row.attached_by_id = None, clock.now(), actor.user_id
    return len(_new_items(session, inc, pb, start))


def attach_default_playbooks(session: Session, inc: Incident, actor: Actor) -> dict[str, Any]:
    """Attach the playbooks the incident's class selects and start the formation clock.

    Called from open_incident (OPEN_HOOKS) before "incident.opened" is recorded; the returned
    dict goes into that event's payload, so opening stays one event.
    """
    keys = default_keys(inc, loader.registry())
    for key in keys:
        _attach(session, inc, loader.registry()[key], actor)
    session.add(ChecklistItem(incident_id=inc.id, playbook=CLOCK, step="formation", round=1,
                              kind=ItemKind.FORMATION.value, seat="leader", status=ItemStatus.PENDING.value,
                              anchor="incident.opened", anchor_at=inc.opened_at, due_at=inc.formation_due_at,
                              remind_at=_formation_reminder(inc), done_by_name="", evidence={}))
    session.flush()
    return {"playbooks": keys}


def _formation_reminder(inc: Incident):  # type: ignore[no-untyped-def]
    from playbooks import config
    lead = inc.formation_due_at - config.current().reminder
    return lead if lead > inc.opened_at else None


def attach(session: Session, *, actor: Actor, incident_id: int, key: str) -> Incident:
    """Add a playbook to an incident (leader), recorded on the timeline."""
    inc = load_for(session, actor, incident_id, Action.PLAYBOOK_MANAGE)
    pb = loader.get(key) if isinstance(key, str) else None
    if pb is None:
        raise ValidationError("unknown playbook", field="playbook")
    steps = _attach(session, inc, pb, actor)
    timeline.record(session, inc, "playbook.attached", actor,
                    {"playbook": pb.key, "title": pb.title, "steps": steps})
    return inc


def drop(session: Session, *, actor: Actor, incident_id: int, key: str) -> Incident:
    """Drop a playbook: its open steps leave the checklist (done ones stay as history)."""
    inc = load_for(session, actor, incident_id, Action.PLAYBOOK_MANAGE)
    row = session.scalar(select(IncidentPlaybook).where(IncidentPlaybook.incident_id == inc.id,
                                                        IncidentPlaybook.key == key,
                                                        IncidentPlaybook.dropped_at.is_(None)))
    if row is None:
        raise NotFound("this playbook is not attached", field="playbook")
    row.dropped_at = clock.now()
    open_items = session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == key,
        ChecklistItem.status == ItemStatus.PENDING.value)).all()
    for item in open_items:
        item.status = ItemStatus.DROPPED.value
    pb = loader.get(key)
    timeline.record(session, inc, "playbook.dropped", actor,
                    {"playbook": key, "title": pb.title if pb else {}, "open_steps": len(open_items)})
    return inc


def _check_evidence(session: Session, inc: Incident, needed: tuple[Evidence, ...], note: Any,
                    attachment_id: Any) -> tuple[str, int | None]:
    if note is not None and not isinstance(note, str):
        raise ValidationError("note must be text", field="note")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(f"note is longer than {MAX_NOTE} characters", field="note")
    if Evidence.NOTE in needed and not note:
        raise ValidationError("this step needs a note as evidence", field="note")
    if attachment_id is not None:
        if not isinstance(attachment_id, int) or isinstance(attachment_id, bool):
            raise ValidationError("attachment_id must be an integer", field="attachment_id")
        att = session.get(Attachment, attachment_id)
        if att is None or att.incident_id != inc.id:
            raise ValidationError("no such attachment on this incident", field="attachment_id")
    elif Evidence.ATTACHMENT in needed:
        raise ValidationError("this step needs an attachment as evidence", field="attachment_id")
    return note, attachment_id


def tick(session: Session, *, actor: Actor, incident_id: int, item_id: Any, note: Any = None,
         attachment_id: Any = None) -> ChecklistItem:
    """Mark a step done with its evidence; starts the deadlines anchored on it and the next round."""
    inc = load_for(session, actor, incident_id, Action.STEP_TICK)
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise NotFound("no such checklist item", field="item_id")
    item = session.get(ChecklistItem, item_id, with_for_update=True)
    if item is None or item.incident_id != inc.id:
        raise NotFound("no such checklist item", field="item_id")
    if item.kind != ItemKind.STEP.value:
        raise Conflict("the formation clock stops when the task group is formed", field="item_id")
    if item.status != ItemStatus.PENDING.value:
        raise Conflict("this step is not open", field="item_id")
    seats = seats_of(session, inc.id, actor.user_id)
    if not actor.is_system and actor.role not in ("admin", "manager") and not seats & {item.seat, "leader"}:
        raise Forbidden("only the step's seat or the leader may tick it", action=Action.STEP_TICK.value)
    step = step_of(item)
    if step is None:
        raise Conflict("the playbook of this step is no longer available", field="item_id")
    missing = [d for d in step.depends_on if not session.scalar(select(ChecklistItem.id).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == item.playbook,
        ChecklistItem.step == d, ChecklistItem.status == ItemStatus.DONE.value).limit(1))]
    if missing:
        raise Conflict("steps it depends on are not done: " + ", ".join(missing), field="depends_on",
                       missing=missing)
    note, attachment_id = _check_evidence(session, inc, step.evidence, note, attachment_id)
    now = clock.now()
    item.status, item.done_at = ItemStatus.DONE.value, now
    item.done_by_id, item.done_by_name = actor.user_id, actor.name
    item.evidence = {"note": note, "attachment_id": attachment_id}
    started = _start_followers(session, inc, item, step.repeat is not None)
    timeline.record(session, inc, "playbook.step_done", actor, {
        "item_id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round,
        "title": step.title, "note": note, "attachment_id": attachment_id,
        "late": bool(item.due_at and now > item.due_at), "started": started})
    return item


def _start_followers(session: Session, inc: Incident, item: ChecklistItem, recurring: bool) -> list[dict[str, Any]]:
    """Deadlines anchored on this step start now; a recurring step opens its next round."""
    started = []
    followers = list(session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == item.playbook,
        ChecklistItem.status == ItemStatus.PENDING.value, ChecklistItem.anchor == f"step:{item.step}")))
    if recurring:
        nxt = ChecklistItem(incident_id=inc.id, playbook=item.playbook, step=item.step, round=item.round + 1,
                            kind=ItemKind.STEP.value, seat=item.seat, status=ItemStatus.PENDING.value,
                            anchor=f"round:{item.step}", done_by_name="", evidence={})
        session.add(nxt)
        followers.append(nxt)
    for f in followers:
        step = step_of(f)
        if step is None or (step.offset is None and f.anchor and not f.anchor.startswith("round:")):
            continue
        offset = step.repeat if f.anchor and f.anchor.startswith("round:") else step.offset
        if offset is None:
            continue
        set_due(f, replace(step, offset=offset), item.done_at)
        session.flush()
        started.append({"item_id": f.id, "step": f.step, "round": f.round, "due_at": f.due_at.isoformat()})
    return started


# -- callbacks (issue 13): steps completed by an event (`done_by: reply.issued`)
def complete_by_events(session: Session, incident_id: int | None = None) -> int:
    """Mark done every pending step whose `done_by` event has happened on its incident, at that
    event's time (so lateness is judged by when it happened, not by when the scheduler noticed);
    incident_id: only that incident's (right after the event, instead of at the next pass)."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for pb in loader.registry().values():
        for s in pb.steps:
            if s.done_by:
                wanted.setdefault(s.done_by, []).append((pb.key, s.id))
    if not wanted:
        return 0
    latest = (select(Event.incident_id, Event.type, func.max(Event.at).label("at"))
              .where(Event.type.in_(list(wanted)), *([Event.incident_id == incident_id] if incident_id else []))
              .group_by(Event.incident_id, Event.type).subquery())
    rows = session.execute(select(ChecklistItem, latest.c.type, latest.c.at)
                           .join(latest, latest.c.incident_id == ChecklistItem.incident_id)
                           .join(Incident, Incident.id == ChecklistItem.incident_id)
                           .where(ChecklistItem.status == ItemStatus.PENDING.value,
                                  ChecklistItem.kind == ItemKind.STEP.value, Incident.status != "closed")).all()
    done = 0
    for item, type_, at in rows:
        if (item.playbook, item.step) not in wanted.get(type_, []):
            continue
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        if item.anchor_at is not None and at < item.anchor_at:
            continue  # that event belongs to an earlier round (a second round asks for a new one)
        if _too_soon_for_round(item, at):
            continue
        inc = session.get(Incident, item.incident_id, with_for_update=True, populate_existing=True)
        item = session.get(ChecklistItem, item.id, with_for_update=True, populate_existing=True)
        if item is None or item.status != ItemStatus.PENDING.value:
            continue
        step = step_of(item)
        item.status, item.done_at, item.done_by_name = ItemStatus.DONE.value, at, "system"
        ev = session.scalars(select(Event).where(Event.incident_id == inc.id, Event.type == type_)
                             .order_by(Event.seq.desc()).limit(1)).first()
        att = ev.payload.get("attachment_id") if ev is not None and isinstance(ev.payload, dict) else None
        item.evidence = {"note": "", "attachment_id": att, "event": type_}
        started = _start_followers(session, inc, item, bool(step and step.repeat))
        timeline.record(session, inc, "playbook.step_done", SYSTEM, {
            "item_id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round,
            "title": step.title if step else {"en": item.step}, "note": "", "attachment_id": att,
            "late": bool(item.due_at and at > item.due_at), "started": started, "done_by": type_})
        done += 1
    return done


def _too_soon_for_round(item: ChecklistItem, at: datetime) -> bool:
    """A recurring step's next round opens at the event that completed the last one: an event before
    half its cadence has passed (that same event, or a second count a minute later) does not tick it."""
    step = step_of(item) if (item.anchor or "").startswith("round:") else None
    if step is None or step.repeat is None or item.anchor_at is None:
        return False
    return at < item.anchor_at + timedelta(minutes=step.repeat.minutes / 2)


# -- callbacks (issue 13): a second round (二次处理) starts the deadlines marked `second_round: true`
SECOND_ROUND = "callback.second_round"


def restart_for_second_round(session: Session, inc: Incident, at: datetime) -> list[dict[str, Any]]:
    """Open a new round of every `second_round` step of the attached playbooks, due from *at*.

    A step whose latest round is still pending keeps it (when it waits for an earlier second round,
    the scheduler's resync moves it to this one); each new item fires once, like any deadline."""
    started = []
    keys = session.scalars(select(IncidentPlaybook.key).where(IncidentPlaybook.incident_id == inc.id,
                                                              IncidentPlaybook.dropped_at.is_(None)))
    for key in sorted(keys):
        pb = loader.get(key)
        for step in (s for s in (pb.steps if pb else ()) if s.second_round and s.offset is not None):
            last = session.scalars(select(ChecklistItem).where(
                ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == key, ChecklistItem.step == step.id)
                .order_by(ChecklistItem.round.desc()).limit(1)).first()
            if last is not None and last.status == ItemStatus.PENDING.value:
                continue
            item = ChecklistItem(incident_id=inc.id, playbook=key, step=step.id, round=(last.round if last else 0) + 1,
                                 kind=ItemKind.STEP.value, seat=step.seat, status=ItemStatus.PENDING.value,
                                 anchor=SECOND_ROUND, done_by_name="", evidence={})
            set_due(item, step, at)
            session.add(item)
            session.flush()
            started.append({"item_id": item.id, "playbook": key, "step": step.id, "round": item.round,
                            "title": step.title, "due_at": item.due_at.isoformat()})
    return started
