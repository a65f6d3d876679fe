"""The scheduler's one job: claim what is due and not yet fired, act, commit — in batches.

A batch is one transaction: one statement claims up to BATCH due rows (`UPDATE … SET fired_at = now
WHERE id IN (SELECT … due, not fired … LIMIT n [FOR UPDATE SKIP LOCKED]) AND fired_at IS NULL
RETURNING id`), the batch's incidents are locked in id order, every item's actions run with their
INSERTs left to one flush at the end (incident.timeline.batch.deferred_flush: one executemany per table), COMMIT.
The conditional UPDATE lets exactly one claimer through; on PostgreSQL SKIP LOCKED makes two
schedulers take different rows instead of waiting for each other. If the process dies before
COMMIT the claims vanish with the actions, so the deadlines fire after the restart — never twice,
never lost. Restart recovery is just this query. If an action raises, the whole batch rolls back
and is replayed item by item in SAVEPOINTs: the failing item stays due, the others fire.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased, load_only

from incident import clock, timeline
from incident.access.actor import SYSTEM
from incident.db import unit_of_work
from incident.timeline.batch import deferred_flush
from incident.models import Incident
from playbooks import callbacks  # -- callbacks (issue 13)
from playbooks.deadlines import resync
from playbooks.engine import complete_by_events  # -- callbacks (issue 13)
from playbooks.models import ChecklistItem, ItemStatus
from playbooks import followups  # -- ledger and archive (issue 13): payment and improvement deadlines
from playbooks.notify import channels, inbox
from playbooks.scheduler import actions
from playbooks.scheduler import opinion  # -- opinion watch (issue 14): reply deadlines of negative posts

log = logging.getLogger(__name__)
BATCH = 200
PENDING = ItemStatus.PENDING.value


def _columns(kind: str):  # type: ignore[no-untyped-def]
    return ((ChecklistItem.due_at, ChecklistItem.fired_at) if kind == "fired_at"
            else (ChecklistItem.remind_at, ChecklistItem.reminded_at))


def _claim_due(session: Session, kind: str, now: datetime, holder: str, skip: set[int]) -> list[int]:
    """Claim up to BATCH due rows with one statement; RETURNING says which this transaction got."""
    ci = aliased(ChecklistItem)
    column, claimed = getattr(ci, _columns(kind)[0].key), getattr(ci, kind)
    due = (select(ci.id).join(Incident, Incident.id == ci.incident_id)
           .where(ci.status == PENDING, claimed.is_(None), ci.fired_at.is_(None), column.is_not(None), column <= now,
                  # -- archive (issue 13): improvement actions are followed after the close too
                  or_(Incident.status != "closed", ci.playbook.in_(followups.AFTER_CLOSE)))
           .order_by(column, ci.id).limit(BATCH))
    if kind == "reminded_at":  # already due: the overdue action says it, not a late reminder
        due = due.where(ci.due_at > now)
    if skip:
        due = due.where(ci.id.not_in(skip))
    if session.get_bind().dialect.name == "postgresql":
        # two schedulers share, neither waits; as a CTE, evaluated once (an IN (subquery … LIMIT)
        # may be re-scanned by the planner and claim more than the LIMIT)
        picked = due.with_for_update(of=ci, skip_locked=True).cte("due")
        where = ChecklistItem.id == picked.c.id
    else:
        where = ChecklistItem.id.in_(due.scalar_subquery())
    values = {kind: now} | ({"fired_by": holder} if kind == "fired_at" else {})
    return list(session.scalars(update(ChecklistItem).where(
        where, getattr(ChecklistItem, kind).is_(None), ChecklistItem.status == PENDING).values(**values)
        .returning(ChecklistItem.id).execution_options(synchronize_session=False)))


def _claim(session: Session, ids: list[int], claimed_col: str, now: datetime, holder: str) -> list[int]:
    """Claim these rows again (the one-by-one replay of a failed batch)."""
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


def _load(session: Session, kind: str, ids: list[int]) -> tuple[list[ChecklistItem], dict[int, Incident]]:
    """The claimed items in deadline order, and their incidents locked in id order (no deadlock
    between two schedulers); per-batch caches of seats, robots and languages."""
    column = _columns(kind)[0]
    items = list(s for s in session.scalars(select(ChecklistItem).where(ChecklistItem.id.in_(ids))
                                             .order_by(column, ChecklistItem.id)
                                             .execution_options(populate_existing=True)))
    incidents = {i.id: i for i in session.scalars(
        select(Incident).where(Incident.id.in_({i.incident_id for i in items})).order_by(Incident.id)
        .options(load_only(*_INCIDENT_COLUMNS))  # what the actions read; the rest loads if asked
        .with_for_update().execution_options(populate_existing=True))}
    session.info[channels.CACHE], session.info[inbox.LOCALES] = {}, {}
    actions.preload_seats(session, set(incidents))
    return items, incidents


_INCIDENT_COLUMNS = (Incident.id, Incident.ref, Incident.title, Incident.status, Incident.grade,
                     Incident.last_seq, Incident.head_hash, Incident.formed_at)


class _BatchFailed(Exception):
    def __init__(self, ids: list[int]) -> None:
        super().__init__(ids)
        self.ids = ids


def _batch(factory: Callable[[], Session], kind: str, holder: str, now: datetime, skip: set[int]) -> int:
    """Claim and fire one batch in one transaction; how many rows it claimed."""
    act = actions.overdue if kind == "fired_at" else actions.remind
    with unit_of_work(factory) as s:
        got = _claim_due(s, kind, now, holder, skip)
        if not got:
            return 0
        items, incidents = _load(s, kind, got)
        before = {i: inc.head_hash for i, inc in incidents.items()}
        try:
            with deferred_flush(s):
                for item in items:
                    act(s, incidents[item.incident_id], item)
        except Exception as err:
            log.warning("a batch of %s deadlines failed (%s); replaying it item by item", len(got), err)
            raise _BatchFailed(got) from err
        finally:
            actions.forget_seats(s)
        bind, after = s.get_bind(), {i: (before[i], inc.head_hash) for i, inc in incidents.items()}
    callbacks.carry(bind, after)  # committed: our own events make no callback moment
    return len(got)


def _one_by_one(factory: Callable[[], Session], kind: str, holder: str, now: datetime, ids: list[int],
                skip: set[int]) -> int:
    """Replay a failed batch with a SAVEPOINT per item: the failing ones stay due (skip: retried at
    the next pass, not in a loop), the others fire."""
    act = actions.overdue if kind == "fired_at" else actions.remind
    done = 0
    with unit_of_work(factory) as s:
        got = set(_claim(s, ids, kind, now, holder))  # the rest: someone else's meanwhile
        items, incidents = _load(s, kind, list(got))
        for item in items:
            staged = _staged(s)
            try:
                with s.begin_nested():
                    act(s, incidents[item.incident_id], item)
                    done += 1
            except Exception:
                _unstage(s, staged)  # earlier items stay published; the failed one's are gone
                _unclaim(s, item.id, kind)  # not fired: it stays due
                log.exception("firing checklist item %s failed; retried next pass", item.id)
                skip.add(item.id)
        actions.forget_seats(s)
    return done


def _run(factory: Callable[[], Session], kind: str, holder: str, now: datetime) -> int:
    done, skip = 0, set()  # type: ignore[var-annotated]
    while True:
        try:
            claimed = _batch(factory, kind, holder, now, skip)
            done += claimed
        except _BatchFailed as failed:
            claimed = len(failed.ids)
            done += _one_by_one(factory, kind, holder, now, failed.ids, skip)
        if claimed < BATCH:
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


def run_due(factory: Callable[[], Session], holder: str = "inline", now: datetime | None = None,
            housekeeping: bool = True, recheck: float | None = None) -> dict[str, int]:
    """One pass: re-anchor, send reminders, fire overdue items. Safe to run from several processes.

    housekeeping=False: only the firing (a second scheduler sharing the work on PostgreSQL); the
    re-anchoring, the steps done by events and the callbacks stay with the lease holder;
    recheck: see playbooks.callbacks.run (the runner's passes skip unchanged incidents)."""
    completed = anchored = 0
    if housekeeping:
        # -- callbacks (issue 13): steps done by their event first (a reply issued meets its deadline)
        with unit_of_work(factory) as s:
            completed = complete_by_events(s)
        anchored = _record_resync(factory)
    now = now or clock.now()
    reminded = _run(factory, "reminded_at", holder, now)
    fired = _run(factory, "fired_at", holder, now)
    # -- callbacks (issue 13): schedule rounds whose moment came, fire due and overdue callbacks
    return {"anchored": anchored, "reminded": reminded, "fired": fired, "completed": completed,
            **(callbacks.run(factory, now, recheck=recheck) if housekeeping else {}),
            # -- opinion watch (issue 14): reply deadlines of negative posts (its own claim)
            **({"opinion_replies_overdue": opinion.fire_replies(factory, now)} if housekeeping else {})}


def next_wake(factory: Callable[[], Session], after: datetime | None = None) -> datetime | None:
    """The earliest deadline or reminder still to fire (or callback), to wake up exactly then;
    after: only times later than this (a pass that started then has claimed what was due)."""
    firable = or_(Incident.status != "closed", ChecklistItem.playbook.in_(followups.AFTER_CLOSE))
    due_q = (select(func.min(ChecklistItem.due_at)).join(Incident, Incident.id == ChecklistItem.incident_id)
             .where(ChecklistItem.status == PENDING, ChecklistItem.fired_at.is_(None), firable))
    rem_q = (select(func.min(ChecklistItem.remind_at)).join(Incident, Incident.id == ChecklistItem.incident_id)
             .where(ChecklistItem.status == PENDING, ChecklistItem.fired_at.is_(None),
                    ChecklistItem.reminded_at.is_(None), ChecklistItem.due_at > clock.now(), firable))
    if after is not None:
        due_q, rem_q = due_q.where(ChecklistItem.due_at > after), rem_q.where(ChecklistItem.remind_at > after)
    with factory() as s:  # a read: no write lock needed
        due, rem = s.scalar(due_q), s.scalar(rem_q)
        called = callbacks.next_wake(s)  # -- callbacks (issue 13)
        replies = opinion.next_wake(s)  # -- opinion watch (issue 14)
    found = [d if d.tzinfo else d.replace(tzinfo=timezone.utc) for d in (due, rem, called, replies) if d is not None]
    found = [d for d in found if after is None or d > after]
    return min(found) if found else None
