"""Live public page: Socket.IO namespace /public, one room per incident, carrying only a "changed"
signal (the page then fetches the projection through the rate-limited public API). A client joins
with its code in the connection's auth; a refused code is a refused connection."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from incident import clock
from incident.errors import NotFound
from incident.public import lookup
from incident.timeline import bus
from realtime.dbsession import db
from realtime.extensions import socketio

NAMESPACE = "/public"
PUBLIC_TYPES = {"public.update_published", "public.stage_changed"}
_subscribed: list[bool] = []


def room(incident_id: int) -> str:
    return f"public:{incident_id}"


class PublicNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
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
