"""The first page of the incident report: what a manager reads in two minutes.

Grade history, durations against their targets, the crowd's outcome, money agreed by 补偿 / 赔偿. A
later feature (callbacks, the ledger) adds its lines with `register(fn)`; fn(session, inc, say)
returns (label, value) pairs, or none when it has nothing to say for this incident.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements.models import Agreement
from exports.agreements.terms import from_dict
from incident import clock
from incident.models import Incident
from incident.timeline.models import Event
from incident.timeline.render import Say

Line = tuple[str, str]
Provider = Callable[[Session, Incident, Say], list[Line]]
PROVIDERS: list[Provider] = []


def register(fn: Provider) -> Provider:
    PROVIDERS.append(fn)
    return fn


def grade_history(session: Session, inc: Incident, say: Say) -> str:
    """"C（10:02）→ B（11:40，升级：媒体威胁）→ A" — the opening grade first."""
    changes = session.execute(select(Event.at, Event.payload).where(
        Event.incident_id == inc.id, Event.type == "grade.changed").order_by(Event.seq)).all()
    opened = session.scalar(select(Event.payload).where(Event.incident_id == inc.id,
                                                        Event.type == "incident.opened")) or {}
    first = (opened.get("triage") or {}).get("grade") or (changes[0][1].get("from") if changes else inc.grade)
    parts = [f"{first}（{say.time(inc.opened_at, 'datetime')}）"]
    for at, p in changes:
        parts.append(f"{p.get('to')}（{say.time(at, 'datetime')}）")
    return " → ".join(parts)


def _took(say: Say, start: datetime, end: datetime | None, due: datetime | None) -> str:
    if end is None:
        late = due is not None and clock.now() > due
        return say("not yet") + ((" · " + say("overdue")) if late else "")
    took = clock.span((end - start).total_seconds(), say)
    if due is None:
        return took
    target = clock.span((due - start).total_seconds(), say)
    verdict = say("on time") if end <= due else say("late by %(span)s", span=clock.span((end - due).total_seconds(), say))
    return say("%(took)s (target %(target)s) · %(verdict)s", took=took, target=target, verdict=verdict)


def durations(inc: Incident, say: Say) -> list[Line]:
    rows = [(say("Task group formed"), _took(say, inc.opened_at, inc.formed_at, inc.formation_due_at))]
    if inc.readback_confirmed_at is not None or inc.scope == "group":
        rows.append((say("Read-back confirmed"), _took(say, inc.opened_at, inc.readback_confirmed_at, None)))
    if inc.closed_at is not None:
        rows.append((say("Closed"), _took(say, inc.opened_at, inc.closed_at, None)))
    return rows


def money(session: Session, inc: Incident, say: Say) -> list[Line]:
    """Money in sealed agreements, by kind (补偿 without admission of fault; 赔偿 with it)."""
    totals: dict[str, Decimal] = {}
    sealed = 0
    for terms in session.scalars(select(Agreement.terms).where(Agreement.incident_id == inc.id,
                                                               Agreement.status == "sealed")):
        sealed += 1
        for kind, amount in from_dict(terms).by_kind().items():
            totals[kind] = totals.get(kind, Decimal(0)) + amount
    if not sealed:
        return [(say("Money agreed"), say("no sealed agreement yet"))]
    return [(say("Money agreed in %(n)s sealed agreements", n=sealed),
             "；".join(f"{say.label('payment_kind', k)} {say.money(v)}" for k, v in sorted(totals.items()))
             or say("no payment"))]


def lines(session: Session, inc: Incident, say: Say) -> list[Line]:
    out: list[Line] = [
        (say("Grade"), grade_history(session, inc, say)),
        (say("Status"), say.label("status", inc.status)),
        (say("People"), say("%(n)s · %(scope)s", n=inc.headcount, scope=inc.scope_text)),
        (say("Opened"), say.time(inc.opened_at, "datetime") + f"（{clock.zone_label(say)}）"),
    ]
    out += durations(inc, say)
    out += money(session, inc, say)
    for provider in PROVIDERS:
        out += provider(session, inc, say)
    return out
