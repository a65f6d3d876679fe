"""Written reply rows: the drafted content, its approvals and the issued document."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class ReplyStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # by the leader, and by legal where it promises money
    ISSUED = "issued"      # the PDF exists and was sent to the representatives


class WrittenReply(Base):
    __tablename__ = "written_replies"
    __table_args__ = (Index("ix_written_replies_incident_status", "incident_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    template_version: Mapped[int] = mapped_column(Integer, default=0)  # 0: the built-in wording
    locale: Mapped[str] = mapped_column(String(8), default="zh_CN")
    status: Mapped[str] = mapped_column(String(16), default=ReplyStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock, bumped by each edit
    # {title, addressees, opening, facts, measures: [..], entitlements: [{claimant_id, name, unit, items}],
    #  deadlines: [{what, due_at}], contact, closing}
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    promises_money: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_name: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    leader_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    leader_approved_by: Mapped[str] = mapped_column(String(120), default="")
    legal_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    legal_approved_by: Mapped[str] = mapped_column(String(120), default="")
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    issued_by_name: Mapped[str] = mapped_column(String(120), default="")
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    def to_dict(self) -> dict[str, Any]:
        def t(v: datetime | None) -> str | None:
            return v.isoformat() if v else None
        return {"id": self.id, "incident_id": self.incident_id, "status": self.status, "version": self.version,
                "locale": self.locale, "template_version": self.template_version, "content": self.content,
                "promises_money": self.promises_money, "needs_legal": self.promises_money,
                "created_at": t(self.created_at), "created_by": self.created_by_name,
                "leader_approved_at": t(self.leader_approved_at), "leader_approved_by": self.leader_approved_by,
                "legal_approved_at": t(self.legal_approved_at), "legal_approved_by": self.legal_approved_by,
                "issued_at": t(self.issued_at), "issued_by": self.issued_by_name, "recipients": self.recipients,
                "attachment_id": self.attachment_id, "pdf_sha256": self.pdf_sha256}
