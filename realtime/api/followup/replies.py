"""The written reply (书面答复): draft, edit, approve (leader; legal where money is promised), issue,
the PDF, and the template legal edits."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from exports.replies import service as replies
from exports.replies import templates
from incident import service
from incident.access.permissions import Action
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.sections import Section, register_section, render_section
from realtime.openapi import ANY_OBJ, BOOL, INT, STR, TIME, VERSION, array, file, null, obj, register

bp = Blueprint("replies_api", __name__)
API = "/api/v1/incidents/<int:incident_id>/replies"


def _org() -> str:
    return current_app.extensions["concord.settings"].org_name


def _version(data: dict[str, Any]) -> Any:
    return data.get("version")


@bp.get(API)
def list_replies(incident_id: int):  # type: ignore[no-untyped-def]
    """The incident's written replies (drafts, approved, issued), oldest first, with the deadline."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify({"due_at": replies.due_at(inc, db()).isoformat(),
                    "replies": [r.to_dict() for r in replies.listing(db(), inc.id)]})


@bp.post(API)
def draft_reply(incident_id: int):  # type: ignore[no-untyped-def]
    """Draft the reply from the incident: facts, measures, each claimant's items, deadlines, contact."""
    data = json_body()
    r = replies.draft(db(), actor=actor(), incident_id=incident_id, locale=data.get("locale", "zh_CN"))
    db().commit()
    return jsonify(r.to_dict()), 201


@bp.patch(API + "/<int:reply_id>")
def update_reply(incident_id: int, reply_id: int):  # type: ignore[no-untyped-def]
    """Edit the texts or redraw the claimants' items; the approvals are withdrawn."""
    data = json_body()
    r = replies.update(db(), actor=actor(), incident_id=incident_id, reply_id=reply_id, data=data,
                       expected_version=_version(data))
    db().commit()
    return jsonify(r.to_dict())


@bp.post(API + "/<int:reply_id>/approve")
def approve_reply(incident_id: int, reply_id: int):  # type: ignore[no-untyped-def]
    """The leader approves this version."""
    data = json_body()
    r = replies.approve(db(), actor=actor(), incident_id=incident_id, reply_id=reply_id,
                        expected_version=_version(data))
    db().commit()
    return jsonify(r.to_dict())


@bp.post(API + "/<int:reply_id>/approve-legal")
def approve_reply_legal(incident_id: int, reply_id: int):  # type: ignore[no-untyped-def]
    """Legal approves this version (needed where the reply promises money)."""
    data = json_body()
    r = replies.approve(db(), actor=actor(), incident_id=incident_id, reply_id=reply_id, as_legal=True,
                        expected_version=_version(data))
    db().commit()
    return jsonify(r.to_dict())


@bp.post(API + "/<int:reply_id>/issue")
def issue_reply(incident_id: int, reply_id: int):  # type: ignore[no-untyped-def]
    """Issue the approved reply as a PDF, recorded as sent to the representatives."""
    data = json_body()
    r = replies.issue(db(), actor=actor(), incident_id=incident_id, reply_id=reply_id, org=_org(),
                      expected_version=_version(data))
    db().commit()
    return jsonify(r.to_dict())


@bp.get(API + "/<int:reply_id>/pdf")
def reply_pdf(incident_id: int, reply_id: int):  # type: ignore[no-untyped-def]
    """The issued PDF as sent, or a preview of a draft."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    r = replies.get(db(), inc, reply_id)
    data = replies.document(db(), inc, r, _org())
    name = f"{inc.ref}-reply-{r.id}{'' if r.attachment_id else '-draft'}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/api/v1/reply-template")
def get_reply_template():  # type: ignore[no-untyped-def]
    """The current wording of the written reply in a locale (version 0: the built-in one)."""
    locale = request.args.get("locale", "zh_CN")
    version, parts = templates.current(db(), locale)
    return jsonify({"locale": locale, "version": version, "parts": parts})


@bp.put("/api/v1/reply-template")
def edit_reply_template():  # type: ignore[no-untyped-def]
    """Save a new version of the reply's wording (legal staff); drafted replies keep theirs."""
    data = json_body()
    locale = data.get("locale", "zh_CN")
    version, parts = templates.edit(db(), actor=actor(), locale=locale, parts=data.get("parts"),
                                    note=data.get("note", ""), expected_version=_version(data))
    db().commit()
    return jsonify({"locale": locale, "version": version, "parts": parts})


