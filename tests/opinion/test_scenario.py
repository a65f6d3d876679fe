"""Acceptance (issue 14, D1): a cosmetics-counter post watched with three snapshots (210, 340, 520):
the trend holds all three with their growth; the threshold rule tells the leader once and feeds
triage; the negative post's 8-hour reply deadline fires once when nobody answered (clock-injected)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from exports.charts import output
from exports.charts.opinion import opinion_chart, trend
from incident.db import begin_write
from incident.errors import Conflict, Forbidden, ValidationError
from incident.opinion import queries
from incident.opinion import service as opinion
from incident.opinion.models import OpinionSource
from incident.timeline.render import Say
from playbooks.scheduler import opinion as pb_opinion
from playbooks.notify.models import Notification
from playbooks.scheduler import jobs
from tests.opinion.conftest import events, png

POST = {"platform": "xiaohongshu", "url": "https://www.xiaohongshu.com/explore/64f0c1a2",
        "title": "商场一楼专柜卖过期面霜！", "negative": True}


def snap(session, m, src, n, **extra):  # type: ignore[no-untyped-def]
    s = opinion.add_snapshot(session, actor=m["cs"].actor, incident_id=m["incident"].id, source_id=src.id,
                             data={"reposts": n, **extra}, screenshot=("shot.png", "image/png", png()),
                             rule=pb_opinion.rule())
    session.commit()
    begin_write(session)
    return s


def notes(session, user):  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_three_snapshots_alert_once_and_the_reply_deadline_fires_once(session, session_factory, counter, frozen):
    m, inc = counter, counter["incident"]
    src = opinion.add_source(session, actor=m["cs"].actor, incident_id=inc.id, rule=pb_opinion.rule(), **POST)
    session.commit()
    begin_write(session)
    assert src.reply_due_at == frozen.current + timedelta(hours=8)   # the playbook's reply step
    grade_before = inc.grade

    snap(session, m, src, 210, reads=5200)
    frozen.advance(minutes=30)
    snap(session, m, src, 340, reads=8100)       # +130 in 30 min: under the 150 threshold
    assert events(session, inc.id, "opinion.alert") == []
    frozen.advance(minutes=30)
    snap(session, m, src, 520, reads=12600)      # +180: the rule is met

    watch = queries.watch(session, inc.id, pb_opinion.rule())
    rows = watch["sources"][0]["snapshots"]
    assert [r["reposts"] for r in rows] == [210, 340, 520]
    assert [r["growth"]["reposts"] for r in rows] == [None, 130, 180]
    assert [r["minutes"] for r in rows] == [None, 30, 30]
    assert all(len(r["screenshot_sha256"]) == 64 for r in rows)
    assert watch["sources"][0]["next_snapshot_due_at"] == (frozen.current + timedelta(minutes=30)).isoformat()

    alerts = events(session, inc.id, "opinion.alert")
    assert len(alerts) == 1 and alerts[0].payload["alerts"][0] == {
        "kind": "growth", "metric": "reposts", "value": 180, "threshold": 150}
    assert alerts[0].payload["notified"] == [m["leader"].id]
    assert [n.kind for n in notes(session, m["leader"])].count("opinion_alert") == 1
    session.refresh(inc)
    assert "media_story" in inc.circumstances                      # triage weighs a story that is out
    assert inc.grade != grade_before and events(session, inc.id, "grade.changed")[-1].payload["cause"] == "opinion.alert"

    frozen.advance(minutes=30)
    snap(session, m, src, 900)                                      # faster still: no second alert
    assert len(events(session, inc.id, "opinion.alert")) == 1

    # the same drawing for page and PDF holds all the points, with the growth
    series = trend(session, inc)
    assert [v for _t, v in series[0]["points"]] == [210, 340, 520, 900]
    svg = output.svg(opinion_chart(session, inc, Say("zh_CN")))
    assert "520" in svg and "+180" in svg

    # the 8-hour reply deadline: the scheduler wakes for it, fires it not before, then exactly once
    session.rollback()
    assert pb_opinion.next_wake(session) == src.reply_due_at
    assert jobs.next_wake(session_factory) <= src.reply_due_at
    frozen.advance(hours=6)
    assert jobs.run_due(session_factory)["opinion_replies_overdue"] == 0
    frozen.advance(hours=1, minutes=31)
    session.rollback()
    assert jobs.run_due(session_factory)["opinion_replies_overdue"] == 1
    assert jobs.run_due(session_factory)["opinion_replies_overdue"] == 0
    session.rollback()
    fired = events(session, inc.id, "opinion.reply_overdue")
    assert len(fired) == 1 and set(fired[0].payload["notified"]) == {m["leader"].id, m["cs"].id}
    assert queries.watch(session, inc.id, pb_opinion.rule())["sources"][0]["reply_state"] == "overdue"


def test_a_reply_in_time_meets_the_deadline_and_nothing_fires(session, session_factory, counter, frozen):
    m, inc = counter, counter["incident"]
    src = opinion.add_source(session, actor=m["cs"].actor, incident_id=inc.id, **POST)
    frozen.advance(hours=2)
    opinion.record_reply(session, actor=m["cs"].actor, incident_id=inc.id, source_id=src.id,
                         text="您好，已为您办理退款并下架该批次，欢迎联系客服 400-000-0000",
                         url="https://www.xiaohongshu.com/explore/64f0c1a2#reply")
    session.commit()
    with pytest.raises(Conflict):
        begin_write(session)
        opinion.record_reply(session, actor=m["cs"].actor, incident_id=inc.id, source_id=src.id, text="再次")
    session.rollback()
    frozen.advance(hours=7)
    session.rollback()
    assert jobs.run_due(session_factory)["opinion_replies_overdue"] == 0
    assert events(session, inc.id, "opinion.replied")[0].payload["on_time"] is True
    row = session.get(OpinionSource, src.id)
    assert queries.reply_state(row, frozen.current) == "replied"


def test_bad_input_names_the_field_and_outsiders_are_refused(session, counter):
    m, inc = counter, counter["incident"]
    cs = m["cs"].actor
    for data, field in [({**POST, "platform": "myspace"}, "platform"), ({**POST, "url": "javascript:alert(1)"}, "url"),
                        ({**POST, "title": "  "}, "title"), ({**POST, "first_seen_at": "2099-01-01T00:00:00+08:00"},
                                                              "first_seen_at")]:
        with pytest.raises(ValidationError) as e:
            opinion.add_source(session, actor=cs, incident_id=inc.id, **data)
        assert e.value.field == field
    src = opinion.add_source(session, actor=cs, incident_id=inc.id, **{**POST, "negative": False})
    assert src.reply_due_at is None
    for data, field in [({}, "reposts"), ({"reposts": -1}, "reposts"), ({"likes": True}, "likes"),
                        ({"reads": 10, "taken_at": "yesterday"}, "taken_at")]:
        with pytest.raises(ValidationError) as e:
            opinion.add_snapshot(session, actor=cs, incident_id=inc.id, source_id=src.id, data=data)
        assert e.value.field == field
    with pytest.raises(ValidationError) as e:
        opinion.add_snapshot(session, actor=cs, incident_id=inc.id, source_id=src.id, data={"reads": 1},
                             screenshot=("a.pdf", "application/pdf", b"%PDF-1.4"))
    assert e.value.field == "screenshot"
    with pytest.raises(Forbidden):
        opinion.add_source(session, actor=m["outsider"].actor, incident_id=inc.id, **POST)
