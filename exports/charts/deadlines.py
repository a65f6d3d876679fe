"""Deadline status from the timeline: steps done on time, done late, overdue and still open."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.charts.figures import AMBER, GREEN, RED, Bar, bars
from incident.models import Incident
from incident.timeline.models import Event
from incident.timeline.render import Say


def status(session: Session, inc: Incident) -> dict[str, int]:
    done: dict[int, bool] = {}
    overdue: set[int] = set()
    for type_, payload in session.execute(select(Event.type, Event.payload).where(
            Event.incident_id == inc.id, Event.type.in_(("playbook.step_done", "playbook.step_overdue")))):
        item = payload.get("item_id")
        if type_ == "playbook.step_done":
            done[item] = bool(payload.get("late"))
        else:
            overdue.add(item)
    return {"on_time": sum(1 for late in done.values() if not late),
            "late": sum(1 for late in done.values() if late),
            "overdue_open": len(overdue - set(done))}


def deadline_chart(session: Session, inc: Incident, say: Say):  # type: ignore[no-untyped-def]
    s = status(session, inc)
    rows = [Bar(say("done on time"), s["on_time"], GREEN), Bar(say("done late"), s["late"], AMBER),
            Bar(say("overdue, still open"), s["overdue_open"], RED)]
    return bars(say("Deadlines"), rows, empty=say("no playbook step done or overdue yet"))
