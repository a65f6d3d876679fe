"""Claimants (people or households) of an incident; contact numbers encrypted at rest."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class ClaimantStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"   # left the group complaint
    SETTLED = "settled"       # signed an agreement


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
