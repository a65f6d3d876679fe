"""The incident aggregate: intake record, triage result and the head of its timeline."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime
from incident.timeline.models import GENESIS


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Bumped by edits of the record itself (not by timeline appends): the optimistic lock
    # that turns a stale second edit into a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # The five musts and the other intake fields.
    core_demand: Mapped[str] = mapped_column(Text)
    headcount: Mapped[int] = mapped_column(Integer)
    scope_text: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(16))
    circumstances: Mapped[list[str]] = mapped_column(JSON, default=list)
    complaint_object: Mapped[str] = mapped_column(String(16))
    demand_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    complainant_name: Mapped[str] = mapped_column(String(120), default="")
    emotion: Mapped[str] = mapped_column(String(16), default="calm")
    demands_consistent: Mapped[bool] = mapped_column(Boolean, default=False)
    prior_contact: Mapped[str] = mapped_column(String(300), default="")
    safety_issue: Mapped[bool] = mapped_column(Boolean, default=False)

    # Read-back confirmation.
    readback_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    readback_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    readback_confirmed_by_name: Mapped[str] = mapped_column(String(120), default="")
    readback_confirmed_text: Mapped[str] = mapped_column(Text, default="")

    # Triage result (recomputed) and the manual floor set by escalations.
    grade: Mapped[str] = mapped_column(String(1))
    grade_floor: Mapped[str] = mapped_column(String(1), default="F")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(String(16))
    warning_level: Mapped[int] = mapped_column(Integer, default=0)
    triage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_contact_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Task group formation clock.
    formation_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Head of the hash chain: anchors the tail, so a cut-off last event is detected.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)

    contacts: Mapped[list["IncidentContact"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentContact.id")
    notes: Mapped[list["IncidentNote"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentNote.id")


class IncidentContact(Base):
    """A representative's contact from intake: for official communication only, phone encrypted."""

    __tablename__ = "incident_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    phone_cipher: Mapped[str] = mapped_column(Text)
    phone_index: Mapped[str] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(300), default="")

    incident: Mapped[Incident] = relationship(back_populates="contacts")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "phone": self.phone_masked, "note": self.note}


class IncidentNote(Base):
    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(Text)

    incident: Mapped[Incident] = relationship(back_populates="notes")
