"""The crowd's rows: claimants (contact numbers encrypted at rest), contact reveals and representatives."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime


class ClaimantStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"   # left the group complaint
    SETTLED = "settled"       # signed an agreement


class Mandate(StrEnum):
    NEGOTIATE_ONLY = "negotiate_only"
    SIGN_ON_BEHALF = "sign_on_behalf"


class RepresentativeStatus(StrEnum):
    ACTIVE = "active"
    REPLACED = "replaced"
    REVOKED = "revoked"


class Claimant(Base):
    __tablename__ = "claimants"
    __table_args__ = (
        Index("ix_claimants_incident_segment", "incident_id", "segment"),
        Index("ix_claimants_incident_phone_index", "incident_id", "phone_index"),
        Index("ix_claimants_incident_unit_key", "incident_id", "unit_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(200), default="")       # unit/address or order number
    unit_key: Mapped[str] = mapped_column(String(200), default="")   # normalised unit, for duplicates
    segment: Mapped[str] = mapped_column(String(120), default="")    # building, floor, order batch…
    phone_cipher: Mapped[str] = mapped_column(Text, default="")
    phone_index: Mapped[str] = mapped_column(String(64), default="")  # keyed HMAC, for duplicates
    phone_masked: Mapped[str] = mapped_column(String(32), default="")
    id_cipher: Mapped[str] = mapped_column(Text, default="")
    id_masked: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16), default=ClaimantStatus.ACTIVE.value)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class ContactReveal(Base):
    """Who saw a clear contact number, when and why (the number itself is never stored here)."""

    __tablename__ = "contact_reveals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(16))  # phone / id_number
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


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
