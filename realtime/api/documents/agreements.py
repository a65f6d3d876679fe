"""Agreements over HTTP: drafting, review, signing, sealing, batches, templates and verification.

The verify page (the QR code's target) is public since issue 15: without a login it answers only
the verdict, the agreement's number and date and whether it was voided since (realtime.public.verify).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from sqlalchemy import select

from exports.agreements import service, templates
from exports.agreements.models import Agreement, AgreementBatch
from exports.agreements.terms import from_dict
from exports.signing import service as seal
from incident.db import begin_write
from incident.access.permissions import Action
from incident.errors import Forbidden, ValidationError
from incident.security.log import Kind
from realtime.api.documents.agreement_batches import view as batch_view
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body, version_of
from realtime.openapi import (
    ANY_OBJ,
    BOOL,
    ID,
    INT,
    MULTIPART,
    STR,
    TIME,
    VERSION,
    array,
    file,
    null,
    obj,
    register,
)
from realtime.openapi import upload as file_body
from realtime.sections import Section, register_section
from realtime.security import recorder

bp = Blueprint("agreements", __name__, url_prefix="/api/v1")
public = Blueprint("verify", __name__)
MAX_PDF = 25 * 1024 * 1024


def _settings():  # type: ignore[no-untyped-def]
    return current_app.extensions["concord.settings"]


def brief(ag: Agreement) -> dict[str, Any]:
    t = ag.terms
    return {"id": ag.id, "ref": ag.ref, "incident_id": ag.incident_id, "status": ag.status,
            "version": ag.version, "segment": ag.segment, "signer": t["signer"]["name"],
            "represented": len(t.get("represented") or []), "locale": t["locale"],
            "total": f"{from_dict(t).total():.2f}", "updated_at": ag.updated_at.isoformat()}


def full(ag: Agreement) -> dict[str, Any]:
    return brief(ag) | {
        "terms": ag.terms, "terms_hash": ag.terms_hash, "review_comments": ag.review_comments,
        "approved": None if not ag.approved_hash else {"hash": ag.approved_hash, "by": ag.approved_by_name,
                                                       "at": ag.approved_at.isoformat() if ag.approved_at else None},
        "signed": None if not ag.signature else {"name": ag.signature["name"], "at": ag.signature["at"],
                                                 "strokes": len(ag.signature["strokes"])},
        "sealed": None if not ag.sealed_at else {
            "at": ag.sealed_at.isoformat(), "by": ag.sealed_by_name, "content_sha256": ag.content_sha256,
            "head_hash": ag.head_hash_at_seal, "pdf_sha256": ag.pdf_sha256, "timestamped": ag.timestamped},
        "void": None if not ag.voided_at else {"reason": ag.void_reason, "at": ag.voided_at.isoformat()},
    }


@bp.get("/incidents/<int:incident_id>/agreements")
def list_agreements(incident_id: int):  # type: ignore[no-untyped-def]
    """List an incident's agreements (filter by status, segment)."""
    rows = service.listing(db(), actor=actor(), incident_id=incident_id, status=request.args.get("status"),
                           segment=request.args.get("segment"))
    return jsonify({"agreements": [brief(a) for a in rows]})


@bp.post("/incidents/<int:incident_id>/agreements")
def draft(incident_id: int):  # type: ignore[no-untyped-def]
    """Draft an agreement for a claimant or a representative (items default to the accepted ones)."""
    ag = service.draft(db(), actor=actor(), incident_id=incident_id, data=json_body(),
                       org_name=_settings().org_name)
    db().commit()
    return jsonify(full(ag)), 201


@bp.get("/agreements/<int:agreement_id>")
def get_agreement(agreement_id: int):  # type: ignore[no-untyped-def]
    """One agreement with its terms, approval, signature and seal."""
    ag, _inc = service.load_for(db(), actor(), agreement_id, Action.INCIDENT_VIEW)
    return jsonify(full(ag))


@bp.patch("/agreements/<int:agreement_id>")
def update(agreement_id: int):  # type: ignore[no-untyped-def]
    """Change terms; after review started this returns the agreement to draft."""
    data = json_body()
    ag = service.update_terms(db(), actor=actor(), agreement_id=agreement_id,
                              data={k: v for k, v in data.items() if k != "version"},
                              expected_version=version_of(data))
    db().commit()
    return jsonify(full(ag))


@bp.get("/agreements/<int:agreement_id>/review")
def review(agreement_id: int):  # type: ignore[no-untyped-def]
    """Diff of the terms against the template and against the previous version."""
    return jsonify(service.review(db(), actor=actor(), agreement_id=agreement_id))


def _step(agreement_id: int, fn: Any, **extra: Any):  # type: ignore[no-untyped-def]
    data = json_body()
    ag = fn(db(), actor=actor(), agreement_id=agreement_id, expected_version=version_of(data),
            **{k: data.get(k) for k in extra})
    db().commit()
    return jsonify(full(ag))


