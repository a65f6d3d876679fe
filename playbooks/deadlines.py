"""Absolute deadlines of checklist items: computed from their anchor, recomputed when it happens again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import logging
from typing import Any, Callable

from sqlalchemy import and_, event as sa_event, func, inspect, or_, select
from sqlalchemy.orm import Session, object_session

from incident.models import Incident
from incident.timeline.models import Event
from playbooks import config, loader
from playbooks.models import ChecklistItem, ItemKind, ItemStatus
from playbooks.spec import Step
from playbooks.timing import due_after

log = logging.getLogger(__name__)
SAME = timedelta(seconds=1)
ONCE = ("incident.opened",)  # anchors that cannot happen again


def set_due(item: ChecklistItem, step: Step, anchor_at: datetime) -> None:
    """Give the item its absolute deadline and reminder time; a new deadline fires anew."""
    cfg = config.current()
    assert step.offset is not None
    due = due_after(anchor_at, step.offset, cfg.hours if step.business_hours else None)
    item.anchor_at, item.due_at = anchor_at, due
    lead = due - cfg.reminder
    item.remind_at = lead if lead > anchor_at else None  # no reminder for deadlines shorter than the lead
    item.fired_at = item.reminded_at = item.fired_by = None


def event_anchor_time(session: Session, inc: Incident, anchor: str) -> datetime | None:
    """When the anchor event last happened on this incident (None: not yet)."""
    if anchor == "incident.opened":
        return inc.opened_at  # also while the opening event itself is being written
    if anchor == "taskgroup.formed" and inc.formed_at is not None:
        return inc.formed_at
    return session.scalar(select(func.max(Event.at)).where(Event.incident_id == inc.id,
                                                           Event.type == anchor))


def step_of(item: ChecklistItem) -> Step | None:
    pb = loader.get(item.playbook)
    return pb.step(item.step) if pb else None


def resync(session: Session, now: datetime) -> dict[int, list[ChecklistItem]]:
    """Re-anchor pending items whose anchor event happened (again) since; close met formation clocks.

    Runs in the scheduler, so anchors recorded by any process (agreement signed, group formed)
    are picked up without those features knowing about playbooks. Returns changed items by incident.
    """
    changed: dict[int, list[ChecklistItem]] = {}
    latest = (select(Event.incident_id, Event.type, func.max(Event.at).label("at"))
              .where(Event.type.in_(select(ChecklistItem.anchor).where(
                  ChecklistItem.status == ItemStatus.PENDING.value, ChecklistItem.kind == ItemKind.STEP.value,
                  ChecklistItem.anchor.not_like("step:%"), ChecklistItem.anchor.not_like("round:%"),
                  ChecklistItem.anchor.not_in(ONCE)).distinct()))
              .group_by(Event.incident_id, Event.type).subquery())
    rows = session.execute(
        select(ChecklistItem, latest.c.at)
        .join(latest, and_(latest.c.incident_id == ChecklistItem.incident_id,
                           latest.c.type == ChecklistItem.anchor))
        .where(ChecklistItem.status == ItemStatus.PENDING.value, ChecklistItem.kind == ItemKind.STEP.value,
               or_(ChecklistItem.anchor_at.is_(None), latest.c.at > ChecklistItem.anchor_at))
        .with_for_update(of=ChecklistItem)).all()
    for item, at in rows:
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        step = step_of(item)
        # The same happening seen twice (formed_at vs its event's time) differs by microseconds.
        if step is None or step.offset is None or (item.anchor_at and at - item.anchor_at < SAME):
            continue
        set_due(item, step, at)
        changed.setdefault(item.incident_id, []).append(item)
    met = session.execute(
        select(ChecklistItem, Incident.formed_at).join(Incident, Incident.id == ChecklistItem.incident_id)
        .where(ChecklistItem.kind == ItemKind.FORMATION.value,
               ChecklistItem.status == ItemStatus.PENDING.value, Incident.formed_at.is_not(None))).all()
    for item, formed_at in met:
        item.status, item.done_at = ItemStatus.DONE.value, formed_at
    session.flush()
    return changed


# -- deadlines at burst (issue 16): a committed new or changed deadline wakes this process's
# scheduler at once instead of at its next poll. fn() must be cheap (it sets an Event).
WAKERS: list[Callable[[], None]] = []
_CHANGED = "concord.deadline_changed"


def _mark(_mapper: Any, _conn: Any, item: ChecklistItem) -> None:
    if not WAKERS:
        return
    state = inspect(item)
    if state.attrs.due_at.history.has_changes() or state.attrs.remind_at.history.has_changes() \
            or state.attrs.fired_at.history.has_changes():
        session = object_session(item)
        if session is not None:
            session.info[_CHANGED] = True


sa_event.listen(ChecklistItem, "after_insert", _mark)
sa_event.listen(ChecklistItem, "after_update", _mark)


@sa_event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    for fn in list(WAKERS):
        try:
            fn()
        except Exception:  # a waker must never undo a committed change
            log.exception("deadline waker failed")


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_CHANGED, None)
