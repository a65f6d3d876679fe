"""A recorded snapshot completes the playbook step "count reposts" (public_opinion, done_by:
opinion.snapshot) right away, once per round: the snapshot that completed a round, or another one
within half the cadence, never ticks the round it opened; the next count half an hour later does."""
from __future__ import annotations

from sqlalchemy import select

from incident.db import begin_write
from incident.opinion import service as opinion
from playbooks import engine
from playbooks.models import ChecklistItem
from playbooks.scheduler import jobs
from playbooks.scheduler import opinion as pb_opinion
from tests.opinion.conftest import events

POST = {"platform": "douyin", "url": "https://www.douyin.com/video/1", "title": "专柜过期面霜视频"}


def rounds(session, inc):  # type: ignore[no-untyped-def]
    return list(session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.playbook == "public_opinion",
        ChecklistItem.step == "count_reposts").order_by(ChecklistItem.round)))


def test_a_snapshot_ticks_count_reposts_once(session, session_factory, counter, frozen):
    m, inc = counter, counter["incident"]
    engine.attach(session, actor=m["leader"].actor, incident_id=inc.id, key="public_opinion")
    src = opinion.add_source(session, actor=m["cs"].actor, incident_id=inc.id, rule=pb_opinion.rule(), **POST)
    session.commit()
    begin_write(session)
    assert [r.status for r in rounds(session, inc)] == ["pending"]

    frozen.advance(minutes=10)
    opinion.add_snapshot(session, actor=m["cs"].actor, incident_id=inc.id, source_id=src.id,
                         data={"reposts": 210}, rule=pb_opinion.rule())
    session.commit()
    first, second = rounds(session, inc)
    assert (first.status, first.done_at, first.done_by_name) == ("done", frozen.current, "system")
    assert second.status == "pending" and second.due_at is not None
    done = events(session, inc.id, "playbook.step_done")
    assert len(done) == 1 and done[0].payload["done_by"] == "opinion.snapshot"

    # the scheduler's passes do not tick the next round with the same snapshot
    session.rollback()
    for _ in range(3):
        jobs.run_due(session_factory)
    session.rollback()
    assert [r.status for r in rounds(session, inc)] == ["done", "pending"]
    assert len(events(session, inc.id, "playbook.step_done")) == 1

    # a second count a few minutes later (another post, a correction) does not tick the next round
    frozen.advance(minutes=5)
    begin_write(session)
    opinion.add_snapshot(session, actor=m["cs"].actor, incident_id=inc.id, source_id=src.id,
                         data={"reposts": 260}, rule=pb_opinion.rule())
    session.commit()
    session.rollback()
    jobs.run_due(session_factory)
    session.rollback()
    assert [r.status for r in rounds(session, inc)] == ["done", "pending"]

    # the next count, half an hour later, completes the next round (and only it)
    frozen.advance(minutes=25)
    begin_write(session)
    opinion.add_snapshot(session, actor=m["cs"].actor, incident_id=inc.id, source_id=src.id,
                         data={"reposts": 340}, rule=pb_opinion.rule())
    session.commit()
    session.rollback()
    jobs.run_due(session_factory)
    session.rollback()
    assert [r.status for r in rounds(session, inc)] == ["done", "done", "pending"]
    assert len(events(session, inc.id, "playbook.step_done")) == 2
