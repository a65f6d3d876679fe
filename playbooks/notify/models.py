"""Inbox rows (one per user and message) and the outbox of webhook and e-mail deliveries."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incident.db import Base, UTCDateTime


class Notification(Base):
    """A message in a user's inbox; the text is an English msgid plus parameters, translated on display."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"),
                                                    nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OutboxMessage(Base):
    """A webhook POST or an e-mail waiting to go out; retried with backoff until sent or given up."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_next", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email
    recipient: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


# -- notifications where the team is (issue 12)
class NotifyChannel(Base):
    """A WeChat Work or DingTalk group robot: organisation-wide (incident_id NULL) or for one incident.

    The robot's URL carries its access token and DingTalk's signing secret is a credential, so both
    are stored encrypted (incident.privacy.cipher) and shown masked.
    """

    __tablename__ = "notify_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"),
                                                    nullable=True, index=True)
    platform: Mapped[str] = mapped_column(String(16))  # wecom | dingtalk
    name: Mapped[str] = mapped_column(String(120), default="")
    url_cipher: Mapped[str] = mapped_column(Text)
    url_masked: Mapped[str] = mapped_column(String(300))
    secret_cipher: Mapped[str] = mapped_column(Text, default="")
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # reminder, overdue, grade, formation
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
