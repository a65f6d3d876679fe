"""The public JSON API under /api/v1/public: no session, no CSRF (nothing ambient to abuse), the code in
every call, rate-limited per address and per code. Listed in the OpenAPI document and fuzzed."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from exports.signing import public_report
from exports.signing import service as seal
from incident.errors import Forbidden, NotFound, ValidationError
from incident.public import callback_feed, lookup, registration, survey
from incident.public.models import CodeKind
from realtime.dbsession import db
from realtime.openapi import BOOL, INT, MULTIPART, STR, TIME, array, file, null, obj
from realtime.openapi import register as describe
from realtime.public.verify import read_upload
from realtime.public.view import opened, progress as progress_view

bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")
VIEWS = ("progress", "register", "claimant_copy", "verify_upload", "verify_ref", "survey_answer")


def _body() -> dict[str, Any]:
    from realtime.http.params import json_body
    body = json_body() if request.is_json else None
    if body is None and request.form:
        body = request.form.to_dict()
    if not isinstance(body, dict):
        raise ValidationError("body must be a JSON object", field="body", reason="invalid")
    return body


@bp.get("/progress")
def progress():  # type: ignore[no-untyped-def]
    """What a code shows: stage, public updates, next update due; a claimant's own items and agreement."""
    row, view = progress_view(request.args.get("code", "")[:64])
    code_id = row.id
    opened(code_id)
    return jsonify(view)


@bp.post("/register")
def register():  # type: ignore[no-untyped-def]
    """Register as a complainant with the incident's code (pending until staff confirm)."""
    body = _body()
    row = lookup.resolve(db(), body.get("code"), kinds=(CodeKind.INCIDENT.value,))
    registration.register(db(), incident_id=row.incident_id, data=body)
    db().commit()
    return jsonify({"status": "pending"}), 201


@bp.post("/agreement")
def claimant_copy():  # type: ignore[no-untyped-def]
    """The claimant's own sealed agreement (claimant code + last four digits of the phone)."""
    body = _body()
    row = lookup.resolve(db(), body.get("code"), kinds=(CodeKind.CLAIMANT.value,))
    if not lookup.second_factor(db(), row, body.get("last4")):
        raise Forbidden("the last four digits do not match the phone number we have", field="last4")
    ag = public_report.for_claimant(db(), row.incident_id, row.claimant_id or 0)
    pdf = public_report.sealed_copy(db(), ag) if ag is not None else None
    if ag is None or pdf is None:
        raise NotFound("there is no sealed agreement to download yet", field="code")
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{ag.ref}.pdf"'})


@bp.post("/verify")
def verify_upload():  # type: ignore[no-untyped-def]
    """Verify a sealed PDF: intact / modified / unknown signer, the agreement's number, date, voided since."""
    full = seal.verify_document(db(), read_upload(), seal.trust_roots(current_app.extensions["concord.settings"]))
    return jsonify(public_report.public_report(db(), full))


@bp.get("/verify")
def verify_ref():  # type: ignore[no-untyped-def]
    """The public status of the agreement a QR code names (its number)."""
    ref = request.args.get("ref", "")[:60]
    found = public_report.by_ref(db(), ref)
    if found is None:
        raise NotFound("no sealed agreement with this number", field="ref")
    return jsonify(found)


@bp.post("/survey")
def survey_answer():  # type: ignore[no-untyped-def]
    """Answer the satisfaction survey through a one-time link's token (score 1-5, reasons, text)."""
    body = _body()
    row = survey.answer(db(), token=body.get("token"), data=body)
    fate = survey.fate_of(db(), row)
    db().commit()
    return jsonify({"status": "recorded", "fate": fate.value}), 201


# -- OpenAPI
CODE = {"type": "string", "description": "a lookup code, 16 characters (80 bits), e.g. 7K3M-Q9XA-2D8R-VW4T"}
AG = obj(ref=STR, status={"enum": ["sealed", "void", "not_sealed"]}, sealed_at=null(TIME), voided_at=null(TIME))
PROGRESS = obj({"claimant": obj(name=STR, status=STR, items=array(obj(
    id=INT, type=STR, status=STR, status_key=STR, amount=null(STR), deadline=null(TIME))),
    agreement=null(obj(ref=STR, status=STR, status_text=STR, sealed_at=null(TIME), downloadable=BOOL)),
    survey=obj(open=BOOL, answered=BOOL))},
    kind={"enum": ["incident", "claimant"]}, case=STR, stage=obj(index=INT, name=STR, count=INT), stages=array(STR),
    updates=array(obj(id=INT, text=STR, at=TIME, stage=STR)), next_update_due=null(TIME), late=BOOL,
    concluded=BOOL, closed=BOOL)
LIMITED = {429: None, 404: None}
describe("public_api.progress", query={"code": CODE | {"required": True}}, responses={200: PROGRESS} | LIMITED)
describe("public_api.register", body={"type": "object", "required": ["code", "name", "unit", "phone", "demand",
                                                                      "consent"], "properties": {
    "code": CODE, "name": STR, "unit": STR | {"description": "unit, address or order number"}, "phone": STR,
    "demand": STR | {"description": "in the complainant's own words"}, "consent": BOOL}},
    responses={201: obj(status={"enum": ["pending"]})} | LIMITED)
describe("public_api.claimant_copy", body={"type": "object", "required": ["code", "last4"], "properties": {
    "code": CODE, "last4": STR | {"description": "last four digits of the claimant's phone"}}},
    responses={200: file("application/pdf"), 403: None} | LIMITED)
describe("public_api.verify_upload", media={MULTIPART: {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}}}, "application/pdf": {"type": "string", "format": "binary"}},
    responses={200: obj(verdict={"enum": list(public_report.PUBLIC_VERDICTS)}, agreement=null(AG),
                        matches_record=BOOL), 429: None})
describe("public_api.verify_ref", query={"ref": STR | {"required": True}}, responses={200: AG} | LIMITED)
describe("public_api.survey_answer", body={"type": "object", "required": ["token", "score"], "properties": {
    "token": CODE, "score": {"type": "integer", "minimum": 1, "maximum": 5},
    "reasons": array({"enum": list(survey.REASONS)}), "text": STR}},
    responses={201: obj(status={"enum": ["recorded"]}, fate={"enum": [f.value for f in callback_feed.Fate], "description":
        "recorded on the callback; waiting for it to be scheduled; kept for the record (the callback was already "
        "completed, the incident closed, or a representative answers for the claimant)"})} | LIMITED)
