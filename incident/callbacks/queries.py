"""The read side of callbacks: each one's state now, the board's counts and the satisfaction
distribution (the latest answer of each person: a second round's answer replaces the first)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from incident import clock
from incident.callbacks.models import Callback
from incident.callbacks.scale import SCALE, CallbackStatus

STATES = ("scheduled", "due", "overdue", "done", "unreachable")


def overdue_at(cb: Callback) -> datetime:
    return cb.due_at + timedelta(minutes=cb.window_minutes)


def state(cb: Callback, now: datetime | None = None) -> str:
    """scheduled (before its time), due (call now), overdue (past the window), done, unreachable."""
    if cb.status != CallbackStatus.OPEN.value:
        return cb.status
    now = now or clock.now()
    if now < cb.due_at:
        return "scheduled"
    return "overdue" if now >= overdue_at(cb) else "due"


def listing(session: Session, incident_id: int) -> list[Callback]:
    return list(session.scalars(select(Callback).where(Callback.incident_id == incident_id)
                                .options(selectinload(Callback.attempts)).order_by(Callback.due_at, Callback.id)))


def to_dict(cb: Callback, now: datetime | None = None) -> dict[str, Any]:
    return {"id": cb.id, "round": cb.round, "anchor": cb.anchor, "anchor_at": cb.anchor_at.isoformat(),
            "due_at": cb.due_at.isoformat(), "overdue_at": overdue_at(cb).isoformat(), "state": state(cb, now),
            "status": cb.status, "target": cb.target, "claimant_id": cb.claimant_id,
            "representative_id": cb.representative_id, "name": cb.name, "covers": list(cb.covers or []),
            "satisfaction": cb.satisfaction, "reasons": list(cb.reasons or []), "note": cb.note,
            "done_at": cb.done_at.isoformat() if cb.done_at else None, "recorded_by": cb.recorded_by_name,
            "max_attempts": cb.max_attempts, "attempts": [a.to_dict() for a in cb.attempts],
            "follows_id": cb.follows_id, "version": cb.version}


def _person(cb: Callback) -> tuple[Any, ...]:
    return (cb.target, cb.representative_id, cb.claimant_id, cb.name if cb.claimant_id is None else "")


def latest_answers(rows: list[Callback]) -> dict[tuple[Any, ...], Callback]:
    """Per person, their newest answered callback."""
    out: dict[tuple[Any, ...], Callback] = {}
    for cb in sorted((r for r in rows if r.satisfaction), key=lambda r: (r.round, r.done_at or r.created_at)):
        out[_person(cb)] = cb
    return out


def summary(session: Session, incident_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Counts per state, the distribution over the five levels (people and the claimants they speak
    for), the share satisfied or better, and every callback."""
    now = now or clock.now()
    rows = listing(session, incident_id)
    counts = dict.fromkeys(STATES, 0)
    for cb in rows:
        counts[state(cb, now)] += 1
    answers = latest_answers(rows)
    dist = {level.value: 0 for level in SCALE}
    weighted = dict(dist)  # a representative's answer speaks for the claimants they represent
    for cb in answers.values():
        dist[cb.satisfaction] += 1  # type: ignore[index]
        weighted[cb.satisfaction] += max(1, len(cb.covers or []))  # type: ignore[index]
    happy = dist["very_satisfied"] + dist["satisfied"]
    total = sum(dist.values())
    return {"counts": counts, "distribution": dist, "claimant_distribution": weighted, "answered": total,
            "satisfied_share": f"{happy / total:.2f}" if total else None,
            "callbacks": [to_dict(cb, now) for cb in rows]}
