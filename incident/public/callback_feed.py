"""Survey answers feed the callbacks (回访).

A claimant's one-time survey answer is recorded on their open callback exactly like a staff-recorded
one (an attempt on the channel "survey", the event "callback.recorded", and for an unhappy answer the
second round). An answer given while no callback of theirs is open waits on its row and is attached
when their callback is scheduled (`callbacks.service.SCHEDULED_HOOKS`, registered by importing this
module: concord/models.py does).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def callback_for(session: Session, inc: Incident, claimant_id: int) -> Callback | None:
    """The claimant's open callback of the latest round (theirs, or the one they answer as
    representative); None when there is none or the incident is closed (the answer then waits)."""
    if inc.status == IncidentStatus.CLOSED.value:
        return None
    return session.scalars(select(Callback).where(
        Callback.incident_id == inc.id, Callback.claimant_id == claimant_id,
        Callback.status == CallbackStatus.OPEN.value).order_by(Callback.round.desc(), Callback.id.desc())
        .limit(1).with_for_update()).first()


def attach(session: Session, inc: Incident, cb: Callback, answer: SurveyAnswer) -> Callback:
    """Record the survey answer on the callback as the claimant's own answer."""
    level = LEVEL[answer.score]
    why = [WENT_WRONG[r] for r in answer.reasons or [] if r in WENT_WRONG] if level.unhappy else []
    callbacks.record_answer(session, inc, cb, actor=PUBLIC, channel=SURVEY_CHANNEL, satisfaction=level,
                            reasons=why, note=answer.text,
                            extra={"survey_answer_id": answer.id, "survey_reasons": list(answer.reasons or [])})
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
        if cb.status == CallbackStatus.OPEN.value:
            attach(session, inc, cb, answer)


if on_scheduled not in callbacks.SCHEDULED_HOOKS:
    callbacks.SCHEDULED_HOOKS.append(on_scheduled)
