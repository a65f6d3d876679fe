"""The per-user inbox: write notifications (with a live toast after commit), list them, mark them read."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from incident import clock
from incident.accounts.models import User
from incident.timeline.batch import flush_or_defer
from incident.errors import NotFound
from incident.models import Incident
from playbooks.notify import live
from playbooks.notify.messages import render
from playbooks.notify.models import Notification


def to_dict(n: Notification, locale: str, ref: str | None = None) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "incident_id": n.incident_id, "ref": ref or n.params.get("ref"),
            "text": render(n.message, n.params, locale), "created_at": n.created_at.isoformat(),
            "read": n.read_at is not None,
            "url": _url(n)}


def _url(n: Notification) -> str:
    """The exact section and item (#deadlines-<id>, #proposal-<id>) when the message names one."""
    if not n.incident_id:
        return "/inbox"
    anchor = str(n.params.get("anchor") or "")
    safe = anchor.replace("-", "").replace("_", "").isalnum() and len(anchor) <= 64
    return f"/incidents/{n.incident_id}" + (f"#{anchor}" if anchor and safe else "")


def notify(session: Session, user_ids: Iterable[int], *, incident: Incident | None, kind: str, message: str,
           params: dict[str, Any]) -> list[int]:
    """Put one message in each user's inbox; each gets a toast once the transaction commits."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    params = {"ref": incident.ref if incident else "", **params}
    locales = _locales(session, ids)
    for uid in ids:
        n = Notification(user_id=uid, incident_id=incident.id if incident else None, kind=kind,
                         message=message, params=params, created_at=clock.now())
        session.add(n)
        # the toast carries the row's id: staged after the flush (one flush per batch when deferred)
        flush_or_defer(session, lambda n=n, uid=uid: live.stage(session, uid, to_dict(n, locales.get(uid, "zh_CN"))))
    return ids


LOCALES = "concord.locale_cache"  # set by a batch (the scheduler) to read each user's language once


def _locales(session: Session, ids: list[int]) -> dict[int, str]:
    cache = session.info.get(LOCALES)
    if cache is None:
        return dict(session.execute(select(User.id, User.locale).where(User.id.in_(ids))).all())
    missing = [i for i in ids if i not in cache]
    if missing:
        cache.update(session.execute(select(User.id, User.locale).where(User.id.in_(missing))).all())
    return cache


def list_for(session: Session, user_id: int, *, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """Newest first."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, *, user_id: int, notification_id: Any) -> Notification:
    """Mark one of the user's own notifications read (someone else's is not found)."""
    n = session.get(Notification, notification_id) if isinstance(notification_id, int) else None
    if n is None or n.user_id != user_id:
        raise NotFound("no such notification", field="notification_id")
    if n.read_at is None:
        n.read_at = clock.now()
    return n


def mark_all_read(session: Session, *, user_id: int) -> int:
    res = session.execute(update(Notification).where(Notification.user_id == user_id,
                                                     Notification.read_at.is_(None)).values(read_at=clock.now()))
    return res.rowcount or 0
