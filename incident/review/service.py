"""The review of a period: every figure in one JSON-ready dict (the page, the PDF and the API show it)."""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident import clock
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.crowd.claimants.models import Claimant
from incident.review import figures, repeats
from incident.review.period import Period, trend_months
from incident.review.rows import Case, cases, improvements, taxonomy
from incident.review.targets import Targets
from incident.timeline.models import Event


def _chunks(ids: list[int], n: int = 500):  # type: ignore[no-untyped-def]
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def overdue_steps(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Playbook steps that went overdue in these cases: how often, in how many cases, biggest first."""
    count: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[int]] = {}
    titles: dict[tuple[str, str], dict[str, str]] = {}
    for chunk in _chunks(ids):
        for incident_id, p in session.execute(select(Event.incident_id, Event.payload).where(
                Event.type == "playbook.step_overdue", Event.incident_id.in_(chunk))):
            key = (str(p.get("playbook") or ""), str(p.get("step") or ""))
            count[key] += 1
            where.setdefault(key, set()).add(incident_id)
            titles.setdefault(key, p.get("title") or {"en": key[1]})
    return [{"playbook": k[0], "step": k[1], "title": titles[k], "count": n, "cases": len(where[k])}
            for k, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))]


def segments(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Buildings, floors, shops (the claimants' segments): in how many of these cases each appears."""
    per: Counter[str] = Counter()
    for chunk in _chunks(ids):
        for seg, n in session.execute(select(Claimant.segment, func.count(func.distinct(Claimant.incident_id)))
                                      .where(Claimant.incident_id.in_(chunk), Claimant.segment != "")
                                      .group_by(Claimant.segment)):
            per[seg] += n
    return [{"name": k, "count": n} for k, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))]


def improvement_actions(session: Session, ids: list[int], now: datetime) -> dict[str, Any]:
    rows = improvements(session, ids)
    overdue = [(a, ref) for a, ref in rows if a.status == "open" and a.due_at < now]
    return {"total": len(rows), "open": sum(1 for a, _ in rows if a.status == "open"),
            "done": sum(1 for a, _ in rows if a.status == "done"), "overdue": len(overdue),
            "overdue_list": [{"ref": ref, "title": a.title, "owner": a.owner, "due_at": a.due_at.isoformat()}
                             for a, ref in overdue[:50]]}


def review(session: Session, *, actor: Actor, period: Period, place: str | None = None,
           type_id: int | None = None, targets: Targets = Targets(), now: datetime | None = None) -> dict[str, Any]:
    """The review of *period* (optionally one place, one problem type or group)."""
    require(session, actor, Action.REVIEW_VIEW)
    now = now or clock.now()
    tax = taxonomy(session)
    months = trend_months(period)
    window = timedelta(days=targets.repeat_window_days)
    start, end = period.start, period.end
    fetched = cases(session, min(months[0].start, start - window), end, place=place, type_id=type_id, tax=tax)
    cut = bisect_left([c.closed_at for c in fetched], start)
    inside, earlier = fetched[cut:], fetched[:cut]
    before = [c for c in earlier if c.closed_at >= start - window]
    ids = [c.incident_id for c in inside]
    trend, closed = [], [c.closed_at for c in fetched]  # fetched is in closing order
    for m in months:
        got = figures.satisfaction(fetched[bisect_left(closed, m.start):bisect_left(closed, m.end)],
                                   targets.satisfaction)
        trend.append({"month": m.key(), "cases": got["cases"], "answered": got["answered"], "share": got["share"]})
    same_place = repeats.place_and_type(inside, earlier, targets.repeat_window_days, tax)
    phones = repeats.phones(session, inside, before)
    return {
        "period": period.to_dict(), "filters": {"place": place or None, "problem_type_id": type_id},
        "targets": targets.to_dict(), "total": len(inside), "demo": sum(1 for c in inside if c.demo),
        "problem_types": figures.pareto(inside, tax), "places": figures.by_place(inside),
        "segments": segments(session, ids), "grades": figures.grades(inside),
        "handling": figures.handling(inside, targets), "overdue_steps": overdue_steps(session, ids),
        "satisfaction": figures.satisfaction(inside, targets.satisfaction) | {"trend": trend},
        "repeats": {"window_days": targets.repeat_window_days,
                    "place_type": same_place, "place_type_count": sum(g["repeats"] for g in same_place),
                    "phones": phones, "phone_count": len(phones)},
        "paid": figures.paid(inside), "improvements": improvement_actions(session, ids, now),
    }


