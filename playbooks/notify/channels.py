"""Group robots configured per organisation (admin) and per incident (its leader), and what they are sent.

A message for an incident goes to every active robot of the organisation and of that incident whose
kinds include it (reminder, overdue, grade, formation). It is queued in the caller's transaction as one
outbox row per robot ("wecom" / "dingtalk", recipient = the robot's id) holding the platform's message;
the outbox sends it later with retries, loading the URL and the secret only then.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from incident import clock, privacy, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.errors import NotFound, ValidationError
from incident.models import Incident
from incident.service import load_for
from playbooks import config
from playbooks.notify import outbox, robots
from playbooks.notify.messages import render
from playbooks.notify.models import NotifyChannel

KINDS = ("reminder", "overdue", "grade", "formation")
MAX_PER_SCOPE = 10


def mask_url(url: str) -> str:
    """Scheme, host and path; the key / access token in the query is never shown again."""
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}{u.path}" + ("?…" if u.query else "")


def _validate(platform: Any, url: Any, secret: Any, kinds: Any, name: Any) -> tuple[str, str, str, list[str], str]:
    if platform not in robots.PLATFORMS:
        raise ValidationError("platform must be wecom or dingtalk", field="platform")
    if not isinstance(url, str) or len(url) > 1000:
        raise ValidationError("url must be the robot's webhook address", field="url")
    u = urlsplit(url.strip())
    if u.scheme not in ("https", "http") or not u.hostname:
        raise ValidationError("url must be the robot's webhook address", field="url")
    hosts = config.current().robot_hosts
    if u.hostname.lower() not in hosts:  # no robot aimed at an internal service
        raise ValidationError("the robot's address must be on %(hosts)s", field="url", hosts=", ".join(hosts))
    if secret is not None and (not isinstance(secret, str) or len(secret) > 200):
        raise ValidationError("secret must be text of at most 200 characters", field="secret")
    if kinds is None:
        kinds = list(KINDS)
    if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
        raise ValidationError("kinds must be among: %(allowed)s", field="kinds", allowed=", ".join(KINDS))
    if name is not None and (not isinstance(name, str) or len(name) > 120):
        raise ValidationError("name must be text of at most 120 characters", field="name")
    return platform, url.strip(), (secret or "").strip(), [k for k in KINDS if k in kinds], (name or "").strip()


def to_dict(c: NotifyChannel) -> dict[str, Any]:
    return {"id": c.id, "incident_id": c.incident_id, "platform": c.platform, "name": c.name, "url": c.url_masked,
            "signed": bool(c.secret_cipher), "kinds": list(c.kinds or []), "active": c.active,
            "created_at": c.created_at.isoformat()}


def _scope(session: Session, actor: Actor, incident_id: int | None) -> Incident | None:
    if incident_id is None:
        require(session, actor, Action.NOTIFY_CONFIGURE)
        return None
    return load_for(session, actor, incident_id, Action.NOTIFY_EDIT)


def add(session: Session, *, actor: Actor, incident_id: int | None, data: dict[str, Any]) -> NotifyChannel:
    """Add a group robot for the organisation (incident_id None, admin) or for one incident (its leader)."""
    inc = _scope(session, actor, incident_id)
    platform, url, secret, kinds, name = _validate(data.get("platform"), data.get("url"), data.get("secret"),
                                                   data.get("kinds"), data.get("name"))
    count = len(list(session.scalars(select(NotifyChannel.id).where(
        NotifyChannel.incident_id.is_(None) if inc is None else NotifyChannel.incident_id == inc.id,
        NotifyChannel.active.is_(True)))))
    if count >= MAX_PER_SCOPE:
        raise ValidationError("at most %(n)s robots here", field="url", n=MAX_PER_SCOPE)
    cp = privacy.cipher()
    c = NotifyChannel(incident_id=inc.id if inc else None, platform=platform, name=name, url_cipher=cp.encrypt(url),
                      url_masked=mask_url(url), secret_cipher=cp.encrypt(secret) if secret else "", kinds=kinds,
                      active=True, created_at=clock.now(), created_by_id=actor.user_id)
    session.add(c)
    session.flush()
    if inc is not None:
        timeline.record(session, inc, "notify.channel_added", actor, {
            "channel_id": c.id, "platform": platform, "name": name, "url": c.url_masked, "kinds": kinds})
    return c


def remove(session: Session, *, actor: Actor, incident_id: int | None, channel_id: Any) -> NotifyChannel:
    """Switch a robot off; messages already queued for it fail instead of being sent."""
    inc = _scope(session, actor, incident_id)
    c = session.get(NotifyChannel, channel_id) if isinstance(channel_id, int) else None
    if c is None or c.incident_id != (inc.id if inc else None) or not c.active:
        raise NotFound("no such robot", field="channel_id")
    c.active = False
    if inc is not None:
        timeline.record(session, inc, "notify.channel_removed", actor,
                        {"channel_id": c.id, "platform": c.platform, "name": c.name, "url": c.url_masked})
    return c


def listing(session: Session, incident_id: int | None) -> list[dict[str, Any]]:
    stmt = select(NotifyChannel).where(NotifyChannel.active.is_(True), NotifyChannel.incident_id.is_(None)
                                       if incident_id is None else NotifyChannel.incident_id == incident_id)
    return [to_dict(c) for c in session.scalars(stmt.order_by(NotifyChannel.id))]


def link(inc: Incident, anchor: str = "") -> str:
    base = config.current().public_url.rstrip("/")
    return f"{base}/incidents/{inc.id}" + (f"#{anchor}" if anchor else "")


CACHE = "concord.channel_cache"  # set by a batch (the scheduler) to read the robots once per transaction


def enqueue(session: Session, inc: Incident, kind: str, message: str, params: dict[str, Any],
            anchor: str = "", locale: str = "zh_CN") -> int:
    """Queue the message for every robot that wants this kind; returns how many were queued."""
    cache = session.info.get(CACHE)
    if cache is None:
        rows = list(session.scalars(select(NotifyChannel).where(
            NotifyChannel.active.is_(True),
            or_(NotifyChannel.incident_id.is_(None), NotifyChannel.incident_id == inc.id)).order_by(NotifyChannel.id)))
    else:  # a batch (the scheduler): the active robots read once, filtered per incident here
        if "rows" not in cache:
            cache["rows"] = list(session.scalars(select(NotifyChannel).where(NotifyChannel.active.is_(True))
                                                 .order_by(NotifyChannel.id)))
        rows = [c for c in cache["rows"] if c.incident_id is None or c.incident_id == inc.id]
    wanted = [c for c in rows if kind in (c.kinds or [])]
    if not wanted:
        return 0
    text = render(message, {"ref": inc.ref, **params}, locale)
    lines = [render(LINE_INCIDENT, {"ref": inc.ref, "title": inc.title, "grade": inc.grade}, locale)]
    for c in wanted:
        outbox.enqueue(session, c.platform, str(c.id), {
            "kind": kind, "incident_id": inc.id, "body": robots.body(c.platform, text, lines, link(inc, anchor))})
    return len(wanted)


def _(message: str) -> str:
    return message


LINE_INCIDENT = _("%(ref)s · %(title)s · grade %(grade)s")
