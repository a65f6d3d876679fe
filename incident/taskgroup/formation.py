"""The formation clock: the group counts as formed once the leader and the three core seats are filled."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import Actor
from incident.enums import CORE_SEATS
from incident.models import Incident
from incident.taskgroup.holders import holder_dict, names_for
from incident.taskgroup.queries import active_seats


def formation_status(incident: Incident, now: datetime) -> dict[str, Any]:
    """Where the formation clock stands; shared by the board and the playbooks scheduler.

    remaining_seconds counts down to due_at (never negative) and is None once formed;
    missed is True when the deadline passed before formation (or is past and still unformed);
    overdue is True only while the group is unformed after its deadline (what the scheduler acts on).
    """
    due, formed = incident.formation_due_at, incident.formed_at
    end = formed or now
    late = max(0, int((end - due).total_seconds()))
    return {
        "due_at": due.isoformat(),
        "formed_at": formed.isoformat() if formed else None,
        "formed": formed is not None,
        "remaining_seconds": None if formed else max(0, int((due - now).total_seconds())),
        "missed": end > due,
        "overdue": formed is None and now > due,
        "late_seconds": late,
    }


def vacant_core_seats(session: Session, incident_id: int) -> list[str]:
    """Core seats (leader, customer service, business, legal) nobody holds right now."""
    held = {a.seat for a in active_seats(session, incident_id)}
    return [s.value for s in CORE_SEATS if s.value not in held]


def maybe_formed(session: Session, inc: Incident, actor: Actor) -> bool:
    """Mark the group formed the first time all core seats are filled (never again afterwards)."""
    if inc.formed_at is not None or vacant_core_seats(session, inc.id):
        return False
    now = clock.now()
    inc.formed_at = now
    status = formation_status(inc, now)
    core = [a for a in active_seats(session, inc.id) if a.seat in {s.value for s in CORE_SEATS}]
    names = names_for(session, core)
    timeline.record(session, inc, "taskgroup.formed", actor, {
        "formed_at": status["formed_at"], "due_at": status["due_at"], "late": status["missed"],
        "late_seconds": status["late_seconds"],
        "minutes_from_opening": round((now - inc.opened_at).total_seconds() / 60, 1),
        "members": {a.seat: holder_dict(a, names)["name"] for a in core},
    })
    return True