# -- OpenAPI
ITEM = obj(type=STR, type_label=STR, remedy=STR, amount=null(STR), owner=STR, deadline=null(TIME))
CONTENT = obj({"ref": STR}, title=STR, opening=STR, facts=STR, closing=STR, contact=STR, measures=array(STR),
              deadlines=array(obj(what=STR, due_at=null(TIME))), addressees=array(STR),
              entitlements=array(obj(claimant_id=INT, name=STR, unit=STR, items=array(ITEM))))
REPLY = obj(id=INT, incident_id=INT, status={"enum": ["draft", "approved", "issued"]}, version=INT, locale=STR,
            template_version=INT, content=CONTENT, promises_money=BOOL, needs_legal=BOOL, created_at=TIME,
            created_by=STR, leader_approved_at=null(TIME), leader_approved_by=STR, legal_approved_at=null(TIME),
            legal_approved_by=STR, issued_at=null(TIME), issued_by=STR, recipients=array(ANY_OBJ),
            attachment_id=null(INT), pdf_sha256=null(STR))
TEXT = {"type": "string", "minLength": 1, "maxLength": 4000}
VERSIONED = {"type": "object", "properties": {"version": VERSION}}
LOCALE = {"enum": ["zh_CN", "en"]}
TEMPLATE = obj(locale=STR, version=INT, parts=obj(title=STR, opening=STR, facts=STR, closing=STR, contact=STR))
register("replies_api.list_replies", responses={200: obj(due_at=TIME, replies=array(REPLY))})
register("replies_api.draft_reply", body={"type": "object", "properties": {"locale": LOCALE}}, responses={201: REPLY})
register("replies_api.update_reply", body={"type": "object", "properties": {
    "title": TEXT, "opening": TEXT, "facts": TEXT, "closing": TEXT, "contact": TEXT,
    "measures": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 500}},
    "redraw_items": BOOL, "version": VERSION}}, responses={200: REPLY})
register("replies_api.approve_reply", body=VERSIONED, responses={200: REPLY})
register("replies_api.approve_reply_legal", body=VERSIONED, responses={200: REPLY})
register("replies_api.issue_reply", body=VERSIONED, responses={200: REPLY})
register("replies_api.reply_pdf", responses={200: file("application/pdf", description="the reply as PDF")})
register("replies_api.get_reply_template", query={"locale": LOCALE}, responses={200: TEMPLATE})
register("replies_api.edit_reply_template", body={"type": "object", "required": ["parts"], "properties": {
    "parts": {"type": "object", "properties": {k: TEXT for k in templates.PARTS}, "additionalProperties": False},
    "note": {"type": "string", "maxLength": 300}, "locale": LOCALE, "version": VERSION}}, responses={200: TEMPLATE})


def _provider(session: Any, a: Any, inc: Any, can: dict[str, bool]) -> dict[str, Any]:
    listed = replies.listing(session, inc.id)
    rows = [r.to_dict() for r in listed]
    due = replies.due_at(inc, session)
    first = min((r.issued_at for r in listed if r.issued_at), default=None)
    return {"replies": rows, "due_at": due.isoformat(),
            "first_issued_at": first.isoformat() if first else None,
            "issued_in_time": first is not None and first <= due,
            "eligible": inc.scope == "group" or inc.safety_issue,
            "preparing": any(r["status"] != "issued" for r in rows)}


@bp.get("/incidents/<int:incident_id>/sections/replies")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The written-reply section alone, re-fetched by replies.js when a reply event arrives."""
    return render_section(incident_id, "replies")


register_section(Section("replies", "sections/replies.html", _provider, order=65, script="replies.js"))
