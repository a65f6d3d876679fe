"""The strip on top of the incident board: what needs me now, in one read (no Flask).

grade, the next deadline and how many are overdue, the formation state, the crowd's state
(claimants, representatives, settled), my unread notifications and my seat's open steps.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.crowd.claimants.models import Claimant
from incident.crowd.representatives.service import active as active_representatives
from incident.models import Incident
from incident.taskgroup.formation import formation_status
from incident.taskgroup.queries import seats_of
from playbooks.models import ChecklistItem, ItemKind, ItemStatus
from playbooks.notify.models import Notification
from playbooks.views import item_dict

MY_STEPS_SHOWN = 3


def pending_items(session: Session, incident_ids: list[int]) -> list[ChecklistItem]:
    """Open checklist items with a deadline, soonest first."""
    if not incident_ids:
        return []
    return list(session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id.in_(incident_ids), ChecklistItem.status == ItemStatus.PENDING.value,
        ChecklistItem.due_at.is_not(None)).order_by(ChecklistItem.due_at, ChecklistItem.id)))


def formation_state(inc: Incident, now: datetime) -> dict[str, Any]:
    """formed / formed_late / forming / missed, with the times behind it."""
    st = formation_status(inc, now)
    if st["formed"]:
        state = "formed_late" if st["missed"] else "formed"
    else:
        state = "missed" if st["overdue"] else "forming"
    return {"state": state, "due_at": st["due_at"], "formed_at": st["formed_at"]}


def crowd_state(session: Session, incident_id: int) -> dict[str, int]:
    counts = dict(session.execute(select(Claimant.status, func.count(Claimant.id))
                                  .where(Claimant.incident_id == incident_id).group_by(Claimant.status)).all())
    return {"claimants": int(counts.get("active", 0)), "settled": int(counts.get("settled", 0)),
            "representatives": len(active_representatives(session, incident_id))}


def unread_for(session: Session, user_id: int | None, incident_id: int) -> dict[str, int]:
    if user_id is None:
        return {"here": 0, "all": 0}
    rows = dict(session.execute(select(Notification.incident_id, func.count(Notification.id))
                                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                                .group_by(Notification.incident_id)).all())
    return {"here": int(rows.get(incident_id, 0)), "all": sum(int(n) for n in rows.values())}


def strip(session: Session, inc: Incident, user_id: int | None, now: datetime) -> dict[str, Any]:
    """The strip's data as a JSON-able dict (the page renders it; the live push re-renders it)."""
    items = pending_items(session, [inc.id])
    overdue = [i for i in items if i.due_at is not None and i.due_at <= now]
    nxt = items[0] if items else None
    mine = seats_of(session, inc.id, user_id)
    my_open = list(session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.status == ItemStatus.PENDING.value,
        ChecklistItem.kind == ItemKind.STEP.value, ChecklistItem.seat.in_(mine or {""}))
        .order_by(ChecklistItem.due_at.is_(None), ChecklistItem.due_at, ChecklistItem.id))) if mine else []
    return {
        "incident_id": inc.id, "now": now.isoformat(), "grade": inc.grade, "status": inc.status,
        "next": item_dict(nxt, now) if nxt else None,
        "overdue": len(overdue),
        "formation": formation_state(inc, now),
        "crowd": crowd_state(session, inc.id),
        "unread": unread_for(session, user_id, inc.id),
        "my_seats": sorted(mine),
        "my_steps": {"open": len(my_open), "overdue": sum(1 for i in my_open if i.due_at is not None and i.due_at <= now),
                     "first": [item_dict(i, now) for i in my_open[:MY_STEPS_SHOWN]]},
    }
