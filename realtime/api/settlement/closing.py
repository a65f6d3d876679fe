"""Closing over HTTP: the gate as a checklist, the core seats' sign-offs, the archive record and its
improvement actions, the case dossier PDF, and the admin's problem-type taxonomy (/admin/problem-types)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template
from flask_babel import get_locale, gettext

from exports.ledger import dossier
from incident import service
from incident.access.permissions import Action, require
from incident.closing import archive
from incident.closing import service as closing
from incident.closing import conditions, gate
from incident.closing.conditions import SIGN_OFF_SEATS
from incident.closing.gate import GateItem
from incident.closing.models import ImprovementAction, SignOff
from incident.closing.rounds import current_round
from incident.closing.status import override_of_close
from incident.models import Incident
from incident.taskgroup.queries import seats_of
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import ANY_OBJ, BOOL, INT, STR, TIME, array, file, null, obj, register
from realtime.sections import Section, register_section, render_section

bp = Blueprint("closing", __name__)
API = "/api/v1/incidents/<int:incident_id>"


def item_text(item: dict[str, Any] | GateItem) -> str:
    """One gate item in the request's language ("the business seat has signed off · 3 payments still owed")."""
    d = item.to_dict() if isinstance(item, GateItem) else item
    params = dict(d.get("params") or {})
    if "seat" in params:
        from incident.labels import label
        params["seat"] = label(gettext, "seat", params["seat"])
    text = gettext(d["label"], **params) if "%(" in d["label"] else gettext(d["label"])
    if d.get("detail"):
        text += " · " + gettext(d["detail"], **params)
    return text


def localized_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i | {"text": item_text(i)} for i in items]


def _gate(session: Any, inc: Incident) -> dict[str, Any]:
    from sqlalchemy import select
    rnd = current_round(session, inc)
    items = [i.to_dict() for i in gate.evaluate(session, inc)]
    items += [i.to_dict() for i in conditions.archive(session, inc)]
    sign_offs = {s.seat: s for s in session.scalars(select(SignOff).where(SignOff.incident_id == inc.id,
                                                                          SignOff.round == rnd))}
    rec = archive.record_of(session, inc.id, rnd)
    improvements = session.scalars(select(ImprovementAction).where(ImprovementAction.incident_id == inc.id)
                                   .order_by(ImprovementAction.id))
    return {"round": rnd, "status": inc.status, "passes": all(i["ok"] for i in items),
            "items": localized_items(items),
            "sign_offs": [{"seat": seat, "name": s.name if s else None, "at": s.at.isoformat() if s else None,
                           "note": s.note if s else ""} for seat in SIGN_OFF_SEATS for s in [sign_offs.get(seat)]],
            "archive": None if rec is None else {
                "round": rec.round, "problem_type_id": rec.problem_type_id,
                "problem_type": archive.problem_path(session, rec.problem_type_id), "root_cause": rec.root_cause,
                "closed_at": rec.closed_at.isoformat() if rec.closed_at else None, "snapshot": rec.snapshot},
            "improvements": [a.to_dict() for a in improvements]}


@bp.get(API + "/gate")
def get_gate(incident_id: int):  # type: ignore[no-untyped-def]
    """The closing gate as a checklist (localized), the sign-offs, the archive record, improvements."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(_gate(db(), inc))


@bp.post(API + "/gate/sign-off")
def sign_off(incident_id: int):  # type: ignore[no-untyped-def]
    """The holder of a core seat signs off their part (for this round)."""
    data = json_body()
    closing.sign_off(db(), actor=actor(), incident_id=incident_id, seat=data.get("seat"), note=data.get("note", ""))
    db().commit()
    return jsonify(_gate(db(), service.get(db(), incident_id))), 201


@bp.post(API + "/demands/items/<int:item_id>/close")
def close_item(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Close a demand item that will not be fulfilled, with the reason (the gate counts it as done)."""
    row = closing.close_item(db(), actor=actor(), incident_id=incident_id, item_id=item_id,
                             reason=json_body().get("reason"))
    db().commit()
    return jsonify({"item_id": row.item_id, "reason": row.reason, "by": row.by_name, "at": row.at.isoformat()}), 201


@bp.put(API + "/archive")
def save_archive(incident_id: int):  # type: ignore[no-untyped-def]
    """Fill in the archive record of this round: problem type and root cause."""
    closing.save_archive(db(), actor=actor(), incident_id=incident_id, data=json_body())
    db().commit()
    return jsonify(_gate(db(), service.get(db(), incident_id)))


@bp.post(API + "/archive/improvements")
def add_improvement(incident_id: int):  # type: ignore[no-untyped-def]
    """Add an improvement action (title, owner, due date), followed as a deadline after the close."""
    row = closing.add_improvement(db(), actor=actor(), incident_id=incident_id, data=json_body())
    db().commit()
    return jsonify(row.to_dict()), 201


@bp.patch(API + "/archive/improvements/<int:action_id>")
def update_improvement(incident_id: int, action_id: int):  # type: ignore[no-untyped-def]
    """Mark an improvement action done or dropped (also after the close), or change its note."""
    row = closing.update_improvement(db(), actor=actor(), incident_id=incident_id, action_id=action_id,
                                     data=json_body())
    db().commit()
    return jsonify(row.to_dict())


