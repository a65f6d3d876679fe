"""Watched sources (a post, a video, a review) and their metric snapshots."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime
from incident.opinion import platforms as _platforms  # noqa: F401  (registers the labels)


class OpinionSource(Base):
    """One post or review being watched. A negative one has its own reply deadline: reply_due_at,
    claimed once by the scheduler through reply_fired_at (a conditional UPDATE, like checklist
    deadlines); the reply that meets it is recorded in replied_at / reply_*."""

    __tablename__ = "opinion_sources"
    __table_args__ = (Index("ix_opinion_sources_reply_due", "replied_at", "reply_fired_at", "reply_due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(300))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    negative: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reply_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reply_text: Mapped[str] = mapped_column(Text, default="")
    reply_url: Mapped[str] = mapped_column(String(1000), default="")
    replied_by_name: Mapped[str] = mapped_column(String(120), default="")
    alerts: Mapped[list[str]] = mapped_column(JSON, default=list)  # rule kinds already alerted
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    snapshots: Mapped[list["OpinionSnapshot"]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="OpinionSnapshot.taken_at")


class OpinionSnapshot(Base):
    """The metrics a platform showed at one moment, with the screenshot that proves them."""

    __tablename__ = "opinion_snapshots"
    __table_args__ = (Index("ix_opinion_snapshots_source_taken", "source_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("opinion_sources.id", ondelete="CASCADE"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reads: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reposts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comments: Mapped[int | None] = mapped_column(Integer, nullable=True)
    likes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), nullable=True)
    screenshot_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[OpinionSource] = relationship(back_populates="snapshots")

    def metrics(self) -> dict[str, Any]:
        return {"reads": self.reads, "reposts": self.reposts, "comments": self.comments, "likes": self.likes}
