"""Issue 15 × callbacks: a claimant's one-time survey answer is recorded on their open callback like a
staff answer (attempt on the "survey" channel, "callback.recorded", the second round when unhappy), and
an answer given before any callback exists waits and is attached when the callback is scheduled."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from incident import clock
from incident.callbacks import gate as _gate  # noqa: F401  (the closing gate's condition)
from incident.callbacks import service as callbacks
from incident.callbacks.models import Callback
from incident.public import callback_feed as _feed  # noqa: F401  (the composition root imports it too)
from incident.public import survey
from incident.public.models import PublicCode, SurveyAnswer
from incident.public.service import issue
from incident.timeline.render import render
from tests.callbacks.conftest import again, events


def schedule(session: Any, inc: Any) -> list[Callback]:
    rows = callbacks.schedule(session, inc, spec_key="mall_complaint#1", anchor="reply_issued",
                              anchor_at=clock.now(), offset_minutes=60, window_minutes=24 * 60,
                              per="claimant", attempts=3)
    session.commit()
    again(session)
    return rows


def answer(session: Any, m: dict[str, Any], tenant: int, **data: Any) -> SurveyAnswer:
    """The tenant's claimant code → a one-time survey link → the answer (as the public pages do)."""
    inc, c = m["incident"], m["tenants"][tenant]
    code, _clear = issue(session, actor=m["leader"].actor, incident_id=inc.id, kind="claimant", claimant_id=c.id)
    token = survey.open_link(session, claimant_code=session.get(PublicCode, code.id))
    row = survey.answer(session, token=token, data=data)
    session.commit()
    again(session)
    return row


def mine(session: Any, inc: Any, claimant_id: int) -> list[Callback]:
    return list(session.scalars(select(Callback).where(Callback.incident_id == inc.id,
                                                       Callback.claimant_id == claimant_id).order_by(Callback.id)))


def test_a_content_answer_is_recorded_on_the_open_callback(session, mall):
    inc = mall["incident"]
    schedule(session, inc)
    li = mall["tenants"][1]
    row = answer(session, mall, 1, score=5, reasons=["speed", "attitude"], text="处理很快")
    (cb,) = mine(session, inc, li.id)
    assert cb.status == "done" and cb.satisfaction == "very_satisfied" and cb.note == "处理很快"
    assert cb.reasons == []  # what mattered to a content claimant is not a complaint reason
    assert [(a.channel, a.reached) for a in cb.attempts] == [("survey", True)]
    assert session.get(SurveyAnswer, row.id).callback_id == cb.id
    (said,) = events(session, inc.id, "public.survey_answered")
    assert said.payload["callback_id"] == cb.id
    (rec,) = events(session, inc.id, "callback.recorded")
    assert rec.payload["channel"] == "survey" and rec.payload["survey_reasons"] == ["attitude", "speed"]
    assert rec.seq > said.seq and not events(session, inc.id, "callback.second_round")
    words = render("callback.recorded", rec.payload, rec.actor_name, "zh_CN").detail
    assert "survey" not in words and "speed" not in words and "李强" in words
    others = [c for c in session.scalars(select(Callback).where(Callback.incident_id == inc.id))
              if c.claimant_id != li.id]
    assert others and all(c.status == "open" for c in others)


def test_an_unhappy_answer_opens_the_second_round_as_a_staff_answer_would(session, mall):
    inc = mall["incident"]
    schedule(session, inc)
    grade = inc.grade
    wang, li = mall["tenants"][0], mall["tenants"][1]
    start = last_seq(session, inc.id)
    answer(session, mall, 1, score=1, reasons=["attitude", "outcome"], text="态度差，问题没解决")
    survey_types = [e.type for e in events_after(session, inc.id, start) if e.type != "public.code_issued"]
    first, second = mine(session, inc, li.id)
    assert first.status == "done" and first.satisfaction == "very_dissatisfied"
    assert first.reasons == ["not_solved", "attitude"]  # in the callbacks' own order
    assert second.round == 2 and second.status == "open" and second.follows_id == first.id
    assert second.due_at == clock.now() + timedelta(minutes=first.offset_minutes)
    (sr,) = events(session, inc.id, "callback.second_round")
    assert sr.payload["new_callback_id"] == second.id and sr.payload["satisfaction"] == "very_dissatisfied"
    session.refresh(inc)
    assert inc.grade != grade  # raised one level, as after a staff-recorded unhappy answer
    # the same consequences, in the same order, as a staff member recording an unhappy answer
    (staff_cb,) = mine(session, inc, wang.id)
    start = last_seq(session, inc.id)
    callbacks.record_attempt(session, actor=mall["cs"].actor, incident_id=inc.id, callback_id=staff_cb.id,
                             channel="phone", reached=True, satisfaction="very_dissatisfied",
                             reasons=["attitude"], note="")
    session.commit()
    again(session)
    staff_types = [e.type for e in events_after(session, inc.id, start)]
    assert survey_types[0] == "public.survey_answered" and survey_types[1] == "callback.recorded"
    assert survey_types[1:] == staff_types == ["callback.recorded", "grade.changed", "callback.second_round"]


