"""Task-group use cases: assign, replace (hand over) and release seats.

Each change takes the incident lock, checks the caller's view of the group (a seat change names
the tenure it saw, and may also send the group version), writes one timeline event, and may
complete the group's formation (a second event, "taskgroup.formed", exactly once per incident).
"""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import Actor
from incident.access.permissions import LACKS_QUALIFICATION, SEAT_QUALIFICATIONS, Action
from incident.accounts.models import User
from incident.enums import IncidentStatus, Seat
from incident.errors import Conflict, Forbidden, NotFound
from incident.models import Incident
from incident.service import load_for
from incident.taskgroup.formation import maybe_formed
from incident.taskgroup.holders import (
    HolderIn,
    fill,
    holder_dict,
    names_for,
    parse_holder,
    parse_seat,
    same_holder,
    seat_dict,
)
from incident.taskgroup.models import SeatAssignment
from incident.taskgroup.queries import group_version, holder_of


def _load(session: Session, actor: Actor, incident_id: int, expected_version: int | None) -> Incident:
    inc = load_for(session, actor, incident_id, Action.TASKGROUP_CHANGE)
    if inc.status == IncidentStatus.CLOSED.value:
        raise Conflict("the incident is closed", field="status")
    if expected_version is not None and expected_version != group_version(session, inc.id):
        raise Conflict("the task group was changed by someone else; reload and try again",
                       field="version", current_version=group_version(session, inc.id))
    return inc


def _current(session: Session, row: SeatAssignment | None) -> dict[str, Any] | None:
    return None if row is None else seat_dict(row, names_for(session, [row]))


def _tenure(session: Session, inc: Incident, assignment_id: Any) -> SeatAssignment:
    """The tenure the caller saw; a tenure already ended means someone else changed the seat."""
    row = session.get(SeatAssignment, assignment_id) if isinstance(assignment_id, int) else None
    if row is None or row.incident_id != inc.id:
        raise NotFound("no such seat assignment on this incident", field="assignment_id")
    if row.released_at is not None:
        raise Conflict("this seat was changed by someone else in the meantime",
                       field="assignment_id", current_version=group_version(session, inc.id),
                       current=_current(session, holder_of(session, inc.id, row.seat, row.label)))
    return row


def _start(session: Session, inc: Incident, actor: Actor, seat: str, label: str, holder: HolderIn,
           predecessor: SeatAssignment | None = None) -> SeatAssignment:
    row = SeatAssignment(incident_id=inc.id, seat=seat, label=label, assumed_at=clock.now(),
                         assumed_by_id=actor.user_id, predecessor_id=predecessor.id if predecessor else None)
    fill(row, holder)
    session.add(row)
    session.flush()
    return row


def _check_qualified(session: Session, actor: Actor, seat: str, holder: HolderIn) -> None:
    """A qualified seat (legal) only for a user the admin qualified, and never self-appointed."""
    needed = SEAT_QUALIFICATIONS.get(seat)
    if needed is None or holder.user_id is None:
        return
    if holder.user_id == actor.user_id:
        raise Forbidden("you cannot put yourself on the legal seat; someone else must seat you",
                        field="user_id", seat=seat, qualification=needed)
    user = session.get(User, holder.user_id)
    if user is None or needed not in user.qualifications:
        raise Forbidden("only a user the admin marked as legal staff may hold the legal seat"
                        if needed == "legal" else LACKS_QUALIFICATION.get(needed, "qualification missing"),
                        field="user_id", qualification=needed)


def _payload(session: Session, inc: Incident, row: SeatAssignment, **extra: Any) -> dict[str, Any]:
    names = names_for(session, [row])
    holder = holder_dict(row, names)
    summary = holder["name"] + (f" · {row.label}" if row.label else "")
    return {"assignment_id": row.id, "seat": row.seat, "label": row.label, "holder": holder,
            "summary": summary, "group_version": group_version(session, inc.id)} | extra


def assign_seat(session: Session, *, actor: Actor, incident_id: int, seat: Any, label: Any = "",
                holder: Mapping[str, Any], expected_version: int | None = None) -> SeatAssignment:
    """Put a user (or, on an auxiliary seat, an outside person) on an empty seat."""
    inc = _load(session, actor, incident_id, expected_version)
    s, lbl = parse_seat(seat, label)
    taken = holder_of(session, inc.id, s.value, lbl)
    if taken is not None:
        raise Conflict("this seat is already held; replace the holder instead", field="seat",
                       current_version=group_version(session, inc.id), current=_current(session, taken))
    new_holder = parse_holder(session, holder, s)
    _check_qualified(session, actor, s.value, new_holder)
    row = _start(session, inc, actor, s.value, lbl, new_holder)
    timeline.record(session, inc, "taskgroup.seat_assigned", actor, _payload(session, inc, row))
    maybe_formed(session, inc, actor)
    return row


def replace_seat(session: Session, *, actor: Actor, incident_id: int, assignment_id: Any,
                 holder: Mapping[str, Any], expected_version: int | None = None) -> SeatAssignment:
    """Hand a seat over: end the current tenure and start the successor's (the leader seat too)."""
    inc = _load(session, actor, incident_id, expected_version)
    old = _tenure(session, inc, assignment_id)
    new_holder = parse_holder(session, holder, Seat(old.seat))
    _check_qualified(session, actor, old.seat, new_holder)
    if same_holder(old, new_holder):
        raise Conflict("this person already holds the seat", field="user_id" if new_holder.user_id
                       else "outside_name")
    old.released_at, old.released_by_id = clock.now(), actor.user_id
    session.flush()  # end the old tenure before the new one takes the seat key
    row = _start(session, inc, actor, old.seat, old.label, new_holder, predecessor=old)
    previous = holder_dict(old, names_for(session, [old]))
    payload = _payload(session, inc, row, previous=previous, previous_assignment_id=old.id)
    payload["summary"] = f"{previous['name']} → {payload['summary']}"
    timeline.record(session, inc, "taskgroup.seat_replaced", actor, payload)
    maybe_formed(session, inc, actor)
    return row


def release_seat(session: Session, *, actor: Actor, incident_id: int, assignment_id: Any,
                 expected_version: int | None = None) -> SeatAssignment:
    """End a tenure and leave the seat empty; the leader seat can only be handed over."""
    inc = _load(session, actor, incident_id, expected_version)
    row = _tenure(session, inc, assignment_id)
    if row.seat == Seat.LEADER.value:
        raise Conflict("the incident always has a leader: hand the seat over instead of releasing it",
                       field="assignment_id", current_version=group_version(session, inc.id))
    row.released_at, row.released_by_id = clock.now(), actor.user_id
    session.flush()
    timeline.record(session, inc, "taskgroup.seat_released", actor, _payload(session, inc, row))
    return row
