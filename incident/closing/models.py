"""Closing rows: the core seats' sign-offs, the archive record of each round, its improvement actions,
and the admin-editable two-level taxonomy of problem types."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incident.closing import labels as _labels  # noqa: F401  (registers the vocabulary)
from incident.db import Base, UTCDateTime


class ProblemType(Base):
    """A problem type (parent_id None: a group such as 停车/收费; else a type inside it)."""

    __tablename__ = "problem_types"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("problem_types.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(80))          # as people write it (Chinese), shown as is
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "parent_id": self.parent_id, "name": self.name, "position": self.position,
                "active": self.active}


class SignOff(Base):
    """A core seat's holder confirming, for one round, that their part is done."""

    __tablename__ = "close_sign_offs"
    __table_args__ = (UniqueConstraint("incident_id", "round", "seat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    seat: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemClosure(Base):
    """A demand item closed without being fulfilled, with the reason (withdrawn, no longer wanted …)."""

    __tablename__ = "demand_item_closures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("demand_items.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    by_name: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArchiveRecord(Base):
    """What is kept of a round: filled in before the close, frozen (closed_at, snapshot) by it."""

    __tablename__ = "archive_records"
    __table_args__ = (UniqueConstraint("incident_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    problem_type_id: Mapped[int | None] = mapped_column(ForeignKey("problem_types.id"), nullable=True)
    root_cause: Mapped[str] = mapped_column(Text, default="")
    # Frozen at close: handling times, satisfaction, money paid by kind, the head hash.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ImprovementAction(Base):
    """An improvement the case taught: owner, due date, status; followed as a deadline after close."""

    __tablename__ = "improvement_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="open")  # open / done / dropped
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "round": self.round, "title": self.title, "owner": self.owner,
                "due_at": self.due_at.isoformat(), "status": self.status,
                "done_at": self.done_at.isoformat() if self.done_at else None, "note": self.note}
