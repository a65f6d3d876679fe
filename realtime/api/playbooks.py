"""Playbooks on the web: checklist API, add/drop a playbook, tick a step, the inbox (API and page)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale

from incident import attachments
from incident.access.permissions import Action
from incident.errors import ValidationError
from incident.i18n import normalize_locale
from incident.service import load_for
from playbooks import config, engine, views
from playbooks.notify import inbox, live
from realtime.auth import actor, current_user
from realtime.dbsession import db
from realtime.extensions import socketio
from realtime.http.params import int_arg, json_body
from realtime.openapi import ANY_OBJ, BOOL, INT, MULTIPART, STR, TIME, array, null, obj, register, upload
from realtime.sections import Section, register_section, render_section

bp = Blueprint("playbooks", __name__, url_prefix="/api/v1")
pages = Blueprint("playbook_pages", __name__)


def _locale() -> str:
    return normalize_locale(str(get_locale() or "zh_CN"))


@bp.get("/incidents/<int:incident_id>/checklist")
def get_checklist(incident_id: int):  # type: ignore[no-untyped-def]
    inc = load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(views.checklist(db(), inc))


@bp.post("/incidents/<int:incident_id>/playbooks")
def add_playbook(incident_id: int):  # type: ignore[no-untyped-def]
    data = json_body()
    inc = engine.attach(db(), actor=actor(), incident_id=incident_id, key=data.get("playbook"))
    db().commit()
    return jsonify(views.checklist(db(), inc)), 201


@bp.delete("/incidents/<int:incident_id>/playbooks/<key>")
def drop_playbook(incident_id: int, key: str):  # type: ignore[no-untyped-def]
    inc = engine.drop(db(), actor=actor(), incident_id=incident_id, key=key)
    db().commit()
    return jsonify(views.checklist(db(), inc))


@bp.post("/incidents/<int:incident_id>/checklist/<int:item_id>/tick")
def tick(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """JSON {note, attachment_id} or multipart (note, file): the file is stored as evidence first."""
    if request.mimetype == "multipart/form-data":
        note, attachment_id = request.form.get("note", ""), None
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            load_for(db(), actor(), incident_id, Action.STEP_TICK)
            att = attachments.store(db(), actor=actor(), incident_id=incident_id, filename=upload.filename,
                                    content_type=upload.mimetype or "", data=upload.read(), purpose="evidence")
            attachment_id = att.id
    else:
        data = json_body()
        note, attachment_id = data.get("note"), data.get("attachment_id")
    item = engine.tick(db(), actor=actor(), incident_id=incident_id, item_id=item_id, note=note,
                       attachment_id=attachment_id)
    db().commit()
    return jsonify(views.item_dict(item, item.done_at))


@bp.get("/notifications")
def list_notifications():  # type: ignore[no-untyped-def]
    user = current_user()
    unread = request.args.get("unread", "0")
    if unread not in ("0", "1"):
        raise ValidationError("unread must be 0 or 1", field="unread")
    rows = inbox.list_for(db(), user.id, unread_only=unread == "1", limit=int_arg("limit", 100, 1, 500))
    return jsonify({"unread": inbox.unread_count(db(), user.id),
                    "notifications": [inbox.to_dict(n, _locale()) for n in rows]})


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):  # type: ignore[no-untyped-def]
    n = inbox.mark_read(db(), user_id=current_user().id, notification_id=notification_id)
    db().commit()
    return jsonify(inbox.to_dict(n, _locale()))


@bp.post("/notifications/read-all")
def read_all():  # type: ignore[no-untyped-def]
    count = inbox.mark_all_read(db(), user_id=current_user().id)
    db().commit()
    return jsonify({"marked": count, "unread": 0})


@pages.get("/inbox")
def inbox_page():  # type: ignore[no-untyped-def]
    user = current_user()
    rows = inbox.list_for(db(), user.id, limit=200)
    return render_template("inbox.html", notifications=[inbox.to_dict(n, _locale()) for n in rows],
                           unread=inbox.unread_count(db(), user.id))


@pages.post("/inbox/<int:notification_id>/read")
def inbox_read(notification_id: int):  # type: ignore[no-untyped-def]
    inbox.mark_read(db(), user_id=current_user().id, notification_id=notification_id)
    db().commit()
    return redirect(url_for("playbook_pages.inbox_page"))


@pages.post("/inbox/read-all")
def inbox_read_all():  # type: ignore[no-untyped-def]
    inbox.mark_all_read(db(), user_id=current_user().id)
    db().commit()
    return redirect(url_for("playbook_pages.inbox_page"))


@pages.get("/incidents/<int:incident_id>/sections/deadlines")
def deadlines_fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The deadlines section alone, re-fetched by deadlines.js after a relevant timeline event."""
    return render_section(incident_id, "deadlines")


