"""One row per tenure of a seat: assumed, and later released (the handoff history)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class SeatAssignment(Base):
    __tablename__ = "seat_assignments"
    __table_args__ = (Index("ix_seat_assignments_incident_active", "incident_id", "released_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    seat: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(120), default="")  # name of a custom auxiliary seat
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    outside_name: Mapped[str] = mapped_column(String(120), default="")
    outside_phone_cipher: Mapped[str] = mapped_column(Text, default="")
    outside_phone_masked: Mapped[str] = mapped_column(String(32), default="")
    assumed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assumed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
