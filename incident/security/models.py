"""One row per security-relevant event (no PII: ids, staff names, addresses, never claimant data)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class SecurityEvent(Base):
    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_kind_at", "kind", "at"),
                      Index("ix_security_events_user_at", "user_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The staff user it concerns (the caller; for a failed login the account that was tried).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    user_name: Mapped[str] = mapped_column(String(120), default="")
    # The client address (staff security data, kept on purpose: see docs/security.md).
    address: Mapped[str] = mapped_column(String(64), default="")
    incident_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # may name a foreign id
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # HTTP or acknowledgement status
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "kind": self.kind, "user_id": self.user_id,
                "user_name": self.user_name, "address": self.address, "incident_id": self.incident_id,
                "status": self.status, "detail": dict(self.detail or {})}
