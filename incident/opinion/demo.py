"""Demo opinion watch (issue 14): an owner's Douyin video about the lifts, counted three times over
the past hour (210 → 340 → 520 reposts), so the board shows the trend, the growth and the alert."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.models import Incident
from incident.opinion import growth
from incident.opinion import service as opinion
from incident.opinion.models import OpinionSource

DEMO_POST = {"platform": "douyin", "url": "https://www.douyin.com/video/7300000000000000086",
             "title": "锦绣花园业主发视频：电梯一个月坏六次，老人被困40分钟", "negative": True}
# minutes before now, reposts, reads, comments
DEMO_COUNTS = ((65, 210, 12_400, 96), (35, 340, 19_800, 151), (5, 520, 31_500, 238))


def load_demo_opinion(session: Session, inc: Incident, users: dict[str, Any],
                      rule: growth.Rule = growth.Rule()) -> None:
    """DEMO_HOOK: customer service watches the post and records three snapshots (through the service)."""
    if session.scalar(select(OpinionSource.id).where(OpinionSource.incident_id == inc.id).limit(1)) is not None:
        return
    actor = users["service"].actor
    now = clock.now()
    src = opinion.add_source(session, actor=actor, incident_id=inc.id, rule=rule,
                             first_seen_at=(now - timedelta(minutes=80)).isoformat(), **DEMO_POST)
    for minutes, reposts, reads, comments in DEMO_COUNTS:
        opinion.add_snapshot(session, actor=actor, incident_id=inc.id, source_id=src.id, rule=rule, data={
            "taken_at": (now - timedelta(minutes=minutes)).isoformat(), "reposts": reposts, "reads": reads,
            "comments": comments, "note": "演示数据"})
