"""GET /api/v1/incidents/<id>/presence: who has the incident's board open right now."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from incident import service
from incident.access.permissions import Action
from realtime.auth import actor
from realtime.dbsession import db
from realtime.openapi import INT, STR, array, obj, register

bp = Blueprint("presence_api", __name__, url_prefix="/api/v1")


@bp.get("/incidents/<int:incident_id>/presence")
def incident_presence(incident_id: int):  # type: ignore[no-untyped-def]
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    users = current_app.extensions["concord.presence"].users(inc.id)
    return jsonify({"incident_id": inc.id, "users": users})


register("presence_api.incident_presence", responses={200: obj(incident_id=INT, users=array(obj(id=INT, name=STR)))})
