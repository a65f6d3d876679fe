"""Socket.IO: one room per incident; the login session authenticates; access checked on every event.

Rooms: `incident:<id>` (timeline + presence of one incident, joined after an access check) and
`user:<id>` (notifications for one user, joined on connect). Origins are checked by engine.io in
the handshake against Settings.origins() (see create_app). Every handler re-resolves the login
session, so a logout ends what an open socket may do.
"""
from __future__ import annotations

import logging
import math
import os
from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from incident import clock, service
from incident.access.permissions import Action
from incident.accounts import admin as account_admin
from incident.accounts import service as accounts
from incident.errors import DomainError, NotFound, Throttled, Unauthenticated, ValidationError
from incident.security.log import Kind
from incident.settings import Settings
from incident.timeline import bus, list_since
from incident.timeline.render import with_words
from realtime import presence
from realtime.dbsession import db
from realtime.errors import error_body, status_of
from realtime.http.access import SOCKET_ACTIONS
from realtime.extensions import socketio
from realtime.security import recorder
from realtime.security import socket_limits as limits
from realtime.sessions import control as session_control

CHANNEL_ENV = "CONCORD_SOCKETIO_CHANNEL"
log = logging.getLogger(__name__)


def room(incident_id: int) -> str:
    return f"incident:{incident_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def channel() -> str:
    """Redis pub/sub channel (and presence key prefix); one per deployment, or per test run."""
    return os.environ.get(CHANNEL_ENV) or "concord"


def queue_manager(settings: Settings, write_only: bool = False) -> Any:
    """The Redis message queue of Socket.IO, or None without CONCORD_REDIS_URL.

    `health_check_interval` keeps the listener alive when Redis drops idle connections
    (python-socketio #281); a write-only manager lets a process without clients emit.
    """
    if not settings.redis_url:
        return None
    import socketio as sio
    return sio.RedisManager(settings.redis_url, channel=channel(), write_only=write_only,
                            redis_options={"health_check_interval": 30,
                                           "socket_connect_timeout": 2})  # issue 17: no hang on a lost Redis


def publish(event: dict[str, Any]) -> None:
    """Push one committed timeline event to its incident's room (called once, after commit).

    `sent_at` (push time, i.e. just after the commit) lets a client see how stale a push is;
    events fetched in a catch-up do not carry it.
    """
    pushed = {**with_words(event), "sent_at": clock.now().isoformat()}
    socketio.emit("timeline", pushed, to=room(event["incident_id"]), namespace="/")


def emit_presence(incident_id: int, users: list[dict[str, Any]]) -> None:
    socketio.emit("presence", {"incident_id": incident_id, "users": users}, to=room(incident_id),
                  namespace="/")


def _store() -> presence.PresenceStore:
    return current_app.extensions["concord.presence"]


def _changed(incident_id: int) -> None:
    """Someone came or went: push the room's presence soon (coalesced)."""
    current_app.extensions["concord.presence_push"].mark(incident_id)


def _user() -> Any:
    user = accounts.resolve_session(db(), session.get("sid"))
    if user is None:
        raise Unauthenticated("login required")
    return user


