"""`concord demo` watches a Douyin video about the lifts with three snapshots (210 → 340 → 520), so a
new user sees the trend, the growth and the alert (in the leader's inbox) right after `make run`."""
from __future__ import annotations

from sqlalchemy import select

from incident.db import begin_write
from incident.opinion import queries
from playbooks.notify.models import Notification
from playbooks.scheduler import opinion as pb_opinion
from tests.opinion.conftest import events


def test_the_demo_incident_has_a_watched_post_with_a_trend_and_an_alert(session):
    from concord.cli.demo import load_demo
    from incident.accounts.models import User
    begin_write(session)
    inc = load_demo(session)
    session.commit()
    watch = queries.watch(session, inc.id, pb_opinion.rule())
    (src,) = watch["sources"]
    assert src["platform"] == "douyin" and src["negative"] is True and src["reply_due_at"]
    rows = src["snapshots"]
    assert [r["reposts"] for r in rows] == [210, 340, 520]
    assert [r["growth"]["reposts"] for r in rows] == [None, 130, 180]
    assert [r["minutes"] for r in rows] == [None, 30, 30]
    (alert,) = events(session, inc.id, "opinion.alert")
    leader = session.scalar(select(User).where(User.username == "leader"))
    assert alert.payload["notified"] == [leader.id]
    assert session.scalar(select(Notification.id).where(Notification.user_id == leader.id,
                                                        Notification.kind == "opinion_alert")) is not None
    ticks = [e for e in events(session, inc.id, "playbook.step_done") if e.payload["step"] == "count_reposts"]
    assert len(ticks) == 1                              # three counts recorded at once tick one round
    begin_write(session)
    assert load_demo(session).id == inc.id          # idempotent: still one source
    assert len(queries.watch(session, inc.id, pb_opinion.rule())["sources"]) == 1
