"""Playbooks attached to an incident, its checklist items (each with its absolute deadline) and the lease."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class ItemStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DROPPED = "dropped"  # its playbook was dropped before it was done


class ItemKind(StrEnum):
    STEP = "step"            # a playbook step
    FORMATION = "formation"  # the task group's formation clock (Incident.formation_due_at)


class IncidentPlaybook(Base):
    __tablename__ = "incident_playbooks"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attached_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ChecklistItem(Base):
    """One round of one step on one incident; the deadline lives here, in absolute UTC.

    fired_at and reminded_at are claimed with a conditional UPDATE (… WHERE fired_at IS NULL),
    which is what makes each deadline fire exactly once whatever the number of schedulers.
    """

    __tablename__ = "checklist_items"
    __table_args__ = (
        UniqueConstraint("incident_id", "playbook", "step", "round"),
        Index("ix_checklist_items_due", "status", "fired_at", "due_at"),
        Index("ix_checklist_items_remind", "status", "reminded_at", "remind_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    playbook: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(16), default=ItemKind.STEP.value)
    seat: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PENDING.value)
    anchor: Mapped[str | None] = mapped_column(String(80), nullable=True)
    anchor_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    fired_by: Mapped[str | None] = mapped_column(String(120), nullable=True)  # scheduler holder id
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    done_by_name: Mapped[str] = mapped_column(String(120), default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SchedulerLease(Base):
    """Who runs the scheduler: one row per lease name, renewed by its holder before it expires."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
