"""Staff side of the public page (issue 15): codes issued, last opened, revoke / re-issue; the public
stage and updates (with a preview); pending self-registrations confirmed or rejected in bulk."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for

from sqlalchemy import select

from incident import service
from incident.crowd.claimants.models import Claimant
from incident.access.permissions import Action
from incident.crowd.demands.fields import parse_deadline
from incident.public import registration, sms, survey
from incident.public import service as public
from incident.public.models import SurveyAnswer
from incident.public.projection import incident_view
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import BOOL, ID, INT, STR, TIME, array, null, obj, register
from realtime.sections import Section, register_section

bp = Blueprint("public_admin", __name__)
API = "/api/v1/incidents/<int:incident_id>/public"


def _address() -> str:
    s = current_app.extensions["concord.settings"]
    return (s.public_url or request.host_url).rstrip("/") + "/p"


def _sms(name: str, **values: Any) -> str:
    """An SMS template filled with the fixed address and the organisation's name (plus what is given)."""
    org = current_app.extensions["concord.settings"].org_name
    return sms.fill(name, org=org, address=_address(), **values)


def _due(value: Any) -> Any:
    """When the next update is due: ISO with an offset, a date, or a form's local time in the display zone."""
    if isinstance(value, str) and len(value.strip()) in (16, 19) and "T" in value and value.strip()[-6] not in "+-":
        from datetime import datetime, timezone

        from incident import clock
        try:
            local = datetime.fromisoformat(value.strip())
        except ValueError:
            return parse_deadline(value, "next_update_due")
        if local.tzinfo is None:  # <input type="datetime-local">: the installation's zone, not the device's
            return local.replace(tzinfo=clock.zone()).astimezone(timezone.utc)
    return parse_deadline(value, "next_update_due")


def _say(message: str, **kw: Any) -> str:
    from flask_babel import gettext
    return gettext(message, **kw)


def overview_of(session: Any, incident_id: int, who: Any = None) -> dict[str, Any]:
    who = who or actor()
    st = public.state_of(session, incident_id)
    pending = registration.pending(session, actor=who, incident_id=incident_id)
    answers = session.query(SurveyAnswer).filter(SurveyAnswer.incident_id == incident_id).all()
    codes = [public.code_dict(c) for c in public.listing(session, actor=who, incident_id=incident_id)]
    names = _names(session, incident_id, {a.claimant_id for a in answers} | {c["claimant_id"] for c in codes})
    for c in codes:
        c["claimant_name"] = names.get(c["claimant_id"])
    return {
        "address": _address(),
        "public": incident_view(session, incident_id, _say),
        "stage_names": list(st.stage_names or []),
        "codes": codes,
        "pending": [{"claimant_id": c.id, "name": c.name, "unit": c.unit, "phone": c.phone_masked,
                     "demand": r.demand, "registered_at": r.consented_at.isoformat()} for c, r in pending],
        "survey": [{"claimant_id": a.claimant_id, "claimant_name": names.get(a.claimant_id), "score": a.score, "reasons": a.reasons, "text": a.text,
                    "answered_at": a.answered_at.isoformat(), "callback_id": a.callback_id,
                    "fate": survey.fate_of(session, a).value} for a in answers],
        "sms_templates": {k: _sms(k, case=service.get(session, incident_id).ref) for k in sms.TEMPLATES},
    }


def _names(session: Any, incident_id: int, ids: set[int | None]) -> dict[int, str]:
    """Claimant id -> "name (unit)" for the staff lists (a survey answer, a code): people, not numbers."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.scalars(select(Claimant).where(Claimant.incident_id == incident_id, Claimant.id.in_(wanted)))
    return {c.id: f"{c.name}（{c.unit}）" if c.unit else c.name for c in rows}


@bp.get(API)
def overview(incident_id: int):  # type: ignore[no-untyped-def]
    """The public side of an incident as staff see it: codes, stage, updates, pending registrations."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(overview_of(db(), inc.id))


def _issued(row: Any, clear: str) -> dict[str, Any]:
    case = service.get(db(), row.incident_id).ref
    out = public.code_dict(row) | {"code": clear, "address": _address(),
                                   "sms": _sms(f"{row.kind}_code", code=clear, case=case)}
    if row.kind == "incident":
        out["poster"] = url_for("public_pages.poster", code=clear)
    return out


@bp.post(API + "/codes")
def issue_code(incident_id: int):  # type: ignore[no-untyped-def]
    """Issue an incident code (poster, notices) or a claimant code; the clear code is shown only now."""
    data = json_body()
    row, clear = public.issue(db(), actor=actor(), incident_id=incident_id, kind=data.get("kind"),
                              claimant_id=data.get("claimant_id"))
    db().commit()
    return jsonify(_issued(row, clear)), 201


@bp.post(API + "/codes/claimants")
def issue_claimant_codes(incident_id: int):  # type: ignore[no-untyped-def]
    """Issue a code to every active claimant who holds none; the clear codes and SMS texts, shown only now."""
    case = service.get(db(), incident_id).ref
    issued = public.issue_for_claimants(db(), actor=actor(), incident_id=incident_id)
    db().commit()
    return jsonify({"codes": [{"claimant_id": c.id, "name": c.name, "unit": c.unit, "code": clear,
                               "sms": _sms("claimant_code", code=clear, case=case)}
                              for c, clear in issued]}), 201


@bp.post(API + "/codes/<int:code_id>/revoke")
def revoke_code(incident_id: int, code_id: int):  # type: ignore[no-untyped-def]
    """Revoke a code: it stops working at once."""
    row = public.revoke(db(), actor=actor(), incident_id=incident_id, code_id=code_id)
    db().commit()
    return jsonify(public.code_dict(row))


