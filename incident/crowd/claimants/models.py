"""The claimants' rows: claimants (contact numbers encrypted at rest) and contact reveals."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from incident import headcount
from incident.db import Base, UTCDateTime


class ClaimantStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"   # left the group complaint
    SETTLED = "settled"       # signed an agreement
    # -- public side (issue 15): registered themselves on site, until staff confirm or reject
    PENDING = "pending"
    REJECTED = "rejected"


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
    # what the file said beyond the fields (order amount, order time, remarks…): {column: text}
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


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


class ImportStage(Base):
    """An uploaded claimant file waiting for its mapping to be confirmed (nothing is stored before).

    `payload` holds the parsed header and rows encrypted with the field cipher (the rows carry clear
    phone and ID numbers); after confirmation `report` keeps the encrypted report for its XLSX
    download until the stage expires.
    """

    __tablename__ = "claimant_import_stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text)
    report: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="staged")  # staged / confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ImportMapping(Base):
    """A column mapping saved for an incident, proposed again for its next files."""

    __tablename__ = "claimant_import_mappings"
    __table_args__ = (UniqueConstraint("incident_id", "name", name="uq_claimant_import_mappings_incident_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80), default="default")
    mapping: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


def registry_exists(session: Session, incident_id: int) -> bool:
    """True once the incident has any claimant row: from then on the registry owns the headcount."""
    return session.scalar(select(Claimant.id).where(Claimant.incident_id == incident_id).limit(1)) is not None


headcount.register_registry(registry_exists)
