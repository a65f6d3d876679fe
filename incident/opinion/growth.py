"""Growth per interval and the alert rule, as pure functions over a source's snapshots.

Growth of a snapshot = its value minus the previous snapshot's, per metric (None when either
side did not show the metric). The rule looks at the *rate per 30 minutes* of the rule's metric:
the increase since the latest snapshot taken at least 30 minutes earlier (scaled down to 30
minutes when that one is older), or, within the first half hour, since the first snapshot — so
quick snapshots five minutes apart never inflate a rate, and never hide a burst either.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, Sequence

from incident.opinion.platforms import METRICS

WINDOW = timedelta(minutes=30)


class Point(Protocol):
    taken_at: datetime
    reads: int | None
    reposts: int | None
    comments: int | None
    likes: int | None


@dataclass(frozen=True)
class Rule:
    """What makes a source worth telling the leader about (admin settings, concord.json)."""

    metric: str = "reposts"      # the metric whose growth counts
    growth_30min: int = 150      # alert when it grows by more than this in 30 minutes
    reads_level: int = 100_000   # … or when reads / views pass this level
    reply_hours: float = 8.0     # a negative post or review is answered within this
    cadence_minutes: int = 30    # a snapshot is due this long after the last (the playbook's repeat)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "growth_30min": self.growth_30min, "reads_level": self.reads_level,
                "reply_hours": self.reply_hours, "cadence_minutes": self.cadence_minutes}


def _delta(now: int | None, before: int | None) -> int | None:
    return None if now is None or before is None else now - before


def rows(points: Sequence[Point]) -> list[dict[str, Any]]:
    """Each snapshot with its growth since the previous one and the minutes between them."""
    out: list[dict[str, Any]] = []
    prev: Point | None = None
    for p in sorted(points, key=lambda x: x.taken_at):
        growth = {m: _delta(getattr(p, m), getattr(prev, m)) if prev else None for m in METRICS}
        minutes = round((p.taken_at - prev.taken_at).total_seconds() / 60) if prev else None
        out.append({"taken_at": p.taken_at, "growth": growth, "minutes": minutes,
                    **{m: getattr(p, m) for m in METRICS}})
        prev = p
    return out


def rate_30min(points: Sequence[Point], metric: str) -> int | None:
    """The metric's increase in the last 30 minutes at the latest snapshot (see the module doc)."""
    seen = sorted((p for p in points if getattr(p, metric) is not None), key=lambda x: x.taken_at)
    if len(seen) < 2:
        return None
    last = seen[-1]
    older = [p for p in seen[:-1] if p.taken_at <= last.taken_at - WINDOW]
    ref = older[-1] if older else seen[0]
    delta = getattr(last, metric) - getattr(ref, metric)
    span = last.taken_at - ref.taken_at
    if span > WINDOW:
        delta = round(delta * WINDOW.total_seconds() / span.total_seconds())
    return delta


def triggered(points: Sequence[Point], rule: Rule, already: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The rule's kinds newly met at the latest snapshot: "growth" and/or "reads", each once per source."""
    out: list[dict[str, Any]] = []
    rate = rate_30min(points, rule.metric)
    if "growth" not in already and rate is not None and rate > rule.growth_30min:
        out.append({"kind": "growth", "metric": rule.metric, "value": rate, "threshold": rule.growth_30min})
    last = max(points, key=lambda x: x.taken_at) if points else None
    if "reads" not in already and last is not None and last.reads is not None and last.reads > rule.reads_level:
        out.append({"kind": "reads", "metric": "reads", "value": last.reads, "threshold": rule.reads_level})
    return out
