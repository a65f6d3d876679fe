"""Representatives' rows: who speaks for whom, under which mandate, and their history."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime


class Mandate(StrEnum):
    NEGOTIATE_ONLY = "negotiate_only"
    SIGN_ON_BEHALF = "sign_on_behalf"


class RepresentativeStatus(StrEnum):
    ACTIVE = "active"
    REPLACED = "replaced"
    REVOKED = "revoked"


class Representative(Base):
    """A claimant chosen by the crowd to negotiate (and perhaps sign) for the claimants they cover."""

    __tablename__ = "representatives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"), index=True)
    mandate: Mapped[str] = mapped_column(String(20))
    mandate_attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=RepresentativeStatus.ACTIVE.value)
    elected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("representatives.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    coverage: Mapped[list["RepresentativeCoverage"]] = relationship(
        cascade="all, delete-orphan", order_by="RepresentativeCoverage.id")
    history: Mapped[list["RepresentativeHistory"]] = relationship(
        cascade="all, delete-orphan", order_by="RepresentativeHistory.id")


class RepresentativeCoverage(Base):
    """One claimant, or one whole segment, that a representative speaks for."""

    __tablename__ = "representative_coverage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    representative_id: Mapped[int] = mapped_column(
        ForeignKey("representatives.id", ondelete="CASCADE"), index=True)
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"),
                                                    nullable=True)
    segment: Mapped[str] = mapped_column(String(120), default="")


class RepresentativeHistory(Base):
    """Election, mandate, replacement and revocation of a representative, as rows."""

    __tablename__ = "representative_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    representative_id: Mapped[int] = mapped_column(
        ForeignKey("representatives.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(24))  # elected / mandate_attached / replaced / revoked
    reason: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
