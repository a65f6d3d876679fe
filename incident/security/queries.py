"""The security log's read side: newest first, filtered by kind, user and time range."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.accounts.models import User
from incident.errors import ValidationError
from incident.security.log import Kind
from incident.security.models import SecurityEvent

PAGE = 100


def listing(session: Session, *, kind: str | None = None, user_id: int | None = None,
            since: datetime | None = None, until: datetime | None = None, before_id: int | None = None,
            limit: int = PAGE) -> list[SecurityEvent]:
    """Events newest first; `before_id` pages further back."""
    if kind and kind not in Kind.__members__.values():
        raise ValidationError("unknown kind of security event", field="kind")
    if since and until and since >= until:
        raise ValidationError("the start of the time range must be before its end", field="since")
    q = select(SecurityEvent)
    if kind:
        q = q.where(SecurityEvent.kind == kind)
    if user_id is not None:
        q = q.where(SecurityEvent.user_id == user_id)
    if since is not None:
        q = q.where(SecurityEvent.at >= since)
    if until is not None:
        q = q.where(SecurityEvent.at < until)
    if before_id is not None:
        q = q.where(SecurityEvent.id < before_id)
    return list(session.scalars(q.order_by(SecurityEvent.id.desc()).limit(max(1, min(limit, 500)))))


def users(session: Session) -> list[User]:
    """Everyone the filter can name, by name."""
    return list(session.scalars(select(User).order_by(User.display_name, User.id)))
