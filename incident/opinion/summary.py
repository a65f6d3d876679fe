"""The short summary the leader forwards upward (舆情简报): a few lines per watched source — its
latest figures and their growth in 30 minutes, the reply state of a negative one — and the rule."""
from __future__ import annotations

from typing import Any

from incident import clock
from incident.models import Incident
from incident.opinion.wording import figures
from incident.timeline.render import Say

REPLY = {"open": "reply due %(at)s", "overdue": "reply overdue since %(at)s", "replied": "replied on time",
         "replied_late": "replied late"}


def _figures(say: Say, s: dict[str, Any]) -> str:
    last = s["snapshots"][-1] if s["snapshots"] else None
    return figures(say, last) if last is not None else say("no snapshot recorded yet")


def text(inc: Incident, watch: dict[str, Any], say: Say) -> str:
    """Plain text, one line per source, ready to paste into a chat or a mail."""
    now = clock.now()
    lines = [say("Opinion summary %(ref)s %(title)s (as of %(at)s, %(zone)s)", ref=inc.ref, title=inc.title,
                 at=say.time(now, "datetime"), zone=clock.zone_label(say))]
    if not watch["sources"]:
        lines.append(say("No post is watched yet."))
    for s in watch["sources"]:
        rate = s.get("rate_30min")
        line = say.join(say.label("opinion_platform", s["platform"]), f"「{say.text(s['title'], 60)}」",
                        _figures(say, s),
                        say("%(metric)s +%(n)s in 30 minutes", metric=say.label("opinion_metric", watch["rule"]["metric"]),
                            n=rate) if isinstance(rate, int) else "",
                        say("negative") if s["negative"] else "",
                        say(REPLY[s["reply_state"]], at=say.time(s["reply_due_at"], "datetime"))
                        if s.get("reply_state") else "")
        lines.append("· " + line)
    r = watch["rule"]
    lines.append(say("Rule: %(metric)s growing by more than %(growth)s in 30 minutes, or reads above %(reads)s, "
                     "alerts the leader.", metric=say.label("opinion_metric", r["metric"]), growth=r["growth_30min"],
                     reads=r["reads_level"]))
    alerted = [s for s in watch["sources"] if s["alerts"]]
    if alerted:
        lines.append(say("Posts that met the rule: %(n)s.", n=len(alerted)))
    if watch.get("next_snapshot_due_at"):
        lines.append(say("Next snapshot due %(at)s.", at=say.time(watch["next_snapshot_due_at"], "datetime")))
    return "\n".join(lines)
