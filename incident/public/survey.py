"""The satisfaction survey: a one-time link from the claimant's progress page, answered once.

The answer lands in `survey_answers` (score 1-5, reasons, free text) with the event
"public.survey_answered", and is recorded on the claimant's open callback like a staff answer
(callback_feed.py) — or waits there until their callback is scheduled, or, given after their callback
was finished or the incident closed, is kept for the record (`fate_of` says which; the thanks page too).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.errors import Conflict, ValidationError
from incident.public import callback_feed
from incident.public.lookup import resolve
from incident.public.models import CodeKind, PublicCode, SurveyAnswer
from incident.public.registration import PUBLIC
from incident.public.service import issue
from incident.timeline.service import WRITABLE_WHEN_CLOSED

# A claimant may still answer after the incident closed: the answer is kept for the record (the
# closed incident's own data stays read-only; callback_feed never attaches it to a callback then).
WRITABLE_WHEN_CLOSED.add("public.survey_answered")

REASONS = ("speed", "attitude", "outcome", "information", "fairness")
SCORES = range(1, 6)
MAX_TEXT = 1000


def answered(session: Session, claimant_id: int) -> bool:
    return session.scalar(select(SurveyAnswer.id).where(SurveyAnswer.claimant_id == claimant_id).limit(1)) \
        is not None


def open_link(session: Session, *, claimant_code: PublicCode) -> str:
    """A fresh one-time survey link token for the claimant of this (live) claimant code."""
    if claimant_code.kind != CodeKind.CLAIMANT.value or claimant_code.claimant_id is None:
        raise Conflict("the survey needs a claimant's code", field="code")
    if answered(session, claimant_code.claimant_id):
        raise Conflict("you have already answered the survey, thank you", field="code")
    _row, clear = issue(session, actor=PUBLIC, incident_id=claimant_code.incident_id,
                        kind=CodeKind.SURVEY.value, claimant_id=claimant_code.claimant_id, system=True)
    return clear


def answer(session: Session, *, token: Any, data: Any) -> SurveyAnswer:
    """Record the answer; the link is spent at once (a second use finds nothing)."""
    link = resolve(session, token, kinds=(CodeKind.SURVEY.value,))
    if link.used_at is not None or link.claimant_id is None:
        raise Conflict("this survey link was already used", field="token")
    if not isinstance(data, dict):
        raise ValidationError("body must be a JSON object", field="body", reason="invalid")
    score = data.get("score")
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        raise ValidationError("score must be 1 … 5", field="score")
    reasons = data.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    if not isinstance(reasons, list) or any(r not in REASONS for r in reasons):
        raise ValidationError("reasons must be among the listed ones", field="reasons")
    text = data.get("text") or ""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValidationError("%(field)s is longer than %(max)s characters", field="text", max=MAX_TEXT)
    if answered(session, link.claimant_id):
        raise Conflict("you have already answered the survey, thank you", field="token")
    inc = service.get(session, link.incident_id, lock=True)
    link.used_at = clock.now()
    row = SurveyAnswer(incident_id=inc.id, claimant_id=link.claimant_id, score=score,
                       reasons=sorted(set(reasons)), text=text.strip(), answered_at=link.used_at)
    session.add(row)
    session.flush()
    cb = callback_feed.callback_for(session, inc, link.claimant_id)
    fate = callback_feed.fate(session, inc, link.claimant_id, callback_id=cb.id if cb else None, at=row.answered_at)
    timeline.record(session, inc, "public.survey_answered", PUBLIC, {
        "claimant_id": link.claimant_id, "score": score, "reasons": row.reasons, "text": row.text[:200],
        "callback_id": cb.id if cb else None, "fate": fate.value})
    if cb is not None:
        callback_feed.attach(session, inc, cb, row)
    return row


def fate_of(session: Session, row: SurveyAnswer) -> callback_feed.Fate:
    """What became of this answer: recorded on the callback, waiting, or kept for the record."""
    inc = service.get(session, row.incident_id)
    return callback_feed.fate(session, inc, row.claimant_id, callback_id=row.callback_id, at=row.answered_at)


def fate_now(session: Session, link: PublicCode) -> callback_feed.Fate:
    """What would become of an answer given now through this survey link."""
    inc = service.get(session, link.incident_id)
    if link.claimant_id is None:
        return callback_feed.Fate.WAITING
    cb = callback_feed.callback_for(session, inc, link.claimant_id, lock=False)
    return callback_feed.fate(session, inc, link.claimant_id, callback_id=cb.id if cb else None)
