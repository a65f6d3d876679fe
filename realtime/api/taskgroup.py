"""Task group over HTTP: the group, seat changes, consent and recordings; the board section."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from incident import attachments, clock, service
from incident.access.permissions import Action
from incident.errors import NotFound, ValidationError
from incident.taskgroup import recording
from incident.taskgroup import service as taskgroup
from incident.taskgroup.board import group_snapshot
from incident.taskgroup.formation import formation_status
from incident.taskgroup.holders import names_for, seat_dict
from incident.taskgroup.models import Recording
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.http.taskgroup_section import provider
from realtime.openapi import (ANY_OBJ, ATTACHMENT, BOOL, ID, INT, MULTIPART, STR, TIME, array, file, null, obj, register,
                              upload)

bp = Blueprint("taskgroup", __name__)
BASE = "/api/v1/incidents/<int:incident_id>/taskgroup"


def _version(data: dict[str, Any]) -> int | None:
    """The optional group version the caller last read (stale → 409)."""
    v = data.get("version")
    if v is None:
        return None
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValidationError("version must be the group version you last read", field="version")
    return v


def _group(incident_id: int, **extra: Any) -> dict[str, Any]:
    inc = service.get(db(), incident_id)
    return group_snapshot(db(), inc, clock.now()) | extra


@bp.get(BASE)
def get_group(incident_id: int):  # type: ignore[no-untyped-def]
    """The task group: seats held, vacant seats, formation clock, key figures, consents, recordings."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(group_snapshot(db(), inc, clock.now()))


@bp.get(BASE + "/history")
def history(incident_id: int):  # type: ignore[no-untyped-def]
    """Every tenure of every seat (the handoff history), oldest first."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(group_snapshot(db(), inc, clock.now(), history=True))


@bp.get(BASE + "/formation")
def formation(incident_id: int):  # type: ignore[no-untyped-def]
    """The formation clock: due, formed, remaining seconds, missed."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(formation_status(inc, clock.now()))


@bp.post(BASE + "/seats")
def assign(incident_id: int):  # type: ignore[no-untyped-def]
    """Put a user, or an outside person (auxiliary seats only), on an empty seat."""
    data = json_body()
    row = taskgroup.assign_seat(db(), actor=actor(), incident_id=incident_id, seat=data.get("seat"),
                                label=data.get("label", ""), holder=data, expected_version=_version(data))
    db().commit()
    return jsonify(_group(incident_id, assignment=seat_dict(row, names_for(db(), [row])))), 201


@bp.post(BASE + "/seats/<int:assignment_id>/replace")
def replace(incident_id: int, assignment_id: int):  # type: ignore[no-untyped-def]
    """Hand the seat held under assignment_id over to someone else (409 if it changed meanwhile)."""
    data = json_body()
    row = taskgroup.replace_seat(db(), actor=actor(), incident_id=incident_id, assignment_id=assignment_id,
                                 holder=data, expected_version=_version(data))
    db().commit()
    return jsonify(_group(incident_id, assignment=seat_dict(row, names_for(db(), [row]))))


@bp.post(BASE + "/seats/<int:assignment_id>/release")
def release(incident_id: int, assignment_id: int):  # type: ignore[no-untyped-def]
    """Leave the seat empty (not the leader seat: hand it over instead)."""
    data = json_body()
    row = taskgroup.release_seat(db(), actor=actor(), incident_id=incident_id, assignment_id=assignment_id,
                                 expected_version=_version(data))
    db().commit()
    return jsonify(_group(incident_id, assignment=seat_dict(row, names_for(db(), [row]))))


@bp.post(BASE + "/consents")
def add_consent(incident_id: int):  # type: ignore[no-untyped-def]
    """Record the complainants' informed consent to audio/video recording."""
    data = json_body()
    row = recording.record_consent(db(), actor=actor(), incident_id=incident_id,
                                   consented_by=data.get("consented_by"), method=data.get("method"),
                                   note=data.get("note", ""))
    db().commit()
    return jsonify(_group(incident_id, consent_id=row.id)), 201


@bp.post(BASE + "/recordings")
def add_recording(incident_id: int):  # type: ignore[no-untyped-def]
    """Upload an audio or video note (multipart: file, caption); needs a recorded consent."""
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the recording as multipart/form-data field 'file'", field="file")
    row = recording.add_recording(db(), actor=actor(), incident_id=incident_id, filename=upload.filename,
                                  content_type=upload.mimetype, data=upload.read(),
                                  caption=request.form.get("caption", ""))
    db().commit()
    return jsonify(_group(incident_id, recording_id=row.id)), 201