@bp.post("/agreements/<int:agreement_id>/submit")
def submit(agreement_id: int):  # type: ignore[no-untyped-def]
    """Send to legal review."""
    return _step(agreement_id, service.submit)


@bp.post("/agreements/<int:agreement_id>/approve")
def approve(agreement_id: int):  # type: ignore[no-untyped-def]
    """Legal approves the exact terms under review."""
    return _step(agreement_id, service.approve)


@bp.post("/agreements/<int:agreement_id>/return")
def return_(agreement_id: int):  # type: ignore[no-untyped-def]
    """Legal returns the agreement with comments."""
    return _step(agreement_id, service.return_for_changes, comments=True)


@bp.post("/agreements/<int:agreement_id>/sign")
def sign(agreement_id: int):  # type: ignore[no-untyped-def]
    """Record the claimant side's handwritten signature (canvas strokes), after "I have read and agree"."""
    # -- board (issue 12): the device and the address are recorded with the signature
    from realtime.security.recorder import client_address
    data = json_body()
    ag = service.sign(db(), actor=actor(), agreement_id=agreement_id, expected_version=version_of(data),
                      signature=data.get("signature"), agreed=data.get("agreed"),
                      device=request.user_agent.string or "", address=client_address())
    db().commit()
    return jsonify(full(ag))


@bp.post("/agreements/<int:agreement_id>/void")
def void(agreement_id: int):  # type: ignore[no-untyped-def]
    """Void with a reason."""
    data = json_body()
    ag = service.void(db(), actor=actor(), agreement_id=agreement_id, reason=data.get("reason"),
                      expected_version=data.get("version"))
    db().commit()
    return jsonify(full(ag))


@bp.post("/agreements/<int:agreement_id>/seal")
def seal_one(agreement_id: int):  # type: ignore[no-untyped-def]
    """Seal a signed agreement with the organisation certificate (PAdES); the legal user re-enters
    their password (or TOTP code) in the same request."""
    data = json_body()
    s = _settings()
    from realtime.api.accounts import (
        confirm,  # -- accounts (issue 10): a fresh re-authentication
    )
    ag = seal.seal(db(), actor=actor(), agreement_id=agreement_id, sealer=seal.sealer_for(s),
                   public_url=s.public_url, expected_version=version_of(data), proof=confirm(data))
    db().commit()
    return jsonify(full(ag))


def _pdf(data: bytes, name: str, inline: bool = True) -> Response:
    disp = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disp}; filename="{name}"', "Cache-Control": "no-store"})


def _note_full_ids(ag: Agreement, document: str) -> None:
    """-- security log (issue 10): a PDF that prints ID numbers in full was handed out.

    -- no side channel around masking (issue 11): only to someone who may reveal contacts."""
    if (ag.terms or {}).get("id_display") == "full":
        from incident.crowd.claimants.service import may_reveal
        if not may_reveal(db(), actor(), ag.incident_id):
            raise Forbidden("this document prints ID numbers in full: only those who may reveal contact "
                            "numbers may open it", field="id_display", action=Action.CONTACT_REVEAL.value)
        what = {"incident_id": ag.incident_id, "agreement_id": ag.id, "agreement_ref": ag.ref}
        session = db()
        session.rollback()  # the PDF was a read; the record is a write of its own (BEGIN IMMEDIATE)
        begin_write(session)
        recorder.add(Kind.ID_DOCUMENT, guard=False, document=document, **what)
        db().commit()


@bp.get("/agreements/<int:agreement_id>/preview.pdf")
def preview(agreement_id: int):  # type: ignore[no-untyped-def]
    """The current terms as an unsealed draft PDF."""
    ag, pdf = seal.preview(db(), actor=actor(), agreement_id=agreement_id)
    _note_full_ids(ag, "agreement_preview")
    return _pdf(pdf, f"{ag.ref}-draft.pdf")


@bp.get("/agreements/<int:agreement_id>/pdf")
def sealed_pdf(agreement_id: int):  # type: ignore[no-untyped-def]
    """The sealed PDF."""
    ag, pdf = seal.sealed_pdf(db(), actor=actor(), agreement_id=agreement_id)
    _note_full_ids(ag, "sealed_agreement")
    return _pdf(pdf, f"{ag.ref}.pdf", inline=request.args.get("download") != "1")


@bp.get("/incidents/<int:incident_id>/report.pdf")
def incident_report(incident_id: int):  # type: ignore[no-untyped-def]
    """The incident report (intake, triage, the whole timeline and the chain's head hash) as PDF."""
    from flask_babel import get_locale

    from exports.reports.incident_report import incident_report as build
    pdf = build(db(), actor=actor(), incident_id=incident_id, locale=str(get_locale() or "zh_CN"))
    return _pdf(pdf, f"incident-{incident_id}-report.pdf")


