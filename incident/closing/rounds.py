"""Rounds of an incident: a close ends one, a reopen (with a reason) starts the next."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.closing.models import ArchiveRecord
from incident.models import Incident


def closed_rounds(session: Session, incident_id: int) -> int:
    return session.scalar(select(func.count(ArchiveRecord.id)).where(
        ArchiveRecord.incident_id == incident_id, ArchiveRecord.closed_at.is_not(None))) or 0


def current_round(session: Session, inc: Incident) -> int:
    """The round being worked on (the last closed one while the incident is closed)."""
    done = closed_rounds(session, inc.id)
    return max(done, 1) if inc.status == "closed" else done + 1
