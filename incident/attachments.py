"""Files attached to an incident (signed mandates, evidence photos, recordings), stored by content hash.

Bytes live in the instance folder under attachments/<sha256>; the row keeps the metadata and the
hash, so a file changed on disk is detected on read.
"""
from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from incident import clock
from incident.access.actor import Actor
from incident.db import Base, UTCDateTime
from incident.errors import NotFound, ValidationError

MAX_BYTES = 25 * 1024 * 1024
ALLOWED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf",
                 "audio/mpeg", "audio/mp4", "audio/webm", "audio/wav", "video/mp4", "video/webm",
                 "video/quicktime", "text/plain"}
_root: Path | None = None


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


def configure(root: Path) -> None:
    """Set the folder holding attachment bytes (instance/attachments)."""
    global _root
    _root = Path(root)
    _root.mkdir(parents=True, exist_ok=True)


def _dir() -> Path:
    if _root is None:
        raise RuntimeError("attachments.configure() was not called")
    return _root


def store(session: Session, *, actor: Actor, incident_id: int, filename: str, content_type: str,
          data: bytes, purpose: str) -> Attachment:
    """Validate and store a file; the caller records the timeline event that refers to it."""
    if not data:
        raise ValidationError("the file is empty", field="file")
    if len(data) > MAX_BYTES:
        raise ValidationError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB", field="file")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype not in ALLOWED_TYPES:
        raise ValidationError(f"file type {ctype or 'unknown'} is not accepted", field="file")
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "upload"
    digest = hashlib.sha256(data).hexdigest()
    path = _dir() / digest
    if not path.exists():
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    row = Attachment(incident_id=incident_id, filename=name[:255], content_type=ctype, size=len(data),
                     sha256=digest, purpose=purpose[:32], uploaded_by_id=actor.user_id,
                     uploaded_at=clock.now())
    session.add(row)
    session.flush()
    return row


def read(session: Session, attachment_id: int, incident_id: int) -> tuple[Attachment, bytes]:
    """The attachment of an incident and its bytes, checked against the stored hash."""
    row = session.get(Attachment, attachment_id)
    if row is None or row.incident_id != incident_id:
        raise NotFound("no such attachment", field="attachment_id")
    data = (_dir() / row.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise ValidationError("the stored file does not match its hash", field="attachment_id")
    return row, data
