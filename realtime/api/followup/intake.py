"""Intake that follows the incident (issue 12): re-triage preview, proposed playbooks, the edit section."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_babel import get_locale, gettext

from incident import headcount
from incident.access.permissions import Action
from incident.enums import Channel, Circumstance, Emotion
from incident.intake.preview import preview
from incident.labels import label, reason_text
from incident.service import load_for
from playbooks.proposals import service as proposals
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import ANY_OBJ, BOOL, INT, INTAKE_FIELDS, STR, TIME, array, null, obj, register
from realtime.sections import Section, register_section, render_section

bp = Blueprint("intake", __name__, url_prefix="/api/v1")
pages = Blueprint("intake_pages", __name__)


def _title(t: dict[str, str]) -> str:
    loc = "en" if str(get_locale() or "zh_CN").startswith("en") else "zh_CN"
    return t.get(loc) or t.get("zh_CN") or t.get("en") or ""


def _words(p: dict[str, Any]) -> dict[str, Any]:
    """The preview in the reader's words (labels, reasons), next to the raw values."""
    tri = p["preview"]
    return {
        "grade": tri["effective_grade"], "class_label": label(gettext, "class", tri["class"]),
        "handler_label": label(gettext, "handler", tri["authority"]["handler"]),
        "reasons_text": [reason_text(gettext, r) for r in tri["reasons"]],
        "current_class_label": label(gettext, "class", p["current"]["class"]),
    }


@bp.post("/incidents/<int:incident_id>/intake/preview")
def preview_intake(incident_id: int):  # type: ignore[no-untyped-def]
    """What the edit would do to the triage; nothing is written (the transaction is rolled back)."""
    data = json_body()
    p = preview(db(), actor=actor(), incident_id=incident_id, data=data)
    inc = load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    p["proposals"] = [x | {"title_text": _title(x["title"])} for x in proposals.would_propose(db(), inc, p)]
    p["words"] = _words(p)
    db().rollback()
    return jsonify(p)


@bp.get("/incidents/<int:incident_id>/proposals")
def list_proposals(incident_id: int):  # type: ignore[no-untyped-def]
    inc = load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify({"incident_id": inc.id, "proposals": proposals.pending(db(), inc)})


@bp.post("/incidents/<int:incident_id>/proposals/<int:proposal_id>/attach")
def attach_proposal(incident_id: int, proposal_id: int):  # type: ignore[no-untyped-def]
    p = proposals.attach(db(), actor=actor(), incident_id=incident_id, proposal_id=proposal_id)
    db().commit()
    return jsonify({"id": p.id, "playbook": p.key, "status": p.status})


@bp.post("/incidents/<int:incident_id>/proposals/<int:proposal_id>/dismiss")
def dismiss_proposal(incident_id: int, proposal_id: int):  # type: ignore[no-untyped-def]
    p = proposals.dismiss(db(), actor=actor(), incident_id=incident_id, proposal_id=proposal_id)
    db().commit()
    return jsonify({"id": p.id, "playbook": p.key, "status": p.status})


def _section(session: Any, a: Any, inc: Any, can: dict[str, bool]) -> dict[str, Any]:
    return {"proposals": [p | {"title_text": _title(p["title"])} for p in proposals.pending(session, inc)],
            "can_edit": can.get(Action.INTAKE_EDIT.value, False) and inc.status != "closed",
            "can_decide": can.get(Action.PLAYBOOK_MANAGE.value, False),
            "headcount_locked": headcount.owned_by_registry(session, inc.id),
            "channels": [c.value for c in Channel], "emotions": [e.value for e in Emotion],
            "circumstances": [c.value for c in Circumstance]}


@pages.get("/incidents/<int:incident_id>/sections/intake-edit")
def intake_fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The section alone, re-fetched by intake_edit.js after a save or a decision."""
    return render_section(incident_id, "intake_edit")


TITLE = {"type": "object", "additionalProperties": STR, "description": "by locale: zh_CN, en"}
EDIT_FIELDS = {k: v for k, v in INTAKE_FIELDS.items() if k not in ("contacts", "notes")}
PREVIEW_BODY = {"type": "object", "properties": EDIT_FIELDS | {
    "note": {"type": "string", "maxLength": 5000, "description": "a note that would be added with the edit"},
    "version": INT}}
TRIAGE = ANY_OBJ | {"description": "grade, class, scope, urgent, hits, reasons, authority, effective_grade"}
PROPOSAL = obj(id=INT, playbook=STR, title=TITLE, cause=STR, matched=ANY_OBJ, proposed_at=TIME)
register("intake.preview_intake", body=PREVIEW_BODY, responses={200: obj(
    incident_id=INT, version=INT, current=ANY_OBJ, preview=TRIAGE, grade_changes=BOOL, scope_changes=BOOL,
    formation_clock_starts=BOOL, formation_due_at=null(TIME), changed=array(STR), intake=ANY_OBJ,
    proposals=array(obj(playbook=STR, title=TITLE, matched=ANY_OBJ, title_text=STR)), words=ANY_OBJ)})
register("intake.list_proposals", responses={200: obj(incident_id=INT, proposals=array(PROPOSAL))})
DECIDED = obj(id=INT, playbook=STR, status={"enum": ["attached", "dismissed"]})
register("intake.attach_proposal", responses={200: DECIDED})
register("intake.dismiss_proposal", responses={200: DECIDED})
register_section(Section("intake_edit", "sections/intake_edit.html", _section, order=5, script="intake_edit.js"))
