"""The attachment row: metadata and the content hash that names the file."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime

MAX_BYTES = 25 * 1024 * 1024
ALLOWED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf",
                 "audio/mpeg", "audio/mp4", "audio/webm", "audio/wav", "video/mp4", "video/webm",
                 "video/quicktime", "text/plain"}


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(32))  # mandate, evidence, recording, signature…
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "filename": self.filename, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256, "purpose": self.purpose,
                "uploaded_at": self.uploaded_at.isoformat()}