@bp.post(API + "/codes/<int:code_id>/reissue")
def reissue_code(incident_id: int, code_id: int):  # type: ignore[no-untyped-def]
    """Revoke a code and issue a new one for the same purpose."""
    row, clear = public.reissue(db(), actor=actor(), incident_id=incident_id, code_id=code_id)
    db().commit()
    return jsonify(_issued(row, clear)), 201


@bp.post(API + "/stage")
def set_stage(incident_id: int):  # type: ignore[no-untyped-def]
    """Move the public stage, rename the stages, or set when the next update is due."""
    data = json_body()
    due = _due(data.get("next_update_due")) if "next_update_due" in data else "keep"
    public.set_stage(db(), actor=actor(), incident_id=incident_id, stage=data.get("stage"),
                     names=data.get("names"), next_update_due=due)
    db().commit()
    return jsonify(overview_of(db(), incident_id))


@bp.post(API + "/preview")
def preview(incident_id: int):  # type: ignore[no-untyped-def]
    """Exactly what the public would see for this update text, and what it seems to reveal."""
    inc = service.load_for(db(), actor(), incident_id, Action.PUBLIC_MANAGE)
    text = public._text(json_body().get("text"), "text", public.MAX_UPDATE)
    db().rollback()
    return jsonify({"text": text, "warnings": sms.preview_warnings(db(), inc.id, text)})


@bp.post(API + "/updates")
def publish(incident_id: int):  # type: ignore[no-untyped-def]
    """Publish an update to the public page (live to every open page)."""
    data = json_body()
    due = _due(data.get("next_update_due"))
    row = public.publish(db(), actor=actor(), incident_id=incident_id, text=data.get("text"), next_update_due=due)
    db().commit()
    return jsonify({"id": row.id, "text": row.text, "at": row.published_at.isoformat()}), 201


def _decide(incident_id: int, confirm: bool):  # type: ignore[no-untyped-def]
    ids = registration.decide(db(), actor=actor(), incident_id=incident_id,
                              claimant_ids=json_body().get("claimant_ids"), confirm=confirm)
    db().commit()
    return jsonify({"claimant_ids": ids, "count": len(ids)})


@bp.post(API + "/registrations/confirm")
def confirm_registrations(incident_id: int):  # type: ignore[no-untyped-def]
    """Confirm pending self-registrations: they join the registry, the headcount and triage."""
    return _decide(incident_id, True)


@bp.post(API + "/registrations/reject")
def reject_registrations(incident_id: int):  # type: ignore[no-untyped-def]
    """Reject pending self-registrations."""
    return _decide(incident_id, False)


# -- OpenAPI
CODE_ROW = obj(id=INT, kind={"enum": ["incident", "claimant"]}, claimant_id=null(INT), hint=STR, issued_at=TIME,
               issued_by=STR, revoked_at=null(TIME), last_opened_at=null(TIME), opens=INT)
ISSUED = obj({"poster": STR}, **CODE_ROW["properties"], code=STR, address=STR, sms=STR)
OVERVIEW = obj(address=STR, public={"type": "object"}, stage_names=array(STR),
               codes=array(obj(**CODE_ROW["properties"], claimant_name=null(STR))),
               pending=array(obj(claimant_id=INT, name=STR, unit=STR, phone=STR, demand=STR, registered_at=TIME)),
               survey=array(obj(claimant_id=INT, claimant_name=null(STR), score=INT, reasons=array(STR), text=STR, answered_at=TIME,
                                callback_id=null(INT), fate={"enum": ["recorded", "waiting", "completed", "closed",
                                                                      "represented"]})),
               sms_templates={"type": "object", "additionalProperties": STR})
IDS = {"type": "object", "required": ["claimant_ids"], "properties": {"claimant_ids": array(ID)}}
register("public_admin.overview", responses={200: OVERVIEW})
register("public_admin.issue_code", body={"type": "object", "required": ["kind"], "properties": {
    "kind": {"enum": ["incident", "claimant"]}, "claimant_id": ID}}, responses={201: ISSUED})
register("public_admin.issue_claimant_codes", body={"type": "object"}, responses={201: obj(codes=array(obj(
    claimant_id=INT, name=STR, unit=STR, code=STR, sms=STR)))})
register("public_admin.revoke_code", body={"type": "object"}, responses={200: CODE_ROW})
register("public_admin.reissue_code", body={"type": "object"}, responses={201: ISSUED})
register("public_admin.set_stage", body={"type": "object", "properties": {
    "stage": {"type": "integer", "minimum": 0, "maximum": 5}, "names": array(STR),
    "next_update_due": null(TIME)}}, responses={200: OVERVIEW})
register("public_admin.preview", body={"type": "object", "required": ["text"], "properties": {"text": STR}},
         responses={200: obj(text=STR, warnings=array({"enum": ["phone", "id_number", "claimant_name"]}))})
register("public_admin.publish", body={"type": "object", "required": ["text"], "properties": {
    "text": STR, "next_update_due": null(TIME)}}, responses={201: obj(id=INT, text=STR, at=TIME)})
for _ep in ("confirm_registrations", "reject_registrations"):
    register(f"public_admin.{_ep}", body=IDS, responses={200: obj(claimant_ids=array(INT), count=INT)})


def _section(session, who, inc, can):  # type: ignore[no-untyped-def]
    return {"public_data": overview_of(session, inc.id, who), "can_manage": can.get(Action.PUBLIC_MANAGE.value, False),
            "can_confirm": can.get(Action.CLAIMANT_EDIT.value, False)}


register_section(Section("public", "sections/public.html", _section, order=90, script="public_admin.js"))