def last_seq(session: Any, incident_id: int) -> int:
    return max(e.seq for e in events_after(session, incident_id, 0))


def events_after(session: Any, incident_id: int, seq: int) -> list[Any]:
    from incident.timeline.models import Event
    return list(session.scalars(select(Event).where(Event.incident_id == incident_id, Event.seq > seq)
                                .order_by(Event.seq)))


def test_an_answer_before_the_callback_waits_and_is_attached_when_scheduled(session, mall):
    inc = mall["incident"]
    chen = mall["tenants"][2]
    row = answer(session, mall, 2, score=2, reasons=["information"], text="")
    assert session.get(SurveyAnswer, row.id).callback_id is None
    (said,) = events(session, inc.id, "public.survey_answered")
    assert said.payload["callback_id"] is None
    assert "等待" in render("public.survey_answered", said.payload, None, "zh_CN").detail
    rows = schedule(session, inc)
    assert len(rows) == len(mall["tenants"])
    first, second = mine(session, inc, chen.id)
    assert first.status == "done" and first.satisfaction == "dissatisfied" and first.reasons == ["not_informed"]
    assert first.attempts[0].channel == "survey" and second.round == 2 and second.status == "open"
    assert session.get(SurveyAnswer, row.id).callback_id == first.id
    types = [e.type for e in events_after(session, inc.id, said.seq)]
    assert types.index("callback.scheduled") < types.index("callback.recorded") < types.index("callback.second_round")
    # attached once: scheduling another round finds nothing waiting
    callbacks.schedule(session, inc, spec_key="other#1", anchor="reply_issued", anchor_at=clock.now(),
                       offset_minutes=60, window_minutes=60, per="claimant", attempts=1)
    session.commit()
    again(session)
    assert len(events(session, inc.id, "callback.recorded")) == 1


def test_an_answer_after_the_callback_was_completed_is_kept_for_the_record(session, mall, frozen):
    """The claimant's callback is already finished (staff reached them): a later survey answer closes
    nothing, is kept with its words, says so (public page and timeline), and never lands on a later round."""
    inc = mall["incident"]
    schedule(session, inc)
    li = mall["tenants"][1]
    (cb,) = mine(session, inc, li.id)
    callbacks.record_attempt(session, actor=mall["cs"].actor, incident_id=inc.id, callback_id=cb.id,
                             channel="phone", reached=True, satisfaction="satisfied", reasons=[], note="电话回访")
    session.commit()
    again(session)
    frozen.advance(minutes=5)
    row = answer(session, mall, 1, score=2, reasons=["speed"], text="其实还是太慢")
    kept = session.get(SurveyAnswer, row.id)
    assert kept.callback_id is None and kept.score == 2 and kept.text == "其实还是太慢"
    assert survey.fate_of(session, kept) == "completed"
    (done,) = mine(session, inc, li.id)  # no second round from an answer after the fact
    assert done.status == "done" and done.satisfaction == "satisfied" and done.note == "电话回访"
    (said,) = events(session, inc.id, "public.survey_answered")
    assert said.payload["fate"] == "completed" and said.payload["callback_id"] is None
    assert "回访已完成" in render("public.survey_answered", said.payload, None, "zh_CN").detail
    assert "already completed" in render("public.survey_answered", said.payload, None, "en").detail
    callbacks.schedule(session, inc, spec_key="other#1", anchor="reply_issued", anchor_at=clock.now(),
                       offset_minutes=60, window_minutes=60, per="claimant", attempts=1)
    session.commit()
    again(session)
    assert session.get(SurveyAnswer, row.id).callback_id is None
    assert all(c.status == "open" for c in mine(session, inc, li.id)[1:])


def test_an_answer_after_the_incident_closed_is_kept_for_the_record(session, mall):
    """A closed incident is read-only, yet its claimants still hold their codes: the survey link opens and
    the answer is kept (it was refused with the staff's "reopen it" before)."""
    inc, c = mall["incident"], mall["tenants"][2]
    code, _clear = issue(session, actor=mall["leader"].actor, incident_id=inc.id, kind="claimant", claimant_id=c.id)
    inc.status = "closed"
    session.commit()
    again(session)
    token = survey.open_link(session, claimant_code=session.get(PublicCode, code.id))
    row = survey.answer(session, token=token, data={"score": 5, "reasons": [], "text": "谢谢"})
    session.commit()
    again(session)
    assert survey.fate_of(session, session.get(SurveyAnswer, row.id)) == "closed"
    (said,) = events(session, inc.id, "public.survey_answered")
    assert said.payload["fate"] == "closed"
    assert "办结" in render("public.survey_answered", said.payload, None, "zh_CN").detail
    assert not mine(session, inc, c.id)
