"""Callbacks as playbook data: `callbacks:` declarations (who, counted from which moment, how long
after, how many attempts), and the scheduler's part — schedule a round once its moment happened,
fire "due" and "overdue" exactly once, ask a manager of the right level to lead a second round and
start its new deadlines.

    callbacks:
      - {after: reply_issued, in: +48h, per: claimant, attempts: 3, window: +24h}
"""
from __future__ import annotations

import time
import weakref
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import SYSTEM
from incident.accounts import levels
from incident.callbacks import gate as callback_gate
from incident.callbacks import service as callbacks
from incident.callbacks.anchors import anchor_time
from incident.callbacks.models import Callback
from incident.callbacks.queries import overdue_at
from incident.callbacks.scale import CallbackStatus
from incident.db import unit_of_work
from incident.models import Incident
from playbooks import engine, loader
from playbooks.models import IncidentPlaybook
from playbooks.notify import inbox
from playbooks.scheduler.actions import forget_seats, holders


def _(message: str) -> str:
    return message  # a msgid, translated in the recipient's locale at display time


DUE = _("Callbacks are due: %(n)s people to call back (%(ref)s)")
OVERDUE = _("Callbacks are overdue: %(n)s people not yet called back (%(ref)s)")
SECOND_ROUND = _("Second round on %(ref)s: someone is still unhappy. The grade is now %(grade)s; "
                 "please take the leader seat")
SECOND_ROUND_AT_TOP = _("Second round on %(ref)s: someone is still unhappy. The grade stays %(grade)s, the "
                        "highest; please take the leader seat")


def _attached(session: Session, inc: Incident) -> list[tuple[str, int, CallbackSpec]]:
    keys = session.scalars(select(IncidentPlaybook.key).where(IncidentPlaybook.incident_id == inc.id,
                                                              IncidentPlaybook.dropped_at.is_(None)))
    out = []
    for key in sorted(keys):
        pb = loader.get(key)
        for n, spec in enumerate(pb.callbacks if pb else (), 1):
            out.append((f"{key}#{n}", n, spec))
    return out


def declared(session: Session, inc: Incident) -> list[tuple[str, str]]:
    """(spec key, moment) of every callback round the incident's playbooks declare (for the gate)."""
    return [(key, spec.after) for key, _n, spec in _attached(session, inc)]


def _due_rounds(session: Session, inc: Incident) -> list[tuple[str, CallbackSpec, datetime]]:
    """Declared rounds whose moment has happened and which are not scheduled yet."""
    done = set(session.scalars(select(Callback.spec_key).where(Callback.incident_id == inc.id)))
    return [(key, spec, at) for key, _n, spec in _attached(session, inc) if key not in done
            and (at := anchor_time(session, inc, spec.after)) is not None]


def schedule_incident(session: Session, inc: Incident) -> int:
    """Schedule every declared round whose moment has happened and which is not scheduled yet."""
    todo = _due_rounds(session, inc)
    if todo:  # the chain's head moves: serialise with other writers of this incident
        session.get(Incident, inc.id, with_for_update=True, populate_existing=True)
    made = 0
    for key, spec, at in todo:
        made += len(callbacks.schedule(session, inc, spec_key=key, anchor=spec.after, anchor_at=at,
                                       offset_minutes=spec.offset.minutes, window_minutes=spec.window.minutes,
                                       per=spec.per, attempts=spec.attempts))
    return made


# -- deadlines at burst (issue 16): incident id -> (chain head, when) at which nothing was left to
# schedule. The runner re-reads an incident's moments when its head moved (its changes are timeline
# events) and otherwise every RECHECK seconds (moments read from other rows); a direct run_due()
# reads them all, as before.
_checked: "weakref.WeakKeyDictionary[Any, dict[int, tuple[str, float]]]" = weakref.WeakKeyDictionary()
RECHECK = 30.0
RECHECK_SLICE = 20  # unchanged incidents re-read per pass: a long scan never stalls the firing thread


def carry(bind: Any, heads: dict[int, tuple[str, str]]) -> None:
    """The scheduler's own firing moved these heads (old, new): it makes no callback moment (an
    overdue step, a reminder, an escalation), so an incident checked at `old` stays checked."""
    checked = _checked.get(bind)
    if checked is None:
        return
    for incident_id, (old, new) in heads.items():
        seen = checked.get(incident_id)
        if seen is not None and seen[0] == old:
            checked[incident_id] = (new, seen[1])