@bp.get(BASE + "/recordings/<int:recording_id>/file")
def recording_file(incident_id: int, recording_id: int):  # type: ignore[no-untyped-def]
    """Download a recording (bytes checked against their stored hash)."""
    service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    rec = db().get(Recording, recording_id)
    if rec is None or rec.incident_id != incident_id:
        raise NotFound("no such recording", field="recording_id")
    att, data = attachments.read(db(), rec.attachment_id, incident_id)
    return Response(data, mimetype=att.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(att.filename)}",
        "X-Content-Type-Options": "nosniff"})


def _quote(name: str) -> str:
    from urllib.parse import quote
    return quote(name, safe="")


@bp.get("/incidents/<int:incident_id>/taskgroup/section")
def section(incident_id: int):  # type: ignore[no-untyped-def]
    """The live part of the board section, re-fetched by taskgroup.js when events arrive."""
    from incident.access.permissions import can_map
    from incident.taskgroup.queries import seats_of
    a = actor()
    inc = service.load_for(db(), a, incident_id, Action.INCIDENT_VIEW)
    seats = seats_of(db(), inc.id, a.user_id)
    can = can_map(a, seats)
    return render_template("sections/_taskgroup_live.html", section=provider(db(), a, inc, can))


# -- OpenAPI: bodies and responses of the task-group routes
SEATS = ["leader", "customer_service", "business", "legal", "logistics", "recorder", "translator", "auxiliary"]
WHO = obj(user_id=null(INT), name=STR)
TENURE = obj(assignment_id=INT, seat={"enum": SEATS}, label=STR, core=BOOL,
             holder=obj(user_id=null(INT), name=STR, outside=BOOL, phone=null(STR)),
             assumed_at=TIME, assumed_by=WHO, released_at=null(TIME), released_by=null(WHO), predecessor_id=null(INT))
FORMATION = obj(due_at=TIME, formed_at=null(TIME), formed=BOOL, remaining_seconds=null(INT), missed=BOOL,
                overdue=BOOL, late_seconds=INT)
GROUP = obj(incident_id=INT, version=INT, seats=array(TENURE), vacant=array(STR), core_seats=array(STR),
            formation=FORMATION, figures=obj(headcount=INT, grade=STR, open_items=INT, open_items_by_kind=ANY_OBJ),
            consents=array(obj(id=INT, consented_by=STR, method=STR, recorder=STR, recorded_by=STR, at=TIME, note=STR)),
            recordings=array(obj(id=INT, kind=STR, caption=STR, consent_id=null(INT), at=TIME, recorded_by=STR,
                                 file=ATTACHMENT)))
HISTORY = obj(**GROUP["properties"], history=array(TENURE))
_HOLDER = {"user_id": ID, "outside_name": {"type": "string", "maxLength": 120},
           "outside_phone": {"type": "string", "description": "stored encrypted, shown masked"},
           "version": {"type": "integer", "description": "optional group version; stale → 409"}}
register("taskgroup.get_group", responses={200: GROUP})
register("taskgroup.history", responses={200: HISTORY})
register("taskgroup.formation", responses={200: FORMATION})
register("taskgroup.assign", body={"type": "object", "required": ["seat"], "properties": {
    "seat": {"enum": SEATS}, "label": {"type": "string", "maxLength": 120, "description": "name of a custom auxiliary seat"},
} | _HOLDER}, responses={201: obj(**GROUP["properties"], assignment=TENURE)})
register("taskgroup.replace", body={"type": "object", "properties": _HOLDER},
         responses={200: obj(**GROUP["properties"], assignment=TENURE)})
register("taskgroup.release", body={"type": "object", "properties": {"version": _HOLDER["version"]}},
         responses={200: obj(**GROUP["properties"], assignment=TENURE)})
register("taskgroup.add_consent", body={"type": "object", "required": ["consented_by", "method"], "properties": {
    "consented_by": {"type": "string", "maxLength": 300}, "method": {"enum": ["spoken", "written"]},
    "note": {"type": "string", "maxLength": 500}}}, responses={201: obj(**GROUP["properties"], consent_id=INT)})
register("taskgroup.add_recording", media=MULTIPART, body=upload(caption={"type": "string", "maxLength": 300}) | {
    "description": "audio/* or video/*"}, responses={201: obj(**GROUP["properties"], recording_id=INT)})
register("taskgroup.recording_file", responses={200: file("*/*", description="the recording (audio or video)")})
