"""The archive record's computed part, frozen at close: handling times from the timeline,
satisfaction (through a seam the callbacks feature fills), money paid by kind, the head hash.

Handling times count from the round's start (the opening, or the reopen that started the round):
first contact (the first-contact step ticked, or the read-back confirmed), formation of the task
group, the written reply (the event the written-reply feature records; "—" when absent),
resolution (status resolved) and close.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import Actor
from incident.closing.models import ArchiveRecord, ProblemType
from incident.ledger.queries import KINDS, obligations
from incident.models import Incident
from incident.timeline.models import Event

# Event types that mean "the written reply was issued" (the callbacks feature may add its own).
WRITTEN_REPLY_EVENTS: set[str] = {"reply.issued", "written_reply.issued"}
# fn(session, incident) -> {"answered": n, "distribution": {level: n}, "latest": level} or None.
SATISFACTION: list[Callable[[Session, Incident], dict[str, Any] | None]] = []
MOMENTS = ("first_contact", "formation", "written_reply", "resolution", "close")


def _round_events(session: Session, inc: Incident, rnd: int) -> tuple[datetime, list[Event]]:
    events = list(session.scalars(select(Event).where(Event.incident_id == inc.id).order_by(Event.seq)))
    start, cut = inc.opened_at, 0
    if rnd > 1:
        reopens = [i for i, e in enumerate(events) if e.type == "status.changed" and (e.payload or {}).get("reopened")]
        if len(reopens) >= rnd - 1:
            cut = reopens[rnd - 2]
            start = events[cut].at
    return start, events[cut:]


def _first(events: list[Event], test: Callable[[Event], bool]) -> datetime | None:
    return next((e.at for e in events if test(e)), None)


def _last(events: list[Event], test: Callable[[Event], bool]) -> datetime | None:
    found = [e.at for e in events if test(e)]
    return found[-1] if found else None


def handling_times(session: Session, inc: Incident, rnd: int, closed_at: datetime | None = None) -> dict[str, Any]:
    """Each moment's time and its minutes since the round's start (None: it did not happen)."""
    start, events = _round_events(session, inc, rnd)
    p = lambda e: e.payload or {}  # noqa: E731
    at = {
        "first_contact": _first(events, lambda e: (e.type == "playbook.step_done" and p(e).get("step") == "first_contact")
                                or e.type == "intake.read_back_confirmed"),
        "formation": _first(events, lambda e: e.type == "taskgroup.formed") or (inc.formed_at if rnd == 1 else None),
        "written_reply": _first(events, lambda e: e.type in WRITTEN_REPLY_EVENTS),
        "resolution": _last(events, lambda e: e.type == "status.changed" and p(e).get("to") == "resolved"),
        "close": closed_at,
    }
    return {"start": start.isoformat(), "moments": {
        k: {"at": v.isoformat() if v else None,
            "minutes": round((v - start).total_seconds() / 60) if v else None} for k, v in at.items()}}


def _from_callbacks(session: Session, inc: Incident) -> dict[str, Any] | None:
    """The callbacks feature's answers, when that feature is installed (it is optional here)."""
    try:
        from incident.callbacks import queries as callbacks  # type: ignore[import-not-found]
    except ImportError:
        return None
    found = callbacks.summary(session, inc.id)
    if not found.get("answered"):
        return None  # never an unanswered score counted as satisfied
    return {"answered": found["answered"], "distribution": found["distribution"],
            "satisfied_share": found.get("satisfied_share")}


def satisfaction(session: Session, inc: Incident) -> dict[str, Any] | None:
    """{"answered", "distribution": {level: n}, "satisfied_share"} or None when nobody answered."""
    for fn in [*SATISFACTION, _from_callbacks]:
        found = fn(session, inc)
        if found:
            return found
    return None


def money_paid(session: Session, inc: Incident) -> dict[str, str]:
    paid = {k: Decimal("0.00") for k in KINDS}
    for o in obligations(session, inc.id):
        paid[o.kind] += o.paid
    return {k: f"{v:.2f}" for k, v in paid.items()}


def problem_path(session: Session, type_id: int | None) -> str:
    """"停车/收费 › 停车费争议" for a type inside a group."""
    t = session.get(ProblemType, type_id) if type_id else None
    if t is None:
        return ""
    parent = session.get(ProblemType, t.parent_id) if t.parent_id else None
    return f"{parent.name} › {t.name}" if parent else t.name


def record_of(session: Session, incident_id: int, rnd: int) -> ArchiveRecord | None:
    return session.scalar(select(ArchiveRecord).where(ArchiveRecord.incident_id == incident_id,
                                                      ArchiveRecord.round == rnd))


def freeze(session: Session, inc: Incident, actor: Actor, rnd: int) -> ArchiveRecord:
    """Compute and keep the round's archive record at close (one "archive.recorded" event)."""
    rec = record_of(session, inc.id, rnd)
    assert rec is not None  # the gate checked it
    now = clock.now()
    rec.closed_at = rec.updated_at = now
    rec.snapshot = {"handling": handling_times(session, inc, rnd, now), "satisfaction": satisfaction(session, inc),
                    "paid": money_paid(session, inc), "problem_type": problem_path(session, rec.problem_type_id)}
    session.flush()
    timeline.record(session, inc, "archive.recorded", actor, {
        "round": rnd, "problem_type": rec.snapshot["problem_type"], "root_cause": rec.root_cause,
        "handling": rec.snapshot["handling"], "satisfaction": rec.snapshot["satisfaction"],
        "paid": rec.snapshot["paid"], "head_hash": inc.head_hash})
    return rec