@bp.get("/agreement-templates")
def list_templates():  # type: ignore[no-untyped-def]
    """Every version of the agreement templates (the defaults come with the schema)."""
    return jsonify({"templates": [t.to_dict() for t in templates.listing(db())],
                    "can_edit": templates.may_edit(db(), actor())})


@bp.post("/agreement-templates")
def edit_template():  # type: ignore[no-untyped-def]
    """Save a new version of a template (legal)."""
    data = json_body()
    row = templates.edit(db(), actor=actor(), locale=data.get("locale"), clauses=data.get("clauses"),
                         note=data.get("note", ""), expected_version=data.get("version"))
    db().commit()
    return jsonify(row.to_dict()), 201


def _upload() -> bytes:
    f = request.files.get("file")
    data = f.read(MAX_PDF + 1) if f is not None else (request.get_data() if request.mimetype ==
                                                      "application/pdf" else b"")
    if not data:
        raise ValidationError("upload a PDF file (form field 'file' or an application/pdf body)", field="file")
    if len(data) > MAX_PDF:
        raise ValidationError("the file is larger than 25 MB", field="file")
    return data


@bp.post("/verify")
def verify_api():  # type: ignore[no-untyped-def]
    """Verify an uploaded PDF: intact and trusted / modified / unknown signer, and the agreement's status."""
    s = _settings()
    return jsonify(seal.verify_document(db(), _upload(), seal.trust_roots(s)))


@public.get("/verify")
def page():  # type: ignore[no-untyped-def]
    ref = request.args.get("ref", "")[:60]
    from realtime.auth import current_user
    if current_user() is None:  # -- public side (issue 15): without a login, the public answer only
        from realtime.public.verify import page as public_page
        return public_page(ref)
    ag = db().scalars(select(Agreement).where(Agreement.ref == ref)).first() if ref else None
    return render_template("agreements/verify.html", ref=ref, agreement=ag, result=None)


@public.post("/verify")
def upload():  # type: ignore[no-untyped-def]
    from realtime.auth import current_user
    if current_user() is None:  # -- public side (issue 15)
        from realtime.public.verify import upload as public_upload
        return public_upload()
    try:
        result = seal.verify_document(db(), _upload(), seal.trust_roots(_settings()))
        status = 200
    except ValidationError as err:
        from realtime.errors import localized
        result, status = {"error": localized(err)}, 400
    return render_template("agreements/verify.html", ref="", agreement=None, result=result), status


# -- OpenAPI: bodies, queries and responses of the agreement routes
STATUSES = ["draft", "in_review", "returned", "approved", "signed", "sealed", "void"]
BRIEF = obj(id=INT, ref=STR, incident_id=INT, status={"enum": STATUSES}, version=INT, segment=STR, signer=STR,
            represented=INT, locale=STR, total={"type": "string", "description": "CNY"}, updated_at=TIME)
AGREEMENT = obj(**BRIEF["properties"], terms=ANY_OBJ | {"description": "parties, facts, items, clauses (IDs masked)"},
                terms_hash=STR, review_comments=STR,
                approved=null(obj(hash=STR, by=STR, at=null(TIME))), signed=null(obj(name=STR, at=STR, strokes=INT)),
                sealed=null(obj(at=TIME, by=STR, content_sha256=STR, head_hash=STR, pdf_sha256=STR, timestamped=BOOL)),
                void=null(obj(reason=STR, at=TIME)))
CHANGE = obj(path=STR, **{"from": {}, "to": {}})
TEMPLATE = obj(id=INT, name=STR, locale=STR, version=INT, clauses={"type": "object", "additionalProperties": STR},
               note=STR, created_at=TIME, created_by=STR)
REPORT = obj(verdict={"enum": ["intact", "modified", "unknown_signer", "unsigned", "not_pdf"]}, intact=BOOL, valid=BOOL,
             trusted=BOOL, covers_whole_file=BOOL,
             on_record=BOOL, outcome={"enum": ["intact", "not_on_record", "modified", "unknown_signer", "unsigned",
                                               "not_pdf"]}, modification_level=null(STR), signer=STR, signer_fingerprint=STR,
             signing_time=null(STR), timestamped=BOOL, agreement_ref=null(STR), detail=STR, warnings=array(STR),
             agreement=null(obj(ref=STR, status=STR, incident_id=INT, void_reason=null(STR), voided_at=null(TIME),
                                sealed_at=null(TIME), content_sha256=null(STR), matches_record=BOOL)),
             anchor=null(obj(kind={"enum": ["agreement", "report"]}, ref=STR, incident_id=INT, incident_ref=STR,
                             seq=INT, head=STR, on_chain=BOOL, detail=STR,
                             reason={"enum": ["on_chain", "unknown_incident", "missing_event", "rewritten"]}) | {
                 "description": "the timeline head the PDF anchors, and whether it still lies on the chain"}))
