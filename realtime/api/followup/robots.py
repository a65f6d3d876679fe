"""Group robots on the web (issue 12): the organisation's (admin) and an incident's (its leader), API and pages."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy.orm import Session

from incident.access.permissions import Action, require
from incident.errors import DomainError
from playbooks.notify import channels, inbox
from realtime.auth import actor
from realtime.dbsession import db
from realtime.errors import localized, status_of
from realtime.http.inputs import ID_MAX, parse_int
from realtime.http.params import json_body
from realtime.openapi import BOOL, INT, STR, TIME, array, null, obj, register
from realtime.security import recorder
from realtime.sections import Section, register_section

bp = Blueprint("robots", __name__, url_prefix="/api/v1")
pages = Blueprint("robot_pages", __name__)


@bp.get("/notify/channels")
def org_channels():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.NOTIFY_CONFIGURE)
    return jsonify({"channels": channels.listing(db(), None)})


@bp.post("/notify/channels")
def add_org_channel():  # type: ignore[no-untyped-def]
    c = channels.add(db(), actor=actor(), incident_id=None, data=json_body())
    db().commit()
    return jsonify(channels.to_dict(c)), 201


@bp.delete("/notify/channels/<int:channel_id>")
def remove_org_channel(channel_id: int):  # type: ignore[no-untyped-def]
    c = channels.remove(db(), actor=actor(), incident_id=None, channel_id=channel_id)
    db().commit()
    return jsonify(channels.to_dict(c))


@bp.get("/incidents/<int:incident_id>/notify/channels")
def incident_channels(incident_id: int):  # type: ignore[no-untyped-def]
    from incident.service import load_for
    load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify({"channels": channels.listing(db(), incident_id)})


@bp.post("/incidents/<int:incident_id>/notify/channels")
def add_incident_channel(incident_id: int):  # type: ignore[no-untyped-def]
    c = channels.add(db(), actor=actor(), incident_id=incident_id, data=json_body())
    db().commit()
    return jsonify(channels.to_dict(c)), 201


@bp.delete("/incidents/<int:incident_id>/notify/channels/<int:channel_id>")
def remove_incident_channel(incident_id: int, channel_id: int):  # type: ignore[no-untyped-def]
    c = channels.remove(db(), actor=actor(), incident_id=incident_id, channel_id=channel_id)
    db().commit()
    return jsonify(channels.to_dict(c))


def _form() -> dict[str, Any]:
    return {"platform": request.form.get("platform", ""), "url": request.form.get("url", ""),
            "secret": request.form.get("secret", ""), "name": request.form.get("name", ""),
            "kinds": request.form.getlist("kinds") or None}


def _apply(incident_id: int | None) -> str | None:
    """Add or remove a robot from a page form; the error message (localized) or None."""
    try:
        if request.form.get("remove"):
            cid = parse_int(request.form["remove"])
            channels.remove(db(), actor=actor(), incident_id=incident_id,
                            channel_id=cid if cid is not None and 0 < cid <= ID_MAX else -1)
        else:
            channels.add(db(), actor=actor(), incident_id=incident_id, data=_form())
        db().commit()
        return None
    except DomainError as err:
        db().rollback()
        recorder.note_error(err, status_of(err))
        return localized(err)


@pages.route("/admin/robots", methods=["GET", "POST"])
def admin_robots():  # type: ignore[no-untyped-def]
    require(db(), actor(), Action.NOTIFY_CONFIGURE)
    error = None
    if request.method == "POST":
        error = _apply(None)
        if error is None:
            return redirect(url_for("robot_pages.admin_robots"))
    return render_template("admin_robots.html", robots=channels.listing(db(), None), kinds=channels.KINDS,
                           error=error), (400 if error else 200)


@pages.post("/incidents/<int:incident_id>/robots")
def incident_robots(incident_id: int):  # type: ignore[no-untyped-def]
    error = _apply(incident_id)
    if error:
        session["flash_error"] = error
    return redirect(url_for("pages.incident", incident_id=incident_id) + "#robots")


@pages.app_context_processor
def _badge() -> dict[str, Any]:
    """unread_count(user_id) for the navigation's unread badge on every page."""
    return {"unread_count": lambda user_id: inbox.unread_count(db(), user_id) if user_id else 0}


def _section(s: Session, a: Any, inc: Any, can: dict[str, bool]) -> dict[str, Any]:
    return {"robots": channels.listing(s, inc.id), "kinds": channels.KINDS,
            "can_edit": can.get(Action.NOTIFY_EDIT.value, False)}


ROBOT = obj(id=INT, incident_id=null(INT), platform={"enum": ["wecom", "dingtalk"]}, name=STR,
            url={"type": "string", "description": "masked: the key / access token is never shown"},
            signed=BOOL, kinds=array({"enum": list(channels.KINDS)}), active=BOOL, created_at=TIME)
ROBOT_IN = {"type": "object", "required": ["platform", "url"], "properties": {
    "platform": {"enum": ["wecom", "dingtalk"]},
    "url": {"type": "string", "maxLength": 1000, "description": "the robot's webhook address"},
    "secret": {"type": "string", "maxLength": 200, "description": "DingTalk 加签 secret (SEC…)"},
    "name": {"type": "string", "maxLength": 120},
    "kinds": {"type": "array", "minItems": 1, "items": {"enum": list(channels.KINDS)}}}}
for _ep in ("robots.org_channels", "robots.incident_channels"):
    register(_ep, responses={200: obj(channels=array(ROBOT))})
for _ep in ("robots.add_org_channel", "robots.add_incident_channel"):
    register(_ep, body=ROBOT_IN, responses={201: ROBOT})
for _ep in ("robots.remove_org_channel", "robots.remove_incident_channel"):
    register(_ep, responses={200: ROBOT})
register_section(Section("robots", "sections/robots.html", _section, order=90))
