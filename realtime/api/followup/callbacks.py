"""Callbacks (回访): the board's counts and distribution, recording an attempt or an answer, and
the board section (phone first), re-fetched live when a callback event reaches the room."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from incident import service
from incident.access.permissions import Action
from incident.callbacks import queries
from incident.callbacks import service as callbacks
from incident.callbacks.scale import REASONS, SCALE, Channel
from incident.closing import gate
from incident.models import Incident
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import BOOL, INT, STR, TIME, VERSION, array, null, obj, register
from realtime.sections import Section, register_section, render_section

bp = Blueprint("callbacks_api", __name__)
API = "/api/v1/incidents/<int:incident_id>/callbacks"


@bp.get(API)
def board(incident_id: int):  # type: ignore[no-untyped-def]
    """Callbacks due / done / overdue / unreachable, the satisfaction distribution and every callback."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(queries.summary(db(), inc.id))


@bp.post(API + "/<int:callback_id>/attempts")
def record_attempt(incident_id: int, callback_id: int):  # type: ignore[no-untyped-def]
    """Record one attempt: not reached, or reached with a satisfaction score, reasons and a note."""
    data = json_body()
    cb = callbacks.record_attempt(db(), actor=actor(), incident_id=incident_id, callback_id=callback_id,
                                  channel=data.get("channel"), reached=data.get("reached"),
                                  satisfaction=data.get("satisfaction"), reasons=data.get("reasons"),
                                  note=data.get("note"), expected_version=data.get("version"))
    db().commit()
    return jsonify(queries.to_dict(cb)), 201


# -- OpenAPI
LEVEL = {"enum": [s.value for s in SCALE]}
ATTEMPT = obj(id=INT, at=TIME, channel=STR, reached=BOOL, note=STR, recorded_by=STR)
CALLBACK = obj(id=INT, round=INT, anchor=STR, anchor_at=TIME, due_at=TIME, overdue_at=TIME,
               state={"enum": list(queries.STATES)}, status=STR, target=STR, claimant_id=null(INT),
               representative_id=null(INT), name=STR, covers=array(INT), satisfaction=null(LEVEL),
               reasons=array(STR), note=STR, done_at=null(TIME), recorded_by=STR, max_attempts=INT,
               attempts=array(ATTEMPT), follows_id=null(INT), version=INT)
register("callbacks_api.board", responses={200: obj(
    counts=obj(**{s: INT for s in queries.STATES}), distribution=obj(**{s.value: INT for s in SCALE}),
    claimant_distribution=obj(**{s.value: INT for s in SCALE}),
    answered=INT, satisfied_share=null(STR), callbacks=array(CALLBACK))})
register("callbacks_api.record_attempt", body={"type": "object", "required": ["channel", "reached"], "properties": {
    "channel": {"enum": [c.value for c in Channel]}, "reached": BOOL, "satisfaction": LEVEL,
    "reasons": {"type": "array", "items": {"enum": list(REASONS)}, "maxItems": len(REASONS)},
    "note": {"type": "string", "maxLength": 2000}, "version": VERSION}}, responses={201: CALLBACK})


def _provider(session: Any, a: Any, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    items = [i for i in gate.evaluate(session, inc) if i.section == "callbacks"]
    return queries.summary(session, inc.id) | {"scale": [s.value for s in SCALE], "reasons": list(REASONS),
                                               "channels": [c.value for c in Channel], "gate": items}


@bp.get("/incidents/<int:incident_id>/sections/callbacks")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The callbacks section alone, re-fetched by callbacks.js when a callback event arrives."""
    return render_section(incident_id, "callbacks")


register_section(Section("callbacks", "sections/callbacks.html", _provider, order=70, script="callbacks.js"))