def _schedule_all(factory: Callable[[], Session], recheck: float | None = None) -> int:
    with factory() as s:  # find the work with reads only: no write lock while scanning
        checked = _checked.setdefault(s.get_bind(), {})
        heads = dict(s.execute(select(Incident.id, Incident.head_hash)
                               .join(IncidentPlaybook, IncidentPlaybook.incident_id == Incident.id)
                               .where(IncidentPlaybook.dropped_at.is_(None), Incident.status != "closed")
                               .distinct()).all())
        for gone in set(checked) - set(heads):
            checked.pop(gone, None)
        todo, now = [], time.monotonic()
        wanted = list(heads)
        if recheck is not None:  # changed or never read: all; unchanged: the oldest few past `recheck`
            fresh = [i for i in heads if i not in checked or checked[i][0] != heads[i]]
            stale = sorted((checked[i][1], i) for i in heads if i in checked and checked[i][0] == heads[i]
                           and now - checked[i][1] >= recheck)
            wanted = fresh + [i for _at, i in stale[:RECHECK_SLICE]]
        for incident_id in wanted:
            head = heads[incident_id]
            inc = s.get(Incident, incident_id)
            if inc is not None and _due_rounds(s, inc):
                todo.append(incident_id)
            else:
                checked[incident_id] = (head, now)
    if not todo:
        return 0
    made = 0
    with unit_of_work(factory) as s:
        for incident_id in todo:
            inc = s.get(Incident, incident_id)
            if inc is not None:
                made += schedule_incident(s, inc)
    return made


def _fire(factory: Callable[[], Session], kind: str, now: datetime) -> int:
    """Claim callbacks whose time came (due: due_at; overdue: due_at + window), once, then tell people."""
    col = Callback.due_fired_at if kind == "due" else Callback.overdue_fired_at
    with unit_of_work(factory) as s:
        rows = s.scalars(select(Callback).join(Incident, Incident.id == Callback.incident_id).where(
            Callback.status == CallbackStatus.OPEN.value, col.is_(None), Callback.due_at <= now,
            Incident.status != "closed").order_by(Callback.due_at).limit(500)).all()
        rows = [r for r in rows if kind == "due" or overdue_at(r) <= now]
        if not rows:
            return 0
        got = set(s.scalars(update(Callback).where(Callback.id.in_([r.id for r in rows]), col.is_(None))
                            .values({col.key: now}).returning(Callback.id).execution_options(synchronize_session=False)))
        by_incident: dict[int, list[Callback]] = {}
        for r in rows:
            if r.id in got:
                by_incident.setdefault(r.incident_id, []).append(r)
        for incident_id, mine in by_incident.items():
            inc = s.get(Incident, incident_id, with_for_update=True, populate_existing=True)
            cs = holders(s, inc.id, "customer_service") or holders(s, inc.id, "leader")
            users = cs if kind == "due" else sorted(set(cs) | set(holders(s, inc.id, "leader")))
            notified = inbox.notify(s, users, incident=inc, kind=f"callback_{kind}",
                                    message=DUE if kind == "due" else OVERDUE, params={"n": len(mine)})
            timeline.record(s, inc, f"callback.{kind}", SYSTEM, {
                "callback_ids": [r.id for r in mine], "names": [r.name for r in mine], "count": len(mine),
                "notified": notified})
        forget_seats(s)
        return len(got)


def run(factory: Callable[[], Session], now: datetime | None = None, recheck: float | None = None) -> dict[str, int]:
    """The scheduler's callback pass: schedule rounds whose moment came, then fire due and overdue
    (recheck: seconds an unchanged incident's moments are not read again; None: read them all)."""
    scheduled = _schedule_all(factory, recheck)
    now = now or clock.now()
    return {"callbacks_scheduled": scheduled, "callbacks_due": _fire(factory, "due", now),
            "callbacks_overdue": _fire(factory, "overdue", now)}


def _second_round(session: Session, inc: Incident, cb: Callback, nxt: Callback, before: str) -> dict[str, Any]:
    """Ask the managers of the new grade's level to take the leader seat (none there: the nearest
    higher level, then every manager — the event says which), and start the round's new deadlines."""
    managers, wanted, asked, how = levels.managers_for(session, inc.grade)
    notified = inbox.notify(session, managers, incident=inc, kind="second_round",
                            message=SECOND_ROUND if before != inc.grade else SECOND_ROUND_AT_TOP,
                            params={"grade": inc.grade})
    started = engine.restart_for_second_round(session, inc, nxt.anchor_at)
    return {"notified": notified, "level": wanted, "asked_level": asked, "asked": how, "started": started}


def install() -> None:
    callback_gate.declare(declared)
    if _second_round not in callbacks.SECOND_ROUND_HOOKS:
        callbacks.SECOND_ROUND_HOOKS.append(_second_round)


def next_wake(session: Session) -> datetime | None:
    """The earliest callback time still to fire (due, or overdue), for the scheduler's sleep."""
    due = session.scalar(select(func.min(Callback.due_at)).where(
        Callback.status == CallbackStatus.OPEN.value, Callback.due_fired_at.is_(None)))
    late = [overdue_at(cb) for cb in session.scalars(select(Callback).where(
        Callback.status == CallbackStatus.OPEN.value, Callback.overdue_fired_at.is_(None))
        .order_by(Callback.due_at).limit(50))]
    found = [d for d in [due, *late] if d is not None]
    return min(d if d.tzinfo else d.replace(tzinfo=timezone.utc) for d in found) if found else None
