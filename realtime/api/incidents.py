"""JSON API under /api/v1 for incidents, the timeline, notes, read-back and the lexicon."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from incident import service
from incident.access.permissions import Action, require
from incident.accounts import service as accounts
from incident.closing.status import change_status as status_change  # -- closing (issue 13)
from incident.intake.readback import readback_text
from incident.intake.schema import parse_intake
from incident.timeline import list_since
from incident.timeline.render import with_words
from incident.triage import store as lexicon
from playbooks.notify import channels, messages
from realtime.auth import actor, current_user
from realtime.dbsession import db
from realtime.http.params import int_arg, json_body, version_of
from realtime.http.serialize import incident_brief, incident_full
from realtime.openapi import (BOOL, EVENT, ID, INCIDENT, INCIDENT_BRIEF, INT, STR, ANY_OBJ, array, obj,
                              register)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    from realtime.openapi import document
    return jsonify(document())


@bp.get("/me")
def me():  # type: ignore[no-untyped-def]
    u = current_user()
    return jsonify({"id": u.id, "username": u.username, "display_name": u.display_name,
                    "role": str(u.role), "locale": u.locale,
                    # -- accounts (issue 10)
                    "qualifications": sorted(u.qualifications), "totp": u.has_totp,
                    "must_change_password": u.must_change_password})


@bp.get("/incidents")
def list_incidents():  # type: ignore[no-untyped-def]
    return jsonify({"incidents": [incident_brief(i) for i in service.visible_incidents(db(), actor())]})


@bp.post("/incidents")
def open_incident():  # type: ignore[no-untyped-def]
    intake = parse_intake(json_body())
    inc = service.open_incident(db(), actor=actor(), intake=intake,
                                formation_minutes=current_app.extensions["concord.settings"].formation_minutes)
    db().commit()
    return jsonify(incident_full(inc)), 201


@bp.get("/incidents/<int:incident_id>")
def get_incident(incident_id: int):  # type: ignore[no-untyped-def]
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(incident_full(inc))


@bp.patch("/incidents/<int:incident_id>")
def update_incident(incident_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    inc = service.update_intake(db(), actor=actor(), incident_id=incident_id, data=data,
                                expected_version=version_of(data))
    db().commit()
    return jsonify(incident_full(inc))


@bp.get("/incidents/<int:incident_id>/events")
def events(incident_id: int):  # type: ignore[no-untyped-def]
    service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    after = int_arg("after", 0)
    limit = int_arg("limit", 500, 1, 1000)
    evs = list_since(db(), incident_id, after, limit)
    return jsonify({"incident_id": incident_id, "after": after,
                    "events": [with_words(e.to_dict()) for e in evs]})


@bp.post("/incidents/<int:incident_id>/notes")
def add_note(incident_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    note = service.add_note(db(), actor=actor(), incident_id=incident_id, text=data.get("text"))
    db().commit()
    return jsonify({"id": note.id, "text": note.text, "at": note.at.isoformat()}), 201


@bp.get("/incidents/<int:incident_id>/readback")
def readback(incident_id: int):  # type: ignore[no-untyped-def]
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify({"zh_CN": readback_text(inc, "zh_CN"), "en": readback_text(inc, "en")})


@bp.post("/incidents/<int:incident_id>/readback/confirm")
def confirm_readback(incident_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    inc = service.confirm_readback(db(), actor=actor(), incident_id=incident_id,
                                   confirmed_by=data.get("confirmed_by", ""))
    db().commit()
    return jsonify(incident_full(inc))


@bp.post("/incidents/<int:incident_id>/escalate")
def escalate(incident_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    before = service.get(db(), incident_id).grade  # -- the group robots hear of the change (issue 12)
    inc = service.escalate(db(), actor=actor(), incident_id=incident_id, reason=data.get("reason"))
    channels.enqueue(db(), inc, "grade", messages.GRADE_CHANGED, {"grade": inc.grade, "before": before}, "triage")
    db().commit()
    return jsonify(incident_full(inc))


@bp.post("/incidents/<int:incident_id>/status")
def change_status(incident_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    from incident.errors import Conflict
    from realtime.api.settlement.closing import localized_items
    try:
        inc = status_change(db(), actor=actor(), incident_id=incident_id, status=data.get("status"),
                            reason=data.get("reason") or "", override_reason=data.get("override_reason") or "",
                            expected_version=version_of(data))
    except Conflict as err:  # the gate's open items in the user's language, each with its text
        if "open_items" in err.details:
            err.details["open_items"] = localized_items(err.details["open_items"])
        raise
    db().commit()
    return jsonify(incident_full(inc))


@bp.get("/lexicon")
def get_lexicon():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.INCIDENT_LIST)
    return jsonify({"keywords": [k.to_dict() for k in lexicon.list_keywords(db())],
                    "categories": list(lexicon.CATEGORIES)})


@bp.post("/lexicon")
def add_keyword():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.LEXICON_EDIT)
    data = json_body()
    row = lexicon.add_keyword(db(), term=data.get("term"), category=data.get("category"),
                              weight=data.get("weight", 1))
    db().commit()
    return jsonify(row.to_dict()), 201


@bp.patch("/lexicon/<int:keyword_id>")
def toggle_keyword(keyword_id: int):  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.LEXICON_EDIT)
    data = json_body()
    if not isinstance(data.get("active"), bool):
        from incident.errors import ValidationError
        raise ValidationError("active must be true or false", field="active")
    row = lexicon.set_active(db(), keyword_id, data["active"])
    db().commit()
    return jsonify(row.to_dict())


@bp.get("/users")
def list_users():  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from incident.accounts.models import User
    require(db(), actor(), Action.INCIDENT_LIST)
    users = db().scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return jsonify({"users": [{"id": u.id, "username": u.username, "display_name": u.display_name,
                               "role": str(u.role)} for u in users]})


@bp.post("/users")
def add_user():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.USER_MANAGE)
    data = json_body()
    u = accounts.create_user(db(), username=data.get("username"), password=data.get("password"),
                             display_name=data.get("display_name"), role=data.get("role", "staff"),
                             locale=data.get("locale", "zh_CN"))
    db().commit()
    return jsonify({"id": u.id, "username": u.username, "role": str(u.role)}), 201


# -- OpenAPI (issue 10): what each operation above takes and answers
KEYWORD = obj(id=INT, term=STR, category=STR, weight=INT, active=BOOL)
USER = obj(id=INT, username=STR, display_name=STR, role={"enum": ["admin", "manager", "staff"]})
register("api.openapi", responses={200: ANY_OBJ | {"description": "this document"}})
register("api.me", responses={200: obj(id=INT, username=STR, display_name=STR, role=STR, locale=STR)})
register("api.list_incidents", responses={200: obj(incidents=array(INCIDENT_BRIEF))})
register("api.get_incident", responses={200: INCIDENT})
register("api.events", query={"after": {"type": "integer", "minimum": 0, "maximum": 10**9, "description":
                                        "return events with seq > after"},
                              "limit": {"type": "integer", "minimum": 1, "maximum": 1000}},
         responses={200: obj(incident_id=ID, after=INT, events=array(EVENT))})
register("api.readback", responses={200: obj(zh_CN=STR, en=STR)})
register("api.get_lexicon", responses={200: obj(keywords=array(KEYWORD), categories=array(STR))})
register("api.add_keyword", body={"type": "object", "required": ["term", "category"], "properties": {
    "term": {"type": "string", "minLength": 1, "maxLength": 64}, "category": STR,
    "weight": {"type": "integer", "minimum": 1, "maximum": 3}}}, responses={201: KEYWORD})
register("api.toggle_keyword", body={"type": "object", "required": ["active"], "properties": {"active": BOOL}},
         responses={200: KEYWORD})
register("api.list_users", responses={200: obj(users=array(USER))})
register("api.add_user", body={"type": "object", "required": ["username", "password"], "properties": {
    "username": STR, "password": STR, "display_name": STR, "role": {"enum": ["admin", "manager", "staff"]},
    "locale": {"enum": ["zh_CN", "en"]}}}, responses={201: obj(id=INT, username=STR, role=STR)})
