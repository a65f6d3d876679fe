"""Segment actions over HTTP (issue 11): one answer for a demand item across a segment or a
selection, and legal's review of a batch's agreements in one screen; both with per-row outcomes.

The pages send large scopes in chunks (bulk.js), so the person sees the progress "n of total"
and each row's outcome as it comes back; every chunk is one transaction.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from exports.agreements.review import batch as bulk_review
from exports.agreements.models import Agreement
from incident import service as incidents
from incident.access.permissions import Action, can_map
from incident.crowd.demands import bulk as demand_bulk
from incident.crowd.demands import service as demands
from incident.crowd.demands.queries import list_items
from incident.taskgroup.queries import seats_of
from realtime.auth import actor
from realtime.dbsession import db
from realtime.errors import localized
from realtime.http.params import int_arg, json_body
from realtime.openapi import ANY_OBJ, ID, INT, STR, array, null, obj, register

bp = Blueprint("bulk", __name__, url_prefix="/api/v1")
pages = Blueprint("bulk_pages", __name__)


def _reason(err: Any) -> str:
    return localized(err) if err is not None else ""


@bp.post("/incidents/<int:incident_id>/demands/templates/<int:template_id>/decisions")
def decide_items(incident_id: int, template_id: int):  # type: ignore[no-untyped-def]
    """Accept (or reject) a demand item for every claimant of a segment, or for a selection of items."""
    rows = demand_bulk.decide_many(db(), actor=actor(), incident_id=incident_id, template_id=template_id,
                                   data=json_body())
    db().commit()
    out = [{"item_id": r.item_id, "claimant_id": r.claimant_id, "claimant_name": r.claimant_name,
            "segment": r.segment, "outcome": r.outcome, "reason": _reason(r.error),
            "field": r.error.field if r.error is not None else None} for r in rows]
    return jsonify({"total": len(out), "done": sum(r["outcome"] != "failed" for r in out),
                    "failed": sum(r["outcome"] == "failed" for r in out), "rows": out})


def _doc(d: dict[str, Any]) -> dict[str, Any]:
    ag: Agreement = d["agreement"]
    return {"id": ag.id, "ref": ag.ref, "status": ag.status, "version": ag.version, "segment": ag.segment,
            "terms": d["terms"], "review_comments": ag.review_comments,
            "against_template": d["review"]["against_template"],
            "against_previous": d["review"]["against_previous"]}


def _batch_arg() -> int | None:
    return int_arg("batch_id", 0, 1, 2**31 - 1) if request.args.get("batch_id") else None


@bp.get("/incidents/<int:incident_id>/agreements/review")
def review_set(incident_id: int):  # type: ignore[no-untyped-def]
    """The agreements of a batch (or all in legal review), each with its terms and diffs."""
    a = actor()
    b, docs = bulk_review.documents(db(), actor=a, incident_id=incident_id, batch_id=_batch_arg(),
                                    segment=request.args.get("segment") or None)
    rows = bulk_review.review_rows(db(), actor=a, agreements=docs)
    return jsonify({"batch_id": b.id if b else None, "agreements": [_doc(d) for d in rows]})


@bp.post("/incidents/<int:incident_id>/agreements/review")
def decide_agreements(incident_id: int):  # type: ignore[no-untyped-def]
    """Approve all / approve selected / return selected with one comment; one outcome per agreement."""
    rows = bulk_review.decide_many(db(), actor=actor(), incident_id=incident_id, data=json_body())
    db().commit()
    out = [{"agreement_id": r.agreement_id, "ref": r.ref, "signer": r.signer, "outcome": r.outcome,
            "status": r.status, "reason": _reason(r.error)} for r in rows]
    return jsonify({"total": len(out), "done": sum(r["outcome"] != "failed" for r in out),
                    "failed": sum(r["outcome"] == "failed" for r in out), "rows": out})


# -- pages (phone first; the script is static/bulk.js)
@pages.get("/incidents/<int:incident_id>/demands/templates/<int:template_id>/segment-actions")
def segment_page(incident_id: int, template_id: int):  # type: ignore[no-untyped-def]
    a = actor()
    inc = incidents.load_for(db(), a, incident_id, Action.INCIDENT_VIEW)
    t = demands.get_template(db(), inc.id, template_id)
    items = list_items(db(), inc.id, t.id)
    segments = sorted({it["segment"] for it in items})
    return render_template("bulk/segment_actions.html", inc=inc, t=t, items=items, segments=segments,
                           can=can_map(a, seats_of(db(), inc.id, a.user_id)))


@pages.get("/incidents/<int:incident_id>/agreements/review")
def review_page(incident_id: int):  # type: ignore[no-untyped-def]
    a = actor()
    inc = incidents.load_for(db(), a, incident_id, Action.INCIDENT_VIEW)
    batch = int_arg("batch", 0, 0, 2**31 - 1) or None
    b, docs = bulk_review.documents(db(), actor=a, incident_id=inc.id, batch_id=batch)
    return render_template("bulk/review.html", inc=inc, batch=b,
                           docs=bulk_review.review_rows(db(), actor=a, agreements=docs),
                           can=can_map(a, seats_of(db(), inc.id, a.user_id)))


# -- OpenAPI
OUTCOMES = {"enum": ["accepted", "rejected", "approved", "returned", "failed"]}
ITEM_ROW = obj(item_id=INT, claimant_id=null(INT), claimant_name=STR, segment=STR, outcome=OUTCOMES, reason=STR,
               field=null(STR))
DOC_ROW = obj(agreement_id=INT, ref=STR, signer=STR, outcome=OUTCOMES, status=STR, reason=STR)
IDS = {"type": "array", "items": ID, "minItems": 1}
register("bulk.decide_items", body={"type": "object", "required": ["decision"], "properties": {
    "decision": {"enum": ["accepted", "rejected"]}, "item_ids": IDS | {"maxItems": demand_bulk.MAX_ITEMS},
    "segment": {"type": "string", "description": "every item of this segment (when item_ids is absent)"},
    "note": STR, "versions": ANY_OBJ | {"description": "item id → the version you last read"}}},
    responses={200: obj(total=INT, done=INT, failed=INT, rows=array(ITEM_ROW))})
register("bulk.review_set", query={"batch_id": ID, "segment": STR}, responses={200: obj(
    batch_id=null(INT), agreements=array(obj(id=INT, ref=STR, status=STR, version=INT, segment=STR, terms=ANY_OBJ,
                                             review_comments=STR, against_template=array(ANY_OBJ),
                                             against_previous=array(ANY_OBJ))))})
register("bulk.decide_agreements", body={"type": "object", "required": ["decision"], "properties": {
    "decision": {"enum": ["approve", "return"]}, "agreement_ids": IDS | {"maxItems": bulk_review.MAX_DOCUMENTS},
    "batch_id": ID | {"description": "all agreements of this batch in legal review (when agreement_ids is absent)"},
    "comments": STR | {"description": "required to return"},
    "versions": ANY_OBJ | {"description": "agreement id → the version you last read"}}},
    responses={200: obj(total=INT, done=INT, failed=INT, rows=array(DOC_ROW))})
