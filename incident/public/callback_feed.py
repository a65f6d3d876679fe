"""Survey answers feed the callbacks (回访).

A claimant's one-time survey answer is recorded on their open callback exactly like a staff-recorded
one (an attempt on the channel "survey", the event "callback.recorded", and for an unhappy answer the
second round). An answer given while no callback of theirs is open waits on its row and is attached
when their callback is scheduled (`callbacks.service.SCHEDULED_HOOKS`, registered by importing this
module: concord/models.py does).

What became of an answer (its *fate*, said on the public thanks page and in the staff section):
recorded on the callback; waiting for one to be scheduled; given after the claimant's callback was
already finished (or the incident closed) — kept for the record only, never attached to a later round
(a callback given up as unreachable is not finished for this: the answer is recorded on it);
or given by a claimant whose representative is called back for them — kept, closing no callback.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.callbacks import service as callbacks
from incident.callbacks.models import Callback
from incident.callbacks.scale import SURVEY_CHANNEL, CallbackStatus, Satisfaction
from incident.enums import IncidentStatus
from incident.models import Incident
from incident.public.models import SurveyAnswer
from incident.public.registration import PUBLIC

LEVEL = {5: Satisfaction.VERY_SATISFIED, 4: Satisfaction.SATISFIED, 3: Satisfaction.NEUTRAL,
         2: Satisfaction.DISSATISFIED, 1: Satisfaction.VERY_DISSATISFIED}
# What mattered to the claimant, read as what went wrong when the answer is unhappy (a second round
# needs a reason). A content answer's aspects stay on the survey row and in the event only.
WENT_WRONG = {"speed": "too_slow", "attitude": "attitude", "outcome": "not_solved",
              "information": "not_informed", "fairness": "other"}


class Fate(StrEnum):
    RECORDED = "recorded"        # on the claimant's open callback
    WAITING = "waiting"          # no callback of theirs yet: attached when one is scheduled
    COMPLETED = "completed"      # their callback was already finished: kept for the record
    CLOSED = "closed"            # the incident is closed: kept for the record
    REPRESENTED = "represented"  # their representative is called back for them: kept, closes nothing


def _finished_before(session: Session, incident_id: int, claimant_id: int, at: datetime) -> bool:
    """Had a callback for this claimant (theirs, or one answering for them) finished by *at*?"""
    done = session.scalars(select(Callback).where(
        Callback.incident_id == incident_id, Callback.status != CallbackStatus.OPEN.value,
        Callback.done_at.is_not(None), Callback.done_at <= at))
    return any(cb.claimant_id == claimant_id or claimant_id in (cb.covers or []) for cb in done)


def _represented(session: Session, incident_id: int, claimant_id: int) -> bool:
    rows = session.scalars(select(Callback).where(Callback.incident_id == incident_id,
                                                  Callback.status == CallbackStatus.OPEN.value))
    return any(cb.claimant_id != claimant_id and claimant_id in (cb.covers or []) for cb in rows)


def fate(session: Session, inc: Incident, claimant_id: int, *, callback_id: int | None = None,
         at: datetime | None = None) -> Fate:
    """What became of a survey answer given at *at* (now: what would become of one given now)."""
    if callback_id is not None:
        return Fate.RECORDED
    if _finished_before(session, inc.id, claimant_id, at or clock.now()):
        return Fate.COMPLETED
    if inc.status == IncidentStatus.CLOSED.value:
        return Fate.CLOSED
    if _represented(session, inc.id, claimant_id):
        return Fate.REPRESENTED
    return Fate.WAITING


def callback_for(session: Session, inc: Incident, claimant_id: int, *, lock: bool = True) -> Callback | None:
    """The claimant's callback of the latest round (theirs, or the one they answer as
    representative) when it is open — or was given up as unreachable: the answer the calls could not
    get has come by itself, so it counts. None when there is none, it is done, or the incident is
    closed (the answer then waits, or is kept for the record)."""
    if inc.status == IncidentStatus.CLOSED.value:
        return None
    q = select(Callback).where(Callback.incident_id == inc.id, Callback.claimant_id == claimant_id
                               ).order_by(Callback.round.desc(), Callback.id.desc()).limit(1)
    cb = session.scalars(q.with_for_update() if lock else q).first()
    return cb if cb is not None and cb.status in ANSWERABLE else None


ANSWERABLE = (CallbackStatus.OPEN.value, CallbackStatus.UNREACHABLE.value)


def attach(session: Session, inc: Incident, cb: Callback, answer: SurveyAnswer) -> Callback:
    """Record the survey answer on the callback as the claimant's own answer."""
    level = LEVEL[answer.score]
    why = [WENT_WRONG[r] for r in answer.reasons or [] if r in WENT_WRONG] if level.unhappy else []
    callbacks.record_answer(session, inc, cb, actor=PUBLIC, channel=SURVEY_CHANNEL, satisfaction=level,
                            reasons=why, note=answer.text, after_unreachable=True,
                            extra={"survey_answer_id": answer.id, "survey_reasons": list(answer.reasons or []),
                                   "after_unreachable": cb.status == CallbackStatus.UNREACHABLE.value})
    answer.callback_id = cb.id
    return cb


def on_scheduled(session: Session, inc: Incident, rows: list[Callback]) -> None:
    """Attach the waiting answers of the people just scheduled for a callback."""
    by_claimant = {cb.claimant_id: cb for cb in rows if cb.claimant_id is not None}
    if not by_claimant:
        return
    waiting = session.scalars(select(SurveyAnswer).where(
        SurveyAnswer.incident_id == inc.id, SurveyAnswer.callback_id.is_(None),
        SurveyAnswer.claimant_id.in_(list(by_claimant))).order_by(SurveyAnswer.id))
    for answer in list(waiting):
        cb = by_claimant[answer.claimant_id]
        if _finished_before(session, inc.id, answer.claimant_id, answer.answered_at):
            continue  # given after their callback was finished: kept for the record, not for a new round
        if cb.status == CallbackStatus.OPEN.value:
            attach(session, inc, cb, answer)


if on_scheduled not in callbacks.SCHEDULED_HOOKS:
    callbacks.SCHEDULED_HOOKS.append(on_scheduled)
