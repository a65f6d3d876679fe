"""Arrange a crowd directly as rows (the claimant service is tested by its own feature)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from incident import clock
from incident.crowd.models import Claimant


def add_claimants(session: Session, incident: Any, segments: dict[str, int]) -> list[Claimant]:
    """Create claimants per segment, e.g. {"3号楼": 30, "4号楼": 20}; returns them in id order."""
    rows = []
    for seg, n in segments.items():
        for i in range(n):
            rows.append(Claimant(incident_id=incident.id, name=f"{seg}-{i + 1}号业主", unit=f"{seg}-{i + 1}",
                                 unit_key=f"{seg}-{i + 1}", segment=seg, joined_at=clock.now()))
    session.add_all(rows)
    session.flush()
    return rows
