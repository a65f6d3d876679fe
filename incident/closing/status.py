"""Status changes through the closing gate: open → command → closing → resolved → closed, and reopen.

Resolving and closing are refused (Conflict, field "gate", with the open items) until the gate
passes; a manager may override it with a reason (its own event). Closing also needs the archive
record (problem type, root cause) and freezes it; reopening a closed incident needs a reason and
starts a new round (new sign-offs, a new archive record).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.closing import archive, gate
from incident.closing import conditions as _conditions  # noqa: F401  (registers the core's conditions)
from incident.closing.gate import GateItem
from incident.closing.rounds import current_round
from incident.enums import IncidentStatus
from incident.errors import Conflict, ValidationError
from incident.models import Incident

TRANSITIONS = {
    "open": {"command", "resolved", "closed"},
    "command": {"closing", "resolved", "closed"},
    "closing": {"command", "resolved", "closed"},
    "resolved": {"command", "closing", "closed"},  # back to work: a second round of handling
    "closed": {"command"},                         # reopen, with a reason
}
GATED = frozenset({IncidentStatus.RESOLVED.value, IncidentStatus.CLOSED.value})


def blocking(session: Session, inc: Incident, status: str) -> list[GateItem]:
    """What still blocks moving to *status* (the gate; for closing also the archive record)."""
    items = gate.open_items(session, inc)
    if status == IncidentStatus.CLOSED.value:
        items += [i for i in _conditions.archive(session, inc) if not i.ok]
    return items


def change_status(session: Session, *, actor: Actor, incident_id: int, status: Any, reason: Any = "",
                  override_reason: Any = "", expected_version: int | None = None) -> Incident:
    """Move the incident to *status*; resolve/close only through the gate (or a manager's override)."""
    inc = service.load_for(session, actor, incident_id, Action.INCIDENT_CLOSE)
    service.check_version(inc, expected_version)
    if status not in {s.value for s in IncidentStatus}:
        raise ValidationError("status must be one of " + ", ".join(s.value for s in IncidentStatus), field="status")
    if status not in TRANSITIONS[inc.status]:
        raise Conflict("cannot go from %(from_status)s to %(to_status)s", field="status",
                       from_status=inc.status, to_status=status)
    reason = reason.strip()[:500] if isinstance(reason, str) else ""
    override = override_reason.strip()[:500] if isinstance(override_reason, str) else ""
    before = inc.status
    reopening = before == IncidentStatus.CLOSED.value
    if reopening and not reason:
        raise ValidationError("reopening needs a reason", field="reason")
    if status in GATED:
        open_now = blocking(session, inc, status)
        if status == IncidentStatus.CLOSED.value and any(i.key == "archive.record" for i in open_now):
            raise Conflict("fill in the archive record (problem type and root cause) before closing",
                           field="archive", open_items=[i.to_dict() for i in open_now])
        if open_now and not override:
            raise Conflict("the closing gate has %(n)s open items", field="gate", n=len(open_now),
                           open_items=[i.to_dict() for i in open_now])
        if open_now:
            require(session, actor, Action.GATE_OVERRIDE, inc.id)
            timeline.record(session, inc, "closing.gate_overridden", actor, {
                "from": before, "to": status, "reason": override, "round": current_round(session, inc),
                "open_items": [i.to_dict() for i in open_now]})
    rnd = current_round(session, inc)
    if status == IncidentStatus.CLOSED.value:
        archive.freeze(session, inc, actor, rnd)
    inc.version += 1
    inc.status = status
    inc.closed_at = clock.now() if status == IncidentStatus.CLOSED.value else None
    payload: dict[str, Any] = {"from": before, "to": status, "reason": reason, "round": rnd}
    if reopening:
        payload["round"] = rnd + 1
        payload["reopened"] = True
    timeline.record(session, inc, "status.changed", actor, payload)
    return inc



def override_of_close(session: Session, inc: Incident) -> dict[str, Any] | None:
    """Who overrode the gate to close the incident, when and why; None unless closed that way."""
    from sqlalchemy import select

    from incident.timeline.models import Event
    if inc.status != IncidentStatus.CLOSED.value:
        return None
    # the override is recorded just before the close's status change, in the same transaction
    last = list(session.scalars(select(Event).where(
        Event.incident_id == inc.id, Event.type.in_(("status.changed", "closing.gate_overridden")))
        .order_by(Event.seq.desc()).limit(2)))
    if len(last) < 2 or last[1].type != "closing.gate_overridden" or last[1].payload.get("to") != inc.status:
        return None
    ev = last[1]
    return {"name": ev.actor_name, "at": ev.at.isoformat(), "reason": ev.payload.get("reason", ""),
            "n": len(ev.payload.get("open_items") or [])}
