"""Read-side questions about seats, used by access checks."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.taskgroup.models import SeatAssignment


def active_seats(session: Session, incident_id: int) -> list[SeatAssignment]:
    """Seats currently held on an incident."""
    stmt = select(SeatAssignment).where(SeatAssignment.incident_id == incident_id,
                                        SeatAssignment.released_at.is_(None)).order_by(SeatAssignment.id)
    return list(session.scalars(stmt))


def seats_of(session: Session, incident_id: int, user_id: int | None) -> set[str]:
    """The seats a user holds on an incident (empty for outsiders and the system)."""
    if user_id is None:
        return set()
    stmt = select(SeatAssignment.seat).where(SeatAssignment.incident_id == incident_id,
                                             SeatAssignment.user_id == user_id,
                                             SeatAssignment.released_at.is_(None))
    return set(session.scalars(stmt))


def incident_ids_of(session: Session, user_id: int) -> set[int]:
    stmt = select(SeatAssignment.incident_id).where(SeatAssignment.user_id == user_id,
                                                    SeatAssignment.released_at.is_(None))
    return set(session.scalars(stmt))
