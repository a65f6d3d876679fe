"""Live public page: Socket.IO namespace /public, one room per incident, carrying only a "changed"
signal (the page then fetches the projection through the rate-limited public API). A client joins
with its code in the connection's auth; a refused code is a refused connection."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from limits import parse

from incident import clock
from incident.errors import NotFound
from incident.public import lookup
from incident.timeline import bus
from realtime.dbsession import db
from realtime.extensions import socketio

NAMESPACE = "/public"
PUBLIC_TYPES = {"public.update_published", "public.stage_changed"}
_subscribed: list[bool] = []
CONNECTS = parse("30/minute")  # per address, like the public routes (realtime.public.limits)


def room(incident_id: int) -> str:
    return f"public:{incident_id}"


class PublicNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        limiter = current_app.extensions.get("concord.public_limiter")
        address = (request.remote_addr or "unknown")[:64]
        if limiter is not None and not limiter.limiter.hit(CONNECTS, "public-socket", address):
            raise ConnectionRefusedError("too many connections; try again in a minute")
        code = auth.get("code") if isinstance(auth, dict) else None
        try:
            incident_id = lookup.resolve(db(), code).incident_id
        except NotFound:
            raise ConnectionRefusedError("unknown code") from None
        finally:
            db().rollback()
        join_room(room(incident_id))

    def on_disconnect(self, reason: Any = None) -> None:
        return None


def _forward(event: dict[str, Any]) -> None:
    if event.get("type") in PUBLIC_TYPES:
        socketio.emit("changed", {"at": clock.now().isoformat()}, to=room(event["incident_id"]),
                      namespace=NAMESPACE)


def register(app: Flask) -> None:
    socketio.on_namespace(PublicNamespace(NAMESPACE))
    if not _subscribed:  # one forwarder per process: the Socket.IO server is process-wide
        bus.subscribe(_forward)
        _subscribed.append(True)
