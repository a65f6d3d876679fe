"""Split demand: templates applied to claimants, per-claimant items, their offer ladder, ceilings.

Money is stored as a canonical decimal string ("1234.50", CNY): exact on SQLite and PostgreSQL
alike (SQLite would keep a NUMERIC column as a float).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incident.db import Base, UTCDateTime

ANY_TYPE = "*"  # ceiling row that applies to every demand type of the incident


class ItemStatus(StrEnum):
    OPEN = "open"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FULFILLED = "fulfilled"
    CONFIRMED = "confirmed"  # by the claimant


class OfferOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def money(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


class DemandTemplate(Base):
    """One demand of the group (type, remedy/amount, owner, deadline) for all claimants or a segment."""

    __tablename__ = "demand_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    remedy: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[str | None] = mapped_column(String(24), nullable=True)  # CNY, canonical decimal
    owner: Mapped[str] = mapped_column(String(120))                        # department / person
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    segment: Mapped[str] = mapped_column(String(120), default="")         # "" = all claimants
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class DemandItem(Base):
    """The template as it applies to one claimant, with overrides and its own status."""

    __tablename__ = "demand_items"
    __table_args__ = (
        UniqueConstraint("template_id", "claimant_id"),
        Index("ix_demand_items_incident_claimant", "incident_id", "claimant_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(ForeignKey("demand_templates.id", ondelete="CASCADE"),
                                             index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    remedy: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[str | None] = mapped_column(String(24), nullable=True)
    owner: Mapped[str] = mapped_column(String(120))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    overrides: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields set for this claimant
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.OPEN.value)
    indemnity_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    indemnity_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_by: Mapped[str] = mapped_column(String(120), default="")  # the claimant, by name
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    offers: Mapped[list["DemandOffer"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="DemandOffer.step")

    @property
    def current_offer(self) -> "DemandOffer | None":
        return self.offers[-1] if self.offers else None

    @property
    def accepted_offer(self) -> "DemandOffer | None":
        for o in reversed(self.offers):
            if o.outcome == OfferOutcome.ACCEPTED.value:
                return o
        return None


class DemandOffer(Base):
    """One rung of the concession ladder of an item."""

    __tablename__ = "demand_offers"
    __table_args__ = (UniqueConstraint("item_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("demand_items.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    remedy: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[str | None] = mapped_column(String(24), nullable=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    offered_by_name: Mapped[str] = mapped_column(String(120), default="")
    outcome: Mapped[str] = mapped_column(String(16), default=OfferOutcome.PENDING.value)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[DemandItem] = relationship(back_populates="offers")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "step": self.step, "remedy": self.remedy, "amount": self.amount,
                "offered_at": self.offered_at.isoformat(), "offered_by": self.offered_by_name,
                "outcome": self.outcome, "note": self.note,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None}


class DemandHistory(Base):
    """Every change of an item: the audit trail shown next to it."""

    __tablename__ = "demand_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("demand_items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ComplianceCeiling(Base):
    """The most any single offer may reach, per incident and demand type ("*" = every type)."""

    __tablename__ = "compliance_ceilings"
    __table_args__ = (UniqueConstraint("incident_id", "demand_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    demand_type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    set_by_name: Mapped[str] = mapped_column(String(120), default="")
