"""Callback rows: one per person to call back per round, and each attempt to reach them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.callbacks import scale as _scale  # noqa: F401  (registers the vocabulary)
from incident.callbacks.scale import CallbackStatus
from incident.db import Base, UTCDateTime


class Callback(Base):
    """Call one claimant (or a representative for those they represent) back by a deadline.

    due_at is the anchor's time plus the playbook's offset; the callback is overdue `window_minutes`
    later. due_fired_at / overdue_fired_at are claimed with a conditional UPDATE by the scheduler
    (exactly once, like checklist deadlines)."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_incident_status", "incident_id", "status"),
                      Index("ix_callbacks_due", "status", "due_fired_at", "due_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    spec_key: Mapped[str] = mapped_column(String(100), default="")  # "<playbook>#<n>": scheduled once
    anchor: Mapped[str] = mapped_column(String(32))
    anchor_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offset_minutes: Mapped[int] = mapped_column(Integer)
    window_minutes: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    target: Mapped[str] = mapped_column(String(16))
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("claimants.id", ondelete="SET NULL"), nullable=True)
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("representatives.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    covers: Mapped[list[int]] = mapped_column(JSON, default=list)  # claimant ids the answer speaks for
    status: Mapped[str] = mapped_column(String(16), default=CallbackStatus.OPEN.value)
    satisfaction: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_by_name: Mapped[str] = mapped_column(String(120), default="")
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"), nullable=True)
    due_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    overdue_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[list["CallbackAttempt"]] = relationship(
        back_populates="callback", cascade="all, delete-orphan", order_by="CallbackAttempt.id")


class CallbackAttempt(Base):
    """One try to reach the person: channel, reached or not, and who recorded it."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16))
    reached: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_by_name: Mapped[str] = mapped_column(String(120), default="")
    callback: Mapped[Callback] = relationship(back_populates="attempts")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "channel": self.channel, "reached": self.reached,
                "note": self.note, "recorded_by": self.recorded_by_name}
