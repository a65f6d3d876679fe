"""Read-side questions about seats, used by access checks, the services and the board."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.access import memo
from incident.taskgroup.models import SeatAssignment


def active_seats(session: Session, incident_id: int) -> list[SeatAssignment]:
    """Seats currently held on an incident."""
    stmt = select(SeatAssignment).where(SeatAssignment.incident_id == incident_id,
                                        SeatAssignment.released_at.is_(None)).order_by(SeatAssignment.id)
    return list(session.scalars(stmt))


def seat_history(session: Session, incident_id: int) -> list[SeatAssignment]:
    """Every tenure of every seat of an incident, oldest first (the handoff history)."""
    stmt = select(SeatAssignment).where(SeatAssignment.incident_id == incident_id) \
        .order_by(SeatAssignment.assumed_at, SeatAssignment.id)
    return list(session.scalars(stmt))


def holder_of(session: Session, incident_id: int, seat: str, label: str = "") -> SeatAssignment | None:
    """The current tenure of one seat key, if anyone holds it."""
    stmt = select(SeatAssignment).where(SeatAssignment.incident_id == incident_id,
                                        SeatAssignment.seat == seat, SeatAssignment.label == label,
                                        SeatAssignment.released_at.is_(None))
    return session.scalars(stmt).first()


def group_version(session: Session, incident_id: int) -> int:
    """A counter that grows with every seat change: tenures started plus tenures ended."""
    started = session.scalar(select(func.count(SeatAssignment.id))
                             .where(SeatAssignment.incident_id == incident_id)) or 0
    ended = session.scalar(select(func.count(SeatAssignment.id))
                           .where(SeatAssignment.incident_id == incident_id,
                                  SeatAssignment.released_at.is_not(None))) or 0
    return int(started) + int(ended)


def seats_of(session: Session, incident_id: int, user_id: int | None) -> set[str]:
    """The seats a user holds on an incident (empty for outsiders and the system)."""
    if user_id is None:
        return set()
    stmt = select(SeatAssignment.seat).where(SeatAssignment.incident_id == incident_id,
                                             SeatAssignment.user_id == user_id,
                                             SeatAssignment.released_at.is_(None))
    # asked by the permission hook and again by the service in one request: one query
    return set(memo.remember(session, ("seats", incident_id, user_id), lambda: frozenset(session.scalars(stmt))))


def incident_ids_of(session: Session, user_id: int) -> set[int]:
    """Incidents on which the user currently holds a seat."""
    stmt = select(SeatAssignment.incident_id).where(SeatAssignment.user_id == user_id,
                                                    SeatAssignment.released_at.is_(None))
    return set(session.scalars(stmt))
