"""Agreement rows: versioned templates, agreements with their terms snapshots, revisions, batches."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exports.agreements import labels as _labels  # noqa: F401  (registers the vocabulary)
from exports.agreements.enums import AgreementStatus
from incident.db import Base, UTCDateTime


class AgreementTemplate(Base):
    """One version of a template; editing adds a version, agreements keep the one they used."""

    __tablename__ = "agreement_templates"
    __table_args__ = (UniqueConstraint("name", "locale", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    locale: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    clauses: Mapped[dict[str, str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_name: Mapped[str] = mapped_column(String(120), default="")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "locale": self.locale, "version": self.version,
                "clauses": self.clauses, "note": self.note, "created_at": self.created_at.isoformat(),
                "created_by": self.created_by_name}


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (Index("ix_agreements_incident_status", "incident_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(48), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="RESTRICT"))
    template_id: Mapped[int] = mapped_column(ForeignKey("agreement_templates.id"))
    segment: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16), default=AgreementStatus.DRAFT.value)
    # The optimistic lock, and the revision number of the terms (bumped by each edit).
    version: Mapped[int] = mapped_column(Integer, default=1)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    terms_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_comments: Mapped[str] = mapped_column(Text, default="")
    # Approval binds the exact terms: hash of the canonical terms at approval.
    approved_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_by_name: Mapped[str] = mapped_column(String(120), default="")
    # Handwritten signature: {"name", "at", "width", "height", "strokes": [[[x, y], …], …]}.
    signature: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    signed_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Seal: the sealed PDF is stored as an attachment (by content hash).
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    head_hash_at_seal: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), nullable=True)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sealed_by_name: Mapped[str] = mapped_column(String(120), default="")
    timestamped: Mapped[bool] = mapped_column(default=False)
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AgreementRevision(Base):
    """Every version of an agreement's terms, for the diff against the previous version."""

    __tablename__ = "agreement_revisions"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    terms_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_name: Mapped[str] = mapped_column(String(120), default="")
    # -- accounts (issue 10): who wrote this version (four eyes: they may not approve it)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class AgreementBatch(Base):
    """A generate-or-seal run over a segment: a durable job with one row per document.

    The process running it (`owner`) refreshes `heartbeat_at`; a running batch whose owner is gone
    or whose heartbeat is stale becomes `interrupted` and can be resumed or abandoned.
    """

    __tablename__ = "agreement_batches"
    __table_args__ = (Index("ix_agreement_batches_incident_status", "incident_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))      # generate | seal
    segment: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)     # documents processed, failed ones included
    failed: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_by_name: Mapped[str] = mapped_column(String(120), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # -- durable batches (issue 17)
    owner: Mapped[str] = mapped_column(String(120), default="")  # host:pid:token of the running process
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # generate: items, locale, facts

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "incident_id": self.incident_id, "kind": self.kind,
                "segment": self.segment, "status": self.status, "total": self.total,
                "done": self.done, "failed": self.failed, "pending": max(self.total - self.done, 0),
                "cancel_requested": self.cancel_requested,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "heartbeat_at": self.heartbeat_at.isoformat() if self.heartbeat_at else None,
                "error": self.error}


class AgreementBatchItem(Base):
    """One document of a batch: a claimant to draft for (generate) or an agreement to seal."""

    __tablename__ = "agreement_batch_items"
    __table_args__ = (Index("ix_agreement_batch_items_batch_status", "batch_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("agreement_batches.id", ondelete="CASCADE"))
    claimant_id: Mapped[int | None] = mapped_column(ForeignKey("claimants.id"), nullable=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), nullable=True)
    label: Mapped[str] = mapped_column(String(200), default="")  # who or which agreement, for the page
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    reason: Mapped[str] = mapped_column(String(500), default="")  # English msgid, translated on display
    reason_args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
