"""Verification samples: a reproducible random draw of claimants and each one's verified outcome."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime


class Outcome(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    PARTLY = "partly"
    UNREACHABLE = "unreachable"


class SampleDraw(Base):
    """One draw; the timeline event of the same draw carries everything needed to re-run it."""

    __tablename__ = "sample_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    claim: Mapped[str] = mapped_column(Text)                 # what is verified, in the crowd's words
    k: Mapped[int] = mapped_column(Integer)
    stratified: Mapped[bool] = mapped_column(default=False)
    algorithm: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))            # hex
    population_size: Mapped[int] = mapped_column(Integer)
    population_hash: Mapped[str] = mapped_column(String(64))
    event_seq: Mapped[int] = mapped_column(Integer, default=0)  # the sample.drawn event
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    drawn_by_name: Mapped[str] = mapped_column(String(120), default="")

    members: Mapped[list["SampleMember"]] = relationship(
        back_populates="draw", cascade="all, delete-orphan", order_by="SampleMember.position")


class SampleMember(Base):
    __tablename__ = "sample_members"
    __table_args__ = (UniqueConstraint("draw_id", "claimant_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("sample_draws.id", ondelete="CASCADE"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)           # order in the draw (rank)
    segment: Mapped[str] = mapped_column(String(120), default="")
    outcome: Mapped[str] = mapped_column(String(16), default=Outcome.PENDING.value)
    note: Mapped[str] = mapped_column(Text, default="")
    attachment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recorded_by_name: Mapped[str] = mapped_column(String(120), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    draw: Mapped[SampleDraw] = relationship(back_populates="members")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "claimant_id": self.claimant_id, "position": self.position,
                "segment": self.segment, "outcome": self.outcome, "note": self.note,
                "attachment_ids": list(self.attachment_ids or []), "version": self.version,
                "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
                "recorded_by": self.recorded_by_name}
