"""Socket.IO: one room per incident; the login session authenticates; access checked on join."""
from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from incident import service
from incident.accounts import service as accounts
from incident.errors import DomainError
from incident.permissions import Action
from incident.timeline import bus
from realtime.dbsession import db
from realtime.errors import error_body
from realtime.extensions import socketio


def room(incident_id: int) -> str:
    return f"incident:{incident_id}"


def publish(event: dict[str, Any]) -> None:
    """Push one committed timeline event to its incident's room (called after commit)."""
    socketio.emit("timeline", event, to=room(event["incident_id"]), namespace="/")


class IncidentNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        user = accounts.resolve_session(db(), session.get("sid"))
        if user is None:
            raise ConnectionRefusedError("login required")
        session_user = {"id": user.id, "name": user.display_name, "role": str(user.role)}
        request.environ["concord.user"] = session_user

    def on_join(self, data: Any) -> dict[str, Any]:
        """Join an incident room after an access check; replies with the events after `after`."""
        try:
            user = accounts.resolve_session(db(), session.get("sid"))
            if user is None:
                return {"ok": False, "error": "unauthenticated"}
            incident_id = data.get("incident_id") if isinstance(data, dict) else None
            after = data.get("after", 0) if isinstance(data, dict) else 0
            if not isinstance(after, int) or after < 0:
                return {"ok": False, "error": "invalid", "field": "after"}
            inc = service.load_for(db(), user.actor, incident_id, Action.INCIDENT_VIEW)
            join_room(room(inc.id))
            from incident.timeline import list_since
            events = [e.to_dict() for e in list_since(db(), inc.id, after)]
            return {"ok": True, "incident_id": inc.id, "events": events, "last_seq": inc.last_seq}
        except DomainError as err:
            return {"ok": False, **error_body(err)}


def register(app: Flask) -> None:
    socketio.on_namespace(IncidentNamespace("/"))
    if not app.extensions.get("concord.bus_subscribed"):
        app.extensions["concord.bus_unsubscribe"] = bus.subscribe(publish)
        app.extensions["concord.bus_subscribed"] = True
