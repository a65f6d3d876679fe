"""Verification samples: draw, outcomes, evidence, the bound on the crowd, re-checking a draw."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, jsonify, request

from incident import attachments, service
from incident.access.permissions import Action
from incident.crowd.samples import service as samples
from incident.crowd.samples import stats
from incident.crowd.samples.verify import verify_draw
from incident.errors import NotFound, ValidationError
from incident.models import Incident
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body
from realtime.http.serialize import inline_file
from realtime.openapi import (ANY_OBJ, BOOL, INT, MULTIPART, STR, TIME, array, file, null, obj, register,
                              upload)
from realtime.sections import Section, register_section, render_section

bp = Blueprint("samples_api", __name__)
API = "/api/v1/incidents/<int:incident_id>/samples"


def _share_arg(name: str, default: str | None = None, lo: str = "0", hi: str = "1") -> str:
    raw = request.args.get(name, default)
    try:
        value = Decimal(raw or "x")
    except InvalidOperation:
        raise ValidationError(f"{name} must be a decimal between {lo} and {hi}, e.g. 0.95", field=name) from None
    if not value.is_finite():  # NaN would raise in the comparison below: a 500
        raise ValidationError(f"{name} must be a decimal between {lo} and {hi}, e.g. 0.95", field=name)
    if not Decimal(lo) < value < Decimal(hi):
        raise ValidationError(f"{name} must be strictly between {lo} and {hi}", field=name)
    return str(value)


@bp.get(API)
def list_draws(incident_id: int):  # type: ignore[no-untyped-def]
    """List the verification sample draws of an incident with their statistics."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    conf = _share_arg("confidence", "0.95", "0.5")
    return jsonify({"draws": [samples.draw_dict(db(), d, conf) for d in samples.list_draws(db(), inc.id)]})


@bp.post(API)
def draw(incident_id: int):  # type: ignore[no-untyped-def]
    """Draw k claimants at random to verify a claim (optionally stratified by segment)."""
    data = json_body()
    d = samples.draw(db(), actor=actor(), incident_id=incident_id, claim=data.get("claim"), k=data.get("k"),
                     stratified=data.get("stratified", False))
    db().commit()
    return jsonify(samples.draw_dict(db(), d)), 201


@bp.get(API + "/<int:draw_id>")
def get_draw(incident_id: int, draw_id: int):  # type: ignore[no-untyped-def]
    """One draw: members, outcomes, and the lower bound on the share of valid claims."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    conf = _share_arg("confidence", "0.95", "0.5")
    return jsonify(samples.draw_dict(db(), samples.get_draw(db(), inc.id, draw_id), conf))


@bp.get(API + "/<int:draw_id>/verify")
def verify(incident_id: int, draw_id: int):  # type: ignore[no-untyped-def]
    """Re-run the draw from its timeline event and compare with the record and today's crowd."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    return jsonify(verify_draw(db(), inc.id, draw_id).to_dict())


@bp.post(API + "/<int:draw_id>/members/<int:member_id>/outcome")
def outcome(incident_id: int, draw_id: int, member_id: int):  # type: ignore[no-untyped-def]
    """Record a sampled claimant's outcome (confirmed / refuted / partly / unreachable) and a note."""
    data = json_body()
    version = data.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationError("version must be a whole number", field="version")
    m = samples.record_outcome(db(), actor=actor(), incident_id=incident_id, draw_id=draw_id,
                               member_id=member_id, outcome=data.get("outcome"), note=data.get("note", ""),
                               expected_version=version)
    db().commit()
    return jsonify(m.to_dict())


@bp.post(API + "/<int:draw_id>/members/<int:member_id>/evidence")
def evidence(incident_id: int, draw_id: int, member_id: int):  # type: ignore[no-untyped-def]
    """Attach an evidence file (multipart field "file") to a sampled claimant."""
    f = request.files.get("file")
    if f is None:
        raise ValidationError("send the evidence as multipart/form-data field 'file'", field="file")
    m = samples.add_evidence(db(), actor=actor(), incident_id=incident_id, draw_id=draw_id,
                             member_id=member_id, filename=f.filename or "", content_type=f.mimetype or "",
                             data=f.read())
    db().commit()
    return jsonify(m.to_dict()), 201


