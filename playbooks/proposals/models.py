"""A playbook proposed to an incident's leader because its trigger started to match (issue 12)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    ATTACHED = "attached"
    DISMISSED = "dismissed"


class PlaybookProposal(Base):
    """One proposal per playbook and incident: once dismissed it is not proposed again."""

    __tablename__ = "playbook_proposals"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.PROPOSED.value)
    cause: Mapped[str] = mapped_column(String(64), default="")
    # What matched: the facts the trigger looked at (risk categories, circumstances, scope …).
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
