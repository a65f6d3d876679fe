"""The scheduler's one job: read what is due and not yet fired, claim each row, act, commit.

Claim and actions share one transaction per batch (a SAVEPOINT per item): the conditional UPDATE
`… SET fired_at = now WHERE id = ? AND fired_at IS NULL` lets exactly one claimer through, and
if the process dies before COMMIT the claim vanishes with the actions, so the deadline fires
after the restart — never twice, never lost. Restart recovery is just this query.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import SYSTEM
from incident.db import unit_of_work
from incident.models import Incident
from playbooks import callbacks  # -- callbacks (issue 13)
from playbooks.deadlines import resync
from playbooks.engine import complete_by_events  # -- callbacks (issue 13)
from playbooks.models import ChecklistItem, ItemStatus
from playbooks import followups  # -- ledger and archive (issue 13): payment and improvement deadlines
from playbooks.scheduler import actions
from playbooks.scheduler import opinion  # -- opinion watch (issue 14): reply deadlines of negative posts

log = logging.getLogger(__name__)
BATCH = 200
PENDING = ItemStatus.PENDING.value


def _due_ids(session: Session, column, claimed, now: datetime, skip: set[int]) -> list[int]:  # type: ignore[no-untyped-def]
    stmt = (select(ChecklistItem.id).join(Incident, Incident.id == ChecklistItem.incident_id)
            .where(ChecklistItem.status == PENDING, claimed.is_(None), ChecklistItem.fired_at.is_(None),
                   column.is_not(None), column <= now,
                   # -- archive (issue 13): improvement actions are followed after the close too
                   or_(Incident.status != "closed", ChecklistItem.playbook.in_(followups.AFTER_CLOSE)))
            .order_by(column).limit(BATCH))
    if column is ChecklistItem.remind_at:  # already due: the overdue action says it, not a late reminder
        stmt = stmt.where(ChecklistItem.due_at > now)
    if skip:
        stmt = stmt.where(ChecklistItem.id.not_in(skip))
    return list(session.scalars(stmt))


def _claim(session: Session, ids: list[int], claimed_col: str, now: datetime, holder: str) -> list[int]:
    """Claim a batch with one conditional UPDATE; RETURNING says which rows this transaction got."""
    values = {claimed_col: now} | ({"fired_by": holder} if claimed_col == "fired_at" else {})
    col = getattr(ChecklistItem, claimed_col)
    return list(session.scalars(update(ChecklistItem).where(
        ChecklistItem.id.in_(ids), col.is_(None), ChecklistItem.status == PENDING).values(**values)
        .returning(ChecklistItem.id).execution_options(synchronize_session=False)))


def _unclaim(session: Session, item_id: int, claimed_col: str) -> None:
    session.execute(update(ChecklistItem).where(ChecklistItem.id == item_id)
                    .values({claimed_col: None}).execution_options(synchronize_session=False))


_STAGE_KEYS = ("concord.pending_events", "concord.pending_toasts")  # timeline bus, live toasts


def _staged(session: Session) -> dict[str, list]:  # type: ignore[type-arg]
    return {k: list(session.info.get(k, [])) for k in _STAGE_KEYS}


def _unstage(session: Session, staged: dict[str, list]) -> None:  # type: ignore[type-arg]
    """Put back what was staged before the failed item: a SAVEPOINT rollback fires after_rollback,
    which makes the bus (and the toasts) drop everything staged in the session so far."""
    for k, items in staged.items():
        session.info[k] = items


def _run(factory: Callable[[], Session], kind: str, holder: str, now: datetime) -> int:
    column, claimed = ((ChecklistItem.due_at, ChecklistItem.fired_at) if kind == "fired_at"
                       else (ChecklistItem.remind_at, ChecklistItem.reminded_at))
    act = actions.overdue if kind == "fired_at" else actions.remind
    done, skip = 0, set()  # skip: items whose action raised, retried at the next tick, not in a loop
    while True:
        with unit_of_work(factory) as s:
            ids = _due_ids(s, column, claimed, now, skip)
            got = set(_claim(s, ids, kind, now, holder)) if ids else set()  # the rest: someone else's
            items = {i.id: i for i in s.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(got))
                                                 .execution_options(populate_existing=True))}
            incidents: dict[int, Incident] = {}
            for item_id in (i for i in ids if i in got):
                item = items[item_id]
                staged = _staged(s)
                try:
                    with s.begin_nested():
                        inc = incidents.get(item.incident_id)
                        if inc is None:
                            inc = incidents[item.incident_id] = s.get(
                                Incident, item.incident_id, with_for_update=True, populate_existing=True)
                        act(s, inc, item)
                        done += 1
                except Exception:
                    _unstage(s, staged)  # earlier items stay published; the failed one's are gone
                    _unclaim(s, item_id, kind)  # not fired: it stays due
                    log.exception("firing checklist item %s failed; retried next tick", item_id)
                    skip.add(item_id)
            actions.forget_seats(s)
        if len(ids) < BATCH:
            return done


def _record_resync(factory: Callable[[], Session]) -> int:
    with unit_of_work(factory) as s:
        followups.sync(s, clock.now())  # -- ledger and archive (issue 13)
        changed = resync(s, clock.now())
        for incident_id, items in changed.items():
            inc = s.get(Incident, incident_id, with_for_update=True, populate_existing=True)
            timeline.record(s, inc, "playbook.deadlines_set", SYSTEM, {"items": [
                {"item_id": i.id, "playbook": i.playbook, "step": i.step, "anchor": i.anchor,
                 "due_at": i.due_at.isoformat() if i.due_at else None} for i in items]})
        return sum(len(v) for v in changed.values())


def run_due(factory: Callable[[], Session], holder: str = "inline", now: datetime | None = None) -> dict[str, int]:
    """One pass: re-anchor, send reminders, fire overdue items. Safe to run from several processes."""
    # -- callbacks (issue 13): steps done by their event first (a reply issued meets its deadline)
    with unit_of_work(factory) as s:
        completed = complete_by_events(s)
    anchored = _record_resync(factory)
    now = now or clock.now()
    reminded = _run(factory, "reminded_at", holder, now)
    fired = _run(factory, "fired_at", holder, now)
    # -- callbacks (issue 13): schedule rounds whose moment came, fire due and overdue callbacks
    return {"anchored": anchored, "reminded": reminded, "fired": fired, "completed": completed,
            **callbacks.run(factory, now), "opinion_replies_overdue": opinion.fire_replies(factory, now)}


def next_wake(factory: Callable[[], Session]) -> datetime | None:
    """The earliest pending deadline or reminder, to wake up exactly then."""
    with factory() as s:  # a read: no write lock needed
        due = s.scalar(select(func.min(ChecklistItem.due_at)).where(
            ChecklistItem.status == PENDING, ChecklistItem.fired_at.is_(None)))
        rem = s.scalar(select(func.min(ChecklistItem.remind_at)).where(
            ChecklistItem.status == PENDING, ChecklistItem.fired_at.is_(None), ChecklistItem.reminded_at.is_(None)))
        called = callbacks.next_wake(s)  # -- callbacks (issue 13)
        replies = opinion.next_wake(s)  # -- opinion watch (issue 14)
    found = [d for d in (due, rem, called, replies) if d is not None]
    if not found:
        return None
    from datetime import timezone
    return min(d if d.tzinfo else d.replace(tzinfo=timezone.utc) for d in found)