@bp.get(API + "/dossier.pdf")
def dossier_pdf(incident_id: int):  # type: ignore[no-untyped-def]
    """The case dossier (案卷): intake, task group, crowd outcome, ledger, archive record, timeline."""
    pdf = dossier.build(db(), actor=actor(), incident_id=incident_id, locale=str(get_locale() or "zh_CN"))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=dossier-{incident_id}.pdf"})


@bp.get("/api/v1/problem-types")
def list_problem_types():  # type: ignore[no-untyped-def]
    """The two-level problem-type taxonomy (groups, and the types inside them)."""
    return jsonify({"types": [t.to_dict() for t in closing.problem_types(db())]})


@bp.post("/api/v1/problem-types")
def add_problem_type():  # type: ignore[no-untyped-def]
    """Add a problem group (no parent_id) or a type inside a group; admin only."""
    row = closing.save_problem_type(db(), actor=actor(), data=json_body())
    db().commit()
    return jsonify(row.to_dict()), 201


@bp.patch("/api/v1/problem-types/<int:type_id>")
def update_problem_type(type_id: int):  # type: ignore[no-untyped-def]
    """Rename, move, reorder or deactivate a problem type; admin only."""
    row = closing.save_problem_type(db(), actor=actor(), data=json_body(), type_id=type_id)
    db().commit()
    return jsonify(row.to_dict())


@bp.get("/admin/problem-types")
def problem_types_page():  # type: ignore[no-untyped-def]
    """The admin page of the problem-type taxonomy."""
    require(db(), actor(), Action.PROBLEM_TYPE_EDIT)
    types = closing.problem_types(db())
    groups = [t for t in types if t.parent_id is None]
    return render_template("admin_problem_types.html", groups=groups,
                           children={g.id: [t for t in types if t.parent_id == g.id] for g in groups})


def _provider(session: Any, a: Any, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    data = _gate(session, inc)
    data["seats"] = seats_of(session, inc.id, a.user_id)
    data["problem_types"] = [t.to_dict() for t in closing.problem_types(session) if t.active]
    data["closable_items"] = conditions.closable_items(session, inc)
    data["override"] = override_of_close(session, inc)
    return data


@bp.get("/incidents/<int:incident_id>/sections/closing")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The closing section alone, re-fetched by ledger.js when a closing-related event arrives."""
    return render_section(incident_id, "closing")


register_section(Section("closing", "sections/closing.html", _provider, order=90))  # ledger.js refreshes it

# -- OpenAPI
GATE_ITEM = obj(key=STR, label=STR, ok=BOOL, detail=STR, params=ANY_OBJ, section=STR, text=STR)
IMPROVEMENT = obj(id=INT, round=INT, title=STR, owner=STR, due_at=TIME, status={"enum": ["open", "done", "dropped"]},
                  done_at=null(TIME), note=STR)
GATE = obj(round=INT, status=STR, passes=BOOL, items=array(GATE_ITEM),
           sign_offs=array(obj(seat=STR, name=null(STR), at=null(TIME), note=STR)),
           archive=null(obj(round=INT, problem_type_id=null(INT), problem_type=STR, root_cause=STR,
                            closed_at=null(TIME), snapshot=ANY_OBJ)),
           improvements=array(IMPROVEMENT))
PROBLEM_TYPE = obj(id=INT, parent_id=null(INT), name=STR, position=INT, active=BOOL)
DAY = {"type": "string", "description": "YYYY-MM-DD (end of that day, local) or an ISO date-time"}
register("closing.get_gate", responses={200: GATE})
register("closing.sign_off", body={"type": "object", "required": ["seat"], "properties": {
    "seat": {"enum": list(SIGN_OFF_SEATS)}, "note": STR}}, responses={201: GATE})
register("closing.close_item", body={"type": "object", "required": ["reason"], "properties": {"reason": STR}},
         responses={201: obj(item_id=INT, reason=STR, by=STR, at=TIME)})
register("closing.save_archive", body={"type": "object", "properties": {
    "problem_type_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "root_cause": STR}},
    responses={200: GATE})
register("closing.add_improvement", body={"type": "object", "required": ["title", "owner", "due_on"], "properties": {
    "title": STR, "owner": STR, "due_on": DAY}}, responses={201: IMPROVEMENT})
register("closing.update_improvement", body={"type": "object", "properties": {
    "status": {"enum": ["open", "done", "dropped"]}, "note": STR}}, responses={200: IMPROVEMENT})
register("closing.dossier_pdf", responses={200: file("application/pdf", description="the case dossier (案卷)")})
register("closing.list_problem_types", responses={200: obj(types=array(PROBLEM_TYPE))})
register("closing.add_problem_type", body={"type": "object", "required": ["name"], "properties": {
    "name": STR, "parent_id": null({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}), "position": INT,
    "active": BOOL}}, responses={201: PROBLEM_TYPE})
register("closing.update_problem_type", body={"type": "object", "properties": {
    "name": STR, "parent_id": null({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}), "position": INT,
    "active": BOOL}}, responses={200: PROBLEM_TYPE})