PDF = file("application/pdf")
VERSION_ONLY = {"type": "object", "required": ["version"], "properties": {"version": VERSION}}
ITEMS = array({"type": "object", "required": ["description", "remedy"], "properties": {
    "description": STR, "remedy": STR, "amount": STR, "payment_kind": {"enum": ["none", "compensation", "indemnity"]},
    "deadline": {"type": "string", "format": "date"}}})
register("agreements.list_agreements", query={"status": {"enum": STATUSES}, "segment": STR},
         responses={200: obj(agreements=array(BRIEF))})
register("agreements.draft", body={"type": "object", "properties": {
    "claimant_id": ID, "representative_id": ID, "claimant_ids": array(ID), "locale": {"enum": ["zh_CN", "en"]},
    "facts": STR, "id_display": {"enum": ["masked", "full"]}, "clauses": ANY_OBJ, "items": ITEMS}},
    responses={201: AGREEMENT})
register("agreements.get_agreement", responses={200: AGREEMENT})
register("agreements.update", body={"type": "object", "required": ["version"], "properties": {
    "version": VERSION, "facts": STR, "items": ITEMS, "clauses": ANY_OBJ, "id_display": {"enum": ["masked", "full"]}}},
    responses={200: AGREEMENT})
register("agreements.review", responses={200: obj(against_template=array(CHANGE), template=obj(id=INT, version=INT),
                                                  against_previous=array(CHANGE), previous_version=null(INT))})
for _ep in ("submit", "approve"):
    register(f"agreements.{_ep}", body=VERSION_ONLY, responses={200: AGREEMENT})
register("agreements.seal_one", body={"type": "object", "required": ["version"], "properties": {
    "version": VERSION, "password": STR | {"description": "re-entered by the legal user (users without TOTP)"},
    "code": STR | {"description": "current TOTP code (users with two-factor)"}}}, responses={200: AGREEMENT})
register("agreements.return_", body={"type": "object", "required": ["version", "comments"], "properties": {
    "version": VERSION, "comments": STR}}, responses={200: AGREEMENT})
register("agreements.sign", body={"type": "object", "required": ["version", "signature", "agreed"], "properties": {
    "version": VERSION, "signature": {"type": "object", "required": ["width", "height", "strokes"]},
    "agreed": {"type": "boolean", "description": "the signer read every clause and ticked 'I have read and agree'"}}},
    responses={200: AGREEMENT})
register("agreements.void", body={"type": "object", "required": ["reason"], "properties": {
    "reason": STR, "version": VERSION}}, responses={200: AGREEMENT})
register("agreements.preview", responses={200: PDF})
register("agreements.sealed_pdf", query={"download": {"enum": ["0", "1"], "description": "1: as an attachment"}},
         responses={200: PDF, 409: None})  # not sealed yet
register("agreements.incident_report", responses={200: PDF})
register("agreements.list_templates", responses={200: obj(templates=array(TEMPLATE), can_edit=BOOL)})
register("agreements.edit_template", body={"type": "object", "required": ["locale", "clauses"], "properties": {
    "locale": {"enum": ["zh_CN", "en"]}, "clauses": {"type": "object", "additionalProperties": STR}, "note": STR,
    "version": VERSION}}, responses={201: TEMPLATE})
register("agreements.verify_api", media={MULTIPART: file_body(), "application/pdf": {"type": "string", "format": "binary"}},
         responses={200: REPORT})


def _section(session, who, inc, can):  # type: ignore[no-untyped-def]
    rows = session.scalars(select(Agreement).where(Agreement.incident_id == inc.id).order_by(Agreement.id)).all()
    latest = session.scalars(select(AgreementBatch).where(AgreementBatch.incident_id == inc.id)
                             .order_by(AgreementBatch.id.desc()).limit(1)).first()
    from incident.crowd.claimants.models import Claimant
    claimants = session.scalars(select(Claimant).where(Claimant.incident_id == inc.id,
                                                       Claimant.status == "active").order_by(Claimant.id)).all()
    segments = sorted({c.segment for c in claimants})
    return {"agreements": [brief(a) for a in rows], "batch": batch_view(session, latest) if latest else None,
            "claimants": [{"id": c.id, "name": c.name, "segment": c.segment} for c in claimants[:500]],
            "segments": segments, "can_draft": can.get("agreement.draft"),
            "can_seal": can.get("agreement.seal")}


register_section(Section("agreements", "sections/agreements.html", _section, order=80, script="agreements.js"))


from realtime.http.agreements_pages import pages  # noqa: E402,F401  (registered with this module)
