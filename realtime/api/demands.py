"""The split demand: templates, per-claimant items, the offer ladder, ceilings and the group view."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from incident import service
from incident.access.permissions import Action
from incident.crowd.demands import ceilings
from incident.crowd.demands import service as demands
from incident.crowd.demands.queries import (
    accepted_items_for_claimant,
    group_view,
    item_detail,
    list_items,
    templates,
)
from incident.enums import DemandType
from incident.models import Incident
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.openapi import ANY_OBJ, BOOL, INT, STR, TIME, array, null, obj, register
from realtime.sections import Section, register_section, render_section

bp = Blueprint("demands_api", __name__)
API = "/api/v1/incidents/<int:incident_id>/demands"
ITEM = API + "/items/<int:item_id>"


def _overview(session: Any, incident_id: int) -> dict[str, Any]:
    return {"templates": [demands.template_dict(t) for t in templates(session, incident_id)],
            "items": list_items(session, incident_id), "summary": group_view(session, incident_id),
            "types": [t.value for t in DemandType]}


@bp.get(API)
def overview(incident_id: int):  # type: ignore[no-untyped-def]
    """All demand templates and items of an incident, with the group totals and ceilings."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(_overview(db(), inc.id))


@bp.get(API + "/summary")
def summary(incident_id: int):  # type: ignore[no-untyped-def]
    """Group view: totals by type, status and segment (accepted count, offered vs ceiling)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(group_view(db(), inc.id))


@bp.post(API + "/templates")
def create_template(incident_id: int):  # type: ignore[no-untyped-def]
    """Create a demand item for all claimants or one segment (one item per claimant)."""
    t = demands.create_template(db(), actor=actor(), incident_id=incident_id, data=json_body())
    db().commit()
    return jsonify(demands.template_dict(t) | {"items": list_items(db(), incident_id, t.id)}), 201


@bp.post(API + "/templates/<int:template_id>/offers")
def offer_template(incident_id: int, template_id: int):  # type: ignore[no-untyped-def]
    """Offer every open or rejected item of a template (amount/remedy default to each item's own)."""
    items = demands.offer_template(db(), actor=actor(), incident_id=incident_id, template_id=template_id,
                                   data=json_body())
    db().commit()
    return jsonify({"item_ids": [it.id for it in items]}), 201


@bp.post(API + "/templates/<int:template_id>/approve")
def approve_template(incident_id: int, template_id: int):  # type: ignore[no-untyped-def]
    """Legal approves every unapproved indemnity (赔偿) item of a template."""
    data = json_body()
    items = demands.approve_template(db(), actor=actor(), incident_id=incident_id, template_id=template_id,
                                     note=data.get("note", ""))
    db().commit()
    return jsonify({"item_ids": [it.id for it in items]})


@bp.get(ITEM)
def get_item(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """One item with its offer ladder and history."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(item_detail(db(), demands.get_item(db(), inc.id, item_id)))


def _item_call(fn: Any, incident_id: int, item_id: int, status: int = 200) -> Any:
    it = fn(db(), actor=actor(), incident_id=incident_id, item_id=item_id, data=json_body())
    db().commit()
    return jsonify(item_detail(db(), it)), status


@bp.patch(ITEM)
def override_item(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Override this claimant's amount, remedy, owner or deadline (optimistic version)."""
    return _item_call(demands.override_item, incident_id, item_id)


@bp.post(ITEM + "/offers")
def offer_item(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Make the next offer of the ladder (refused above the ceiling; 赔偿 needs legal approval)."""
    return _item_call(demands.offer_item, incident_id, item_id, 201)


@bp.post(ITEM + "/decision")
def decide(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Record the claimant's answer to the pending offer: accepted or rejected."""
    return _item_call(demands.decide, incident_id, item_id)


@bp.post(ITEM + "/fulfil")
def fulfil(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Mark an accepted item as carried out."""
    return _item_call(demands.fulfil, incident_id, item_id)


@bp.post(ITEM + "/confirm")
def confirm(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Record the claimant's confirmation of the fulfilment."""
    return _item_call(demands.confirm, incident_id, item_id)


@bp.post(ITEM + "/approve")
def approve_item(incident_id: int, item_id: int):  # type: ignore[no-untyped-def]
    """Legal approves one indemnity (赔偿) item so it may be offered."""
    data = json_body()
    demands.approve(db(), actor=actor(), incident_id=incident_id, item_ids=[item_id], note=data.get("note", ""))
    db().commit()
    return jsonify(item_detail(db(), demands.get_item(db(), incident_id, item_id)))


@bp.put(API + "/ceilings")
def set_ceiling(incident_id: int):  # type: ignore[no-untyped-def]
    """Set the compliance ceiling for a demand type ("*" = every type); legal seat only."""
    data = json_body()
    c = ceilings.set_ceiling(db(), actor=actor(), incident_id=incident_id, demand_type=data.get("demand_type"),
                             amount=data.get("amount"), note=data.get("note", ""))
    db().commit()
    return jsonify(ceilings.ceiling_dict(c))


@bp.get("/api/v1/incidents/<int:incident_id>/claimants/<int:claimant_id>/accepted-demands")
def accepted(incident_id: int, claimant_id: int):  # type: ignore[no-untyped-def]
    """The demand items a claimant accepted (what a settlement agreement lists)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    rows = accepted_items_for_claimant(db(), inc.id, claimant_id)
    return jsonify({"items": [{"item_id": r.item_id, "type": r.type, "kind": r.kind, "remedy": r.remedy,
                               "amount": r.amount_text, "owner": r.owner, "status": r.status,
                               "deadline": r.deadline.isoformat() if r.deadline else None} for r in rows]})


# -- OpenAPI: bodies and responses of the demand routes
MONEY = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "description": "CNY, decimal string"}
VERSION = {"version": {"type": "integer"}}
TYPES = [t.value for t in DemandType]
OFFER = obj(id=INT, step=INT, remedy=STR, amount=null(STR), offered_at=TIME, offered_by=STR, outcome=STR, note=STR,
            decided_at=null(TIME))
ITEM_PROPS = dict(id=INT, template_id=INT, claimant_id=INT, claimant_name=STR, segment=STR, type={"enum": TYPES},
                  kind=null({"enum": ["compensation", "indemnity"]}), remedy=STR, amount=null(STR), owner=STR,
                  deadline=null(TIME), status=STR, overrides=array(ANY_OBJ), version=INT, indemnity_approved=BOOL,
                  needs_approval=BOOL, confirmed_by=STR, offers=array(OFFER), current_offer=null(OFFER))
ITEM = obj(**ITEM_PROPS)
ITEM_DETAIL = obj(**ITEM_PROPS, history=array(obj(at=TIME, actor=STR, action=STR, **{"from": null(STR)},
                                                  to=null(STR), detail=ANY_OBJ)))
TEMPLATE = obj(id=INT, type=STR, remedy=STR, amount=null(STR), owner=STR, deadline=null(TIME), segment=STR,
               version=INT, created_at=TIME)
CEILING = obj(demand_type=STR, amount=STR, note=STR, set_by=STR, set_at=TIME)
SUMMARY = obj(by_type=ANY_OBJ, by_status=ANY_OBJ, by_segment=ANY_OBJ, ceilings=array(CEILING))
IDS = obj(item_ids=array(INT))
register("demands_api.overview", responses={200: obj(templates=array(TEMPLATE), items=array(ITEM), summary=SUMMARY,
                                                         types=array(STR))})
register("demands_api.summary", responses={200: SUMMARY})
register("demands_api.get_item", responses={200: ITEM_DETAIL})
register("demands_api.accepted", responses={200: obj(items=array(obj(
    item_id=INT, type=STR, kind=null(STR), remedy=STR, amount=null(STR), owner=STR, status=STR,
    deadline=null(TIME))))})
register("demands_api.create_template", body={"type": "object", "required": ["type", "owner"], "properties": {
    "type": {"enum": TYPES}, "remedy": STR, "amount": MONEY, "owner": STR,
    "deadline": {"type": "string", "format": "date-time"}, "segment": {"type": "string", "description": "empty: all"},
    "amount_from": {"type": "string", "maxLength": 80,
                    "description": "an import column kept on the claimants: each item's amount from it"}}},
    responses={201: obj(**TEMPLATE["properties"], items=array(ITEM))})
register("demands_api.offer_template", body={"type": "object", "properties": {"amount": MONEY, "remedy": STR}},
         responses={201: IDS})
register("demands_api.approve_template", body={"type": "object", "properties": {"note": STR}}, responses={200: IDS})
register("demands_api.approve_item", body={"type": "object", "properties": {"note": STR}},
         responses={200: ITEM_DETAIL})
register("demands_api.override_item", body={"type": "object", "required": ["version"], "properties": VERSION | {
    "amount": MONEY, "remedy": STR, "owner": STR, "deadline": {"type": "string", "format": "date-time"}}},
    responses={200: ITEM_DETAIL})
register("demands_api.offer_item", body={"type": "object", "required": ["version"], "properties": VERSION | {
    "amount": MONEY, "remedy": STR}}, responses={201: ITEM_DETAIL})
register("demands_api.decide", body={"type": "object", "required": ["version", "decision"], "properties": VERSION | {
    "decision": {"enum": ["accepted", "rejected"]}, "note": STR}}, responses={200: ITEM_DETAIL})
register("demands_api.fulfil", body={"type": "object", "required": ["version"], "properties": VERSION | {
    "note": STR}}, responses={200: ITEM_DETAIL})
register("demands_api.confirm", body={"type": "object", "required": ["version"], "properties": VERSION | {
    "confirmed_by": STR}}, responses={200: ITEM_DETAIL})
register("demands_api.set_ceiling", body={"type": "object", "required": ["demand_type", "amount"], "properties": {
    "demand_type": {"enum": ["*", *TYPES]}, "amount": MONEY, "note": STR}}, responses={200: CEILING})


SECTION_ROWS = 100  # per template on the page; the API lists every item


def _provider(session: Any, a: Any, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    data = _overview(session, inc.id)
    by_template: dict[int, list[dict[str, Any]]] = {}
    for it in data["items"]:
        by_template.setdefault(it["template_id"], []).append(it)
    data["by_template"] = {tid: {"rows": rows[:SECTION_ROWS], "total": len(rows)} for tid, rows in by_template.items()}
    return data


@bp.get("/incidents/<int:incident_id>/sections/demands")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The demands section alone, re-fetched by demands.js when a demand event arrives."""
    return render_section(incident_id, "demands")


register_section(Section("demands", "sections/demands.html", _provider, order=41, script="demands.js"))
