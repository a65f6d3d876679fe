"""Task-group rows: seat tenures (the handoff history), recording consents and recordings."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime

_ACTIVE = text("released_at IS NULL")


class SeatAssignment(Base):
    """One tenure of a seat: assumed, and later released; a handoff links to its predecessor."""

    __tablename__ = "seat_assignments"
    __table_args__ = (
        Index("ix_seat_assignments_incident_active", "incident_id", "released_at"),
        # At most one current holder per seat key: the database settles two simultaneous assigns.
        Index("uq_seat_assignments_active_seat", "incident_id", "seat", "label", unique=True,
              sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
    )

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
    # The tenure this one took over from (a replacement); None for a fresh assignment.
    predecessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("seat_assignments.id", ondelete="SET NULL"), nullable=True)

    @property
    def active(self) -> bool:
        return self.released_at is None


class ConsentMethod(StrEnum):
    SPOKEN = "spoken"    # said aloud, ideally at the start of the recording itself
    WRITTEN = "written"  # signed statement


class RecordingKind(StrEnum):
    AUDIO = "audio"
    VIDEO = "video"


class RecordingConsent(Base):
    """The complainants' informed consent to be recorded: who, how, and before which recorder."""

    __tablename__ = "recording_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    consented_by: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(16))
    recorder_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("seat_assignments.id", ondelete="SET NULL"), nullable=True)
    recorder_name: Mapped[str] = mapped_column(String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(500), default="")


class Recording(Base):
    """An audio or video note; it always names the consent it was made under."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("recording_consents.id", ondelete="RESTRICT"))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    caption: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