@bp.get(API + "/<int:draw_id>/members/<int:member_id>/evidence/<int:attachment_id>")
def evidence_file(incident_id: int, draw_id: int, member_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    """Download one evidence file of a sampled claimant (checked against its stored hash)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    member = samples.get_member(db(), inc.id, draw_id, member_id)
    if attachment_id not in (member.attachment_ids or []):
        raise NotFound("no such evidence file for this sampled claimant", field="attachment_id")
    return inline_file(*attachments.read(db(), attachment_id, inc.id))


@bp.get(API + "/size")
def sample_size(incident_id: int):  # type: ignore[no-untyped-def]
    """Sample size needed for a target lower bound, given an assumed share (finite population N)."""
    inc = service.load_for(db(), actor(), incident_id, Action.INCIDENT_VIEW)
    target = _share_arg("target")
    assumed = _share_arg("assumed")
    conf = _share_arg("confidence", "0.95", "0.5")
    size = sum(len(v) for v in samples.population(db(), inc.id).values())
    n = stats.sample_size(target, assumed, N=size or None, confidence=conf)
    return jsonify({"population": size, "target": target, "assumed": assumed, "confidence": conf,
                    "n": n, "method": "hypergeometric" if size else "clopper-pearson"})


# -- OpenAPI: bodies, queries and responses of the sample routes
SHARE = {"type": "string", "description": "decimal, e.g. 0.95"}
MEMBER = obj(id=INT, claimant_id=INT, position=INT, segment=STR,
             outcome={"enum": ["pending", "confirmed", "refuted", "partly", "unreachable"]}, note=STR,
             attachment_ids=array(INT), version=INT, recorded_at=null(TIME), recorded_by=STR)
DRAW = obj(id=INT, claim=STR, k=INT, stratified=BOOL, algorithm=STR, seed=STR, population_size=INT,
           population_hash=STR, event_seq=INT, drawn_at=TIME, drawn_by=STR, members=array(obj(**MEMBER["properties"],
                                                                                              name=STR)),
           stats=obj(confirmed=INT, resolved=INT, population=INT, confidence=STR,
                     hypergeometric=null(obj(count=INT, share=STR)), clopper_pearson=null(obj(share=STR))))
CONFIDENCE = {"type": "string", "pattern": r"^0?\.\d+$", "description": "strictly between 0.5 and 1; default 0.95"}
register("samples_api.list_draws", query={"confidence": CONFIDENCE}, responses={200: obj(draws=array(DRAW))})
register("samples_api.get_draw", query={"confidence": CONFIDENCE}, responses={200: DRAW})
register("samples_api.draw", body={"type": "object", "required": ["claim", "k"], "properties": {
    "claim": {"type": "string", "maxLength": 500}, "k": {"type": "integer", "minimum": 1},
    "stratified": {"type": "boolean", "description": "proportional allocation by segment"}}}, responses={201: DRAW})
register("samples_api.verify", responses={200: obj(
    draw_id=INT, event_seq=null(INT), chain_ok=BOOL, reproduced=BOOL, matches_record=BOOL, population_unchanged=BOOL,
    added=array(INT), removed=array(INT), moved=array(INT), problems=array(STR), exit_code=INT)})
register("samples_api.outcome", body={"type": "object", "required": ["outcome"], "properties": {
    "outcome": {"enum": ["confirmed", "refuted", "partly", "unreachable"]}, "note": STR, "version": INT}},
    responses={200: MEMBER})
register("samples_api.evidence", media=MULTIPART, body=upload(), responses={201: MEMBER})
register("samples_api.evidence_file", responses={200: file("*/*", description="the evidence file")})
register("samples_api.sample_size", query={"target": SHARE | {"required": True}, "assumed": SHARE | {"required": True},
                                           "confidence": CONFIDENCE},
         responses={200: obj(population=INT, target=STR, assumed=STR, confidence=STR, n=null(INT),
                             method={"enum": ["hypergeometric", "clopper-pearson"]})})


def _provider(session: Any, a: Any, inc: Incident, can: dict[str, bool]) -> dict[str, Any]:
    return {"draws": [samples.draw_dict(session, d) for d in samples.list_draws(session, inc.id)],
            "population": sum(len(v) for v in samples.population(session, inc.id).values())}


@bp.get("/incidents/<int:incident_id>/sections/samples")
def fragment(incident_id: int):  # type: ignore[no-untyped-def]
    """The samples section alone, re-fetched by demands.js when a sample event arrives."""
    return render_section(incident_id, "samples")


register_section(Section("samples", "sections/samples.html", _provider, order=40))  # demands.js serves both
