"""Rows of the public side: lookup codes (hashed), the public stage, published updates, survey answers."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class CodeKind(StrEnum):
    INCIDENT = "incident"   # on notices and the on-site poster: the public stage and updates
    CLAIMANT = "claimant"   # on paper, by SMS: adds the claimant's own items and agreement
    SURVEY = "survey"       # one-time link answering the satisfaction callback


class PublicCode(Base):
    """A lookup code; only its SHA-256 is stored (the clear code is shown once, at issue)."""

    __tablename__ = "public_codes"
    __table_args__ = (Index("ix_public_codes_incident_kind", "incident_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8), default="")  # last four characters, for staff to tell codes apart
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(120), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # survey links: once
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opens: Mapped[int] = mapped_column(Integer, default=0)


class PublicState(Base):
    """The public stage of an incident, its stage names (editable) and when the next update is due."""

    __tablename__ = "public_states"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    stage_names: Mapped[list[str]] = mapped_column(JSON, default=list)  # [] = the default names
    next_update_due: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class PublicUpdate(Base):
    """A text written by staff *for the public*, exactly as published."""

    __tablename__ = "public_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(120), default="")  # staff side only, never public


class SurveyAnswer(Base):
    """A claimant's own answer to the satisfaction callback (recorded on their callback: public/callback_feed.py)."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)  # 1 (very unsatisfied) … 5 (very satisfied)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the callback it was recorded on (None: no callback of theirs was open; attached when one is scheduled)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id", ondelete="SET NULL"), nullable=True)


class SelfRegistration(Base):
    """What a complainant gave when registering on site, next to their pending claimant row."""

    __tablename__ = "self_registrations"

    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    demand: Mapped[str] = mapped_column(Text, default="")  # in their own words
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
