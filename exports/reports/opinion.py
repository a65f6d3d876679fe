"""The opinion watch on the report's first page (issue 14): how many posts were watched, the
latest figures of the fastest one, alerts, and the replies to negative posts against their deadline."""
from __future__ import annotations

from sqlalchemy.orm import Session

from exports.reports.summary import Line, register
from incident import clock
from incident.models import Incident
from incident.opinion import growth
from incident.opinion.queries import reply_state
from incident.opinion.service import sources
from incident.timeline.render import Say


@register
def opinion_lines(session: Session, inc: Incident, say: Say) -> list[Line]:
    rows = sources(session, inc.id)
    if not rows:
        return []
    now = clock.now()
    alerted = sum(1 for s in rows if s.alerts)
    states = [reply_state(s, now) for s in rows if s.negative]
    peak = max(rows, key=lambda s: max((x.reposts or 0 for x in s.snapshots), default=0))
    last = peak.snapshots[-1] if peak.snapshots else None
    figures = say.join(say.label("opinion_platform", peak.platform), say.text(peak.title, 30),
                       *[f"{say.label('opinion_metric', m)} {getattr(last, m)}" for m in ("reads", "reposts")
                         if last is not None and getattr(last, m) is not None])
    rate = growth.rate_30min(peak.snapshots, "reposts")
    out = [(say("Opinion watch"), say.join(say("posts watched: %(n)s", n=len(rows)), figures,
                                             say("%(metric)s +%(n)s in 30 minutes", metric=say.label("opinion_metric", "reposts"),
                                                 n=rate) if rate is not None else "",
                                             say("Posts that met the rule: %(n)s.", n=alerted) if alerted else ""))]
    if states:
        out.append((say("Replies to negative posts"), say.join(
            *[f"{say(k)} {states.count(v)}" for k, v in (("replied on time", "replied"), ("replied late", "replied_late"),
                                                         ("reply overdue", "overdue"), ("reply due", "open"))
              if states.count(v)])))
    return out
