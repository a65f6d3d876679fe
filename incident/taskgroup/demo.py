"""Demo data: the demo incident's task group (leader already seated by open_incident)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from incident.enums import Seat
from incident.models import Incident
from incident.taskgroup.service import assign_seat

DEMO_SEATS = (("service", Seat.CUSTOMER_SERVICE), ("engineer", Seat.BUSINESS), ("legal", Seat.LEGAL),
              ("logistics", Seat.LOGISTICS))


def seat_demo_group(session: Session, inc: Incident, users: dict[str, Any]) -> None:
    """Seat the demo users through the real service (so the timeline shows the group forming)."""
    leader = users["leader"].actor
    for username, seat in DEMO_SEATS:
        assign_seat(session, actor=leader, incident_id=inc.id, seat=seat.value,
                    holder={"user_id": users[username].id})