def _incident_id(data: Any) -> int:
    value = data.get("incident_id") if isinstance(data, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError("incident_id must be a positive integer", field="incident_id")
    return limits.bounded_id(value, "incident_id")  # -- socket limits (issue 10): above 2^31-1 too


def _refused(err: DomainError, status: int | None = None) -> dict[str, Any]:
    """The error acknowledgement; refusals are written to the security log (flood-guarded)."""
    status = status or status_of(err)
    ev = getattr(request, "event", None) or {}
    args = ev.get("args") or ()
    first = args[0] if args else None
    user = request.environ.get("concord.user") or {}
    recorder.note(Kind.SOCKET_REFUSED, user_id=user.get("id"), user_name=user.get("name", ""),
                  incident_id=first.get("incident_id") if isinstance(first, dict) else None,
                  status=status, event=str(ev.get("message", ""))[:60], reason=err.code, field=err.field)
    return {"ok": False, "status": status, **error_body(err)}


class IncidentNamespace(Namespace):
    def trigger_event(self, event: str, *args: Any) -> Any:
        """Every client event passes the socket limits (rate, size, known event) first."""
        if event in ("connect", "disconnect"):
            return super().trigger_event(event, *args)
        return self.socketio._handle_event(self._guarded, event, self.namespace, *args)

    def _guarded(self, *args: Any) -> dict[str, Any]:
        event = str(request.event.get("message", ""))
        user = request.environ.get("concord.user") or {}
        guard: limits.SocketLimits = current_app.extensions["concord.socket_limits"]
        if not guard.admit(request.sid, user.get("id")):
            wait = max(1, math.ceil(guard.retry_after(request.sid, user.get("id"))))
            err = Throttled("too many live events; wait %(retry_after)s s", retry_after=wait)
            if guard.first_refusal(request.sid):
                return _refused(err)
            return {"ok": False, "status": 429, **error_body(err)}  # the burst is logged once
        size = limits.payload_size(args)
        if size is None or size > limits.MAX_MESSAGE:
            return _refused(limits.MessageTooLarge(
                "the message is larger than %(max)s bytes", field="data", max=limits.MAX_MESSAGE), 413)
        if event not in SOCKET_ACTIONS:  # the declared events are the only ones served
            return _refused(NotFound("unknown event", field="event"))
        try:
            return getattr(self, f"on_{event}")(args[0] if args else None)
        except Exception:  # never leave a client without an answer
            log.exception("socket event %s failed", event)
            db().rollback()
            return {"ok": False, "status": 500, "error": "internal", "field": None,
                    "message": "the server could not handle this event; try again"}

    def on_connect(self, auth: Any = None) -> None:
        user = accounts.resolve_session(db(), session.get("sid"))
        if user is None:
            recorder.note(Kind.SOCKET_REFUSED, status=401, event="connect", reason="unauthenticated")
            raise ConnectionRefusedError("login required")
        # -- accounts (issue 10): not before the password change / two-factor enrolment asked for
        if account_admin.restriction(db(), user) is not None:
            raise ConnectionRefusedError("finish your account set-up first")
        request.environ["concord.user"] = {"id": user.id, "name": user.display_name}
        join_room(user_room(user.id))
        session_control.connected(current_app._get_current_object(),  # type: ignore[attr-defined]
                                  request.sid, user.id, session["sid"])

    def on_disconnect(self, reason: Any = None) -> None:
        current_app.extensions["concord.socket_limits"].forget(request.sid)
        session_control.disconnected(current_app._get_current_object(), request.sid)  # type: ignore[attr-defined]
        tracker: presence.LocalSockets = current_app.extensions["concord.presence_local"]
        for incident_id in tracker.forget(request.sid):
            _store().remove(incident_id, request.sid)
            _changed(incident_id)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        """Join an incident room after an access check; replies with the events after `after`."""
        try:
            user = _user()
            incident_id = _incident_id(data)
            after = data.get("after", 0)
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                raise ValidationError("after must be a sequence number >= 0", field="after")
            after = limits.bounded_id(after, "after", lo=0)
            inc = service.load_for(db(), user.actor, incident_id, Action.INCIDENT_VIEW)
            # Join first, then read: an event committed in between arrives twice, never zero times.
            join_room(room(inc.id))
            events = [with_words(e.to_dict()) for e in list_since(db(), inc.id, after)]
            entry = {"id": user.id, "name": user.display_name}
            current_app.extensions["concord.presence_local"].remember(request.sid, inc.id, entry)
            _store().add(inc.id, request.sid, entry)
            _ensure_heartbeat(current_app._get_current_object())  # type: ignore[attr-defined]
            users = _store().users(inc.id)
            _changed(inc.id)
            return {"ok": True, "incident_id": inc.id, "events": events, "last_seq": inc.last_seq,
                    "users": users}
        except DomainError as err:
            return _refused(err)

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        try:
            _user()
            incident_id = _incident_id(data)
        except DomainError as err:
            return _refused(err)
        leave_room(room(incident_id))
        if current_app.extensions["concord.presence_local"].drop(request.sid, incident_id):
            _store().remove(incident_id, request.sid)
            _changed(incident_id)
        return {"ok": True, "incident_id": incident_id}

    def on_presence(self, data: Any = None) -> dict[str, Any]:
        """Who is on the incident's board now (same access check as join)."""
        try:
            user = _user()
            inc = service.load_for(db(), user.actor, _incident_id(data), Action.INCIDENT_VIEW)
            return {"ok": True, "incident_id": inc.id, "users": _store().users(inc.id)}
        except DomainError as err:
            return _refused(err)


def _heartbeat(app: Flask) -> None:
    """Refresh this process's entries and push presence when someone vanished (crash, expiry)."""
    tracker: presence.LocalSockets = app.extensions["concord.presence_local"]
    store: presence.PresenceStore = app.extensions["concord.presence"]
    last: dict[int, list[dict[str, Any]]] = {}
    while not tracker.stopped:
        # while Redis is unreachable, look for its return every few seconds: this process's sockets
        # go back into the shared presence at once, not at the next refresh (issue 17)
        waiting = getattr(store, "mode", "redis") != "redis"
        socketio.sleep(presence.FallbackPresence.RETRY_SECONDS if waiting else presence.REFRESH_SECONDS)
        if waiting and not store.check():  # type: ignore[attr-defined]
            continue
        try:  # never let one failed round (Redis gone, issue 17) end the refresh for good
            for incident_id, sid, entry in tracker.entries():
                store.touch(incident_id, sid, entry)
            for incident_id in tracker.incidents():
                users = store.users(incident_id)
                if last.get(incident_id) not in (None, users):
                    emit_presence(incident_id, users)
                last[incident_id] = users
        except Exception:
            log.exception("presence refresh failed; trying again in %s s", presence.REFRESH_SECONDS)


def _ensure_heartbeat(app: Flask) -> None:
    tracker: presence.LocalSockets = app.extensions["concord.presence_local"]
    if tracker.claim_heartbeat():
        socketio.start_background_task(_heartbeat, app)


def register(app: Flask, settings: Settings) -> None:
    tracker = app.extensions["concord.presence_local"] = presence.LocalSockets()
    store = app.extensions["concord.presence"] = presence.make_store(settings.redis_url, channel(),
                                                                     tracker.entries)
    app.extensions["concord.socket_limits"] = limits.SocketLimits()  # -- socket limits (issue 10)

    def push(incident_id: int) -> None:
        if not tracker.stopped:  # a stopped app (tests) must not speak for the next one
            emit_presence(incident_id, store.users(incident_id))
    app.extensions["concord.presence_push"] = presence.Coalescer(push, socketio.start_background_task,
                                                                 socketio.sleep)
    socketio.on_namespace(IncidentNamespace("/"))
    if not app.extensions.get("concord.bus_subscribed"):
        unsubscribe = bus.subscribe(publish)

        def _stop() -> None:
            unsubscribe()
            app.extensions["concord.presence_local"].stopped = True
        app.extensions["concord.bus_unsubscribe"] = _stop
        app.extensions["concord.bus_subscribed"] = True
