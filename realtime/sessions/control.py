"""Sessions end everywhere: disconnect the sockets of ended sessions, in every server process.

Flask-SocketIO can only disconnect a socket in the process that holds it, so every process keeps
its own sockets' login sessions in memory (`LocalSessions`) and listens on a control channel of
the Redis queue (`<channel>:control`). Ending sessions (logout, disable, password change, "log out
my other sessions", "end this session") publishes one control message after the commit; each
process disconnects its own sockets of those sessions at once (after a `session_ended` event, so a
page can say why) and their presence entries go with the disconnect. Without Redis there is one
process and the message is applied directly.

A second message, `recheck`, makes each process re-check which incident rooms a user's sockets may
still be in (a seat lost, a role lowered) and leave the others server-side.

Safety net: every SWEEP_SECONDS each process re-reads the sessions of its sockets and disconnects
those no longer usable (revoked while a control message was lost, disabled directly in the
database, past the idle timeout or the absolute lifetime).
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from typing import Any, Iterable

from flask import Flask
from sqlalchemy import select

from incident import clock
from incident.access.permissions import Action, allowed
from incident.accounts import sessions
from incident.accounts.models import LoginSession, User
from incident.settings import Settings
from incident.taskgroup.queries import seats_of
from incident.timeline import bus
from realtime.extensions import socketio

log = logging.getLogger(__name__)
SWEEP_SECONDS = 15.0
SEAT_LOSS = {"taskgroup.seat_released": "holder", "taskgroup.seat_replaced": "previous"}


class LocalSessions:
    """This process's sockets: socket id → (user id, login-session id)."""

    def __init__(self) -> None:
        self._by_sid: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()
        self.sweeping = False
        self.stopped = False

    def add(self, sid: str, user_id: int, session_id: str) -> None:
        with self._lock:
            self._by_sid[sid] = (user_id, session_id)

    def remove(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def of_sessions(self, public_ids: Iterable[str]) -> list[str]:
        wanted = set(public_ids)
        with self._lock:
            return [sid for sid, (_u, s) in self._by_sid.items() if sessions.public_id(s) in wanted]

    def of_user(self, user_id: int) -> list[str]:
        with self._lock:
            return [sid for sid, (u, _s) in self._by_sid.items() if u == user_id]

    def snapshot(self) -> dict[str, tuple[int, str]]:
        with self._lock:
            return dict(self._by_sid)


def _tracker(app: Flask) -> LocalSessions:
    return app.extensions["concord.session_sockets"]


def connected(app: Flask, sid: str, user_id: int, session_id: str) -> None:
    """Remember a new socket of a login session (called by the connect handler)."""
    tracker = _tracker(app)
    tracker.add(sid, user_id, session_id)
    if not tracker.sweeping:
        tracker.sweeping = True
        socketio.start_background_task(_sweep, app)


def disconnected(app: Flask, sid: str) -> None:
    _tracker(app).remove(sid)


# -- sending control messages (after the commit of the change) ------------------------------------

def sessions_ended(app: Flask, public_ids: list[str], reason: str = "") -> None:
    """Disconnect every socket of these sessions, in every server process."""
    if public_ids:
        _send(app, {"op": "end", "sessions": list(public_ids), "reason": reason})


def recheck_access(app: Flask, user_id: int, incident_ids: list[int] | None = None) -> None:
    """Make every process take the user's sockets out of incident rooms they may no longer view."""
    _send(app, {"op": "recheck", "user_id": user_id, "incidents": incident_ids})


# a lost Redis must not hang a logout or the listener: short connect and read timeouts (issue 17)
REDIS_OPTIONS: dict[str, Any] = {"health_check_interval": 30, "socket_connect_timeout": 2, "socket_timeout": 5}


def publish_outside(redis_url: str | None, channel: str, public_ids: list[str], reason: str) -> bool:
    """From a process without sockets (the CLI): ask every server process to end these sessions'
    sockets. Without Redis there is nothing to tell (the servers' sweep ends them within 15 s)."""
    if not redis_url or not public_ids:
        return False
    import redis
    try:
        redis.Redis.from_url(redis_url, **REDIS_OPTIONS).publish(f"{channel}:control", json.dumps(
            {"op": "end", "sessions": public_ids, "reason": reason, "from": "cli"}))
    except redis.RedisError:  # Redis down: the servers' sweep still ends these sockets
        log.warning("could not reach Redis to end sessions at once; the sweep ends them within 15 s")
        return False
    return True


def _send(app: Flask, message: dict[str, Any]) -> None:
    message = {**message, "from": app.extensions["concord.control_host"]}
    _apply(app, message)  # this process at once
    publisher = app.extensions.get("concord.control_redis")
    if publisher is not None:
        try:
            publisher.publish(app.extensions["concord.control_channel"], json.dumps(message))
        except Exception:  # Redis down: the sweep still ends these sockets within SWEEP_SECONDS
            log.exception("could not publish a session control message")


# -- applying them in this process -----------------------------------------------------------------

def _apply(app: Flask, message: dict[str, Any]) -> None:
    if message.get("op") == "end":
        for sid in _tracker(app).of_sessions(message.get("sessions") or []):
            _end_socket(app, sid, message.get("reason") or "")
    elif message.get("op") == "recheck" and isinstance(message.get("user_id"), int):
        _recheck(app, message["user_id"], message.get("incidents"))


def _end_socket(app: Flask, sid: str, reason: str) -> None:
    _tracker(app).remove(sid)
    try:
        socketio.emit("session_ended", {"reason": reason}, to=sid, namespace="/")
        # ignore_queue: the socket is ours; the disconnect handler drops its presence entries
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
    except Exception:
        log.exception("could not disconnect socket %s", sid)


def _recheck(app: Flask, user_id: int, incident_ids: list[int] | None) -> None:
    sids = set(_tracker(app).of_user(user_id))
    if not sids:
        return
    joined = [(inc, sid) for inc, sid, _u in app.extensions["concord.presence_local"].entries() if sid in sids]
    if incident_ids is not None:
        joined = [(inc, sid) for inc, sid in joined if inc in incident_ids]
    if not joined:
        return
    db = app.extensions["concord.sessions"]()
    try:
        user = db.get(User, user_id)
        keep = {inc for inc, _sid in joined if user is not None and user.active and allowed(
            Action.INCIDENT_VIEW, str(user.role), seats_of(db, inc, user_id), user.qualifications)}
    finally:
        db.close()
    for inc, sid in joined:
        if inc not in keep:
            _leave(app, sid, inc)


def _leave(app: Flask, sid: str, incident_id: int) -> None:
    socketio.server.leave_room(sid, f"incident:{incident_id}", namespace="/")  # realtime.sockets.room
    if app.extensions["concord.presence_local"].drop(sid, incident_id):
        app.extensions["concord.presence"].remove(incident_id, sid)
        app.extensions["concord.presence_push"].mark(incident_id)
    socketio.emit("access_ended", {"incident_id": incident_id}, to=sid, namespace="/")


def _sweep(app: Flask) -> None:
    tracker = _tracker(app)
    while not tracker.stopped:
        socketio.sleep(SWEEP_SECONDS)
        try:
            sweep_once(app)
        except Exception:
            log.exception("session sweep failed")


def sweep_once(app: Flask) -> int:
    """Disconnect this process's sockets whose session is no longer usable; returns how many."""
    tracker = _tracker(app)
    local = tracker.snapshot()
    if not local:
        return 0
    db = app.extensions["concord.sessions"]()
    try:
        ids = {s for _u, s in local.values()}
        rows = {ls.id: ls for ls in db.scalars(select(LoginSession).where(LoginSession.id.in_(ids)))}
        users = {u.id: u for u in db.scalars(select(User).where(User.id.in_({u for u, _s in local.values()})))}
        now = clock.now()
        dead = [sid for sid, (u, s) in local.items() if not sessions.usable(rows.get(s), users.get(u), now)]
    finally:
        db.close()
    for sid in dead:
        _end_socket(app, sid, "expired")
    return len(dead)


def _listen(app: Flask, url: str, channel: str) -> None:
    import redis
    tracker = _tracker(app)
    while not tracker.stopped:
        try:
            client = redis.Redis.from_url(url, **REDIS_OPTIONS)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            while not tracker.stopped:
                msg = pubsub.get_message(timeout=1.0)
                if msg and msg.get("type") == "message":
                    data = json.loads(msg["data"])
                    if data.get("from") != app.extensions["concord.control_host"]:
                        _apply(app, data)
        except Exception:
            log.exception("session control listener: reconnecting")
            socketio.sleep(1)


def _on_event(app: Flask, event: dict[str, Any]) -> None:
    """A committed timeline event: a seat lost may end the previous holder's view of the incident."""
    key = SEAT_LOSS.get(event.get("type", ""))
    if key is None:
        return
    holder = (event.get("payload") or {}).get(key) or {}
    if isinstance(holder.get("user_id"), int):
        recheck_access(app, holder["user_id"], [event["incident_id"]])


def register(app: Flask, settings: Settings, channel: str) -> None:
    """Set up this app's socket registry, the control listener (with Redis) and the seat-loss hook."""
    tracker = app.extensions["concord.session_sockets"] = LocalSessions()
    app.extensions["concord.control_host"] = uuid.uuid4().hex
    app.extensions["concord.control_channel"] = f"{channel}:control"
    sessions.configure(idle=settings.session_idle, lifetime=settings.session_lifetime)
    if settings.redis_url:
        import redis
        app.extensions["concord.control_redis"] = redis.Redis.from_url(settings.redis_url, **REDIS_OPTIONS)
        socketio.start_background_task(_listen, app, settings.redis_url, f"{channel}:control")
    unsubscribe = bus.subscribe(lambda ev: _on_event(app, ev))
    previous = app.extensions.get("concord.bus_unsubscribe")

    def stop() -> None:
        tracker.stopped = True
        unsubscribe()
        if previous:
            previous()
    app.extensions["concord.bus_unsubscribe"] = stop