def _section(session: Any, a: Any, inc: Any, can: dict[str, bool]) -> dict[str, Any]:
    return {"checklist": views.checklist(session, inc), "locale": _locale(),
            "can_manage": can.get(Action.PLAYBOOK_MANAGE.value, False),
            "can_tick": can.get(Action.STEP_TICK.value, False)}


def _toast(user_id: int, payload: dict[str, Any]) -> None:
    """Live toast from this web process (through Redis to every process when a queue is set)."""
    if getattr(socketio, "server", None) is not None:
        socketio.emit("notification", payload, to=f"user:{user_id}", namespace="/")


# -- OpenAPI: bodies, queries and responses of the playbook routes
TITLE = {"type": "object", "additionalProperties": STR, "description": "by locale: zh_CN, en"}
ITEM = obj(id=INT, playbook=STR, step=STR, round=INT, kind=STR, title=TITLE, phase=STR, seat=null(STR), status=STR,
           anchor=null(STR), due_at=null(TIME), remind_at=null(TIME), reminded_at=null(TIME), fired_at=null(TIME),
           overdue=BOOL, done_at=null(TIME), done_by=null(STR), evidence_needed=array(STR), depends_on=array(STR),
           escalates=BOOL, repeat=null(STR), rounds_done=INT, evidence=ANY_OBJ)
PLAYBOOK = obj(key=STR, title=TITLE)
CHECKLIST = obj(incident_id=INT, now=TIME, playbooks=array(PLAYBOOK), available=array(PLAYBOOK), items=array(ITEM),
                deadlines=array(ITEM))
NOTIFICATION = obj(id=INT, kind=STR, incident_id=null(INT), ref=null(STR), text=STR, created_at=TIME, read=BOOL,
                   url=STR)
register("playbooks.get_checklist", responses={200: CHECKLIST})
register("playbooks.add_playbook", body={"type": "object", "required": ["playbook"],
                                         "properties": {"playbook": STR}}, responses={201: CHECKLIST})
register("playbooks.drop_playbook", responses={200: CHECKLIST})
register("playbooks.tick", media={"application/json": {"type": "object", "properties": {
    "note": {"type": "string", "maxLength": 2000}, "attachment_id": null(INT)}},
    MULTIPART: upload((), note={"type": "string", "maxLength": 2000})}, responses={200: ITEM})
register("playbooks.list_notifications", query={"unread": {"enum": ["0", "1"]},
                                                "limit": {"type": "integer", "minimum": 1, "maximum": 500}},
         responses={200: obj(unread=INT, notifications=array(NOTIFICATION))})
register("playbooks.read_notification", responses={200: NOTIFICATION})
register("playbooks.read_all", responses={200: obj(marked=INT, unread=INT)})
register_section(Section("deadlines", "sections/deadlines.html", _section, order=20, script="deadlines.js"))


def register(app: Flask) -> None:
    config.configure(app.extensions["concord.settings"])
    app.register_blueprint(bp)
    app.register_blueprint(pages)
    live.subscribe(_toast)
