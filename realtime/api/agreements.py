"""Agreements over HTTP: drafting, review, signing, sealing, batches, templates and verification.

The verify page (the QR code's target) sits behind the login like every page; opening it to the
public is one line (add "verify.page" and "verify.upload" to realtime.auth.PUBLIC_ENDPOINTS) and a
decision for the organisation: it reveals an agreement's status to anyone holding its number.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from sqlalchemy import select

from exports.agreements import service, templates
from exports.agreements.models import Agreement, AgreementBatch
from exports.agreements.terms import from_dict
from exports.signing import service as seal
from incident.access.permissions import Action
from incident.errors import ValidationError
from incident.security.log import Kind
from realtime.api.agreement_batches import view as batch_view
from realtime.auth import actor
from realtime.dbsession import db
from realtime.http.params import json_body, version_of
from realtime.openapi import register_body
from realtime.security import recorder
from realtime.sections import Section, register_section

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
    """Record the claimant side's handwritten signature (canvas strokes)."""
    return _step(agreement_id, service.sign, signature=True)


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
    from realtime.api.accounts import confirm  # -- accounts (issue 10): a fresh re-authentication
    ag = seal.seal(db(), actor=actor(), agreement_id=agreement_id, sealer=seal.sealer_for(s),
                   public_url=s.public_url, expected_version=version_of(data), proof=confirm(data))
    db().commit()
    return jsonify(full(ag))


def _pdf(data: bytes, name: str, inline: bool = True) -> Response:
    disp = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disp}; filename="{name}"', "Cache-Control": "no-store"})


def _note_full_ids(ag: Agreement, document: str) -> None:
    """-- security log (issue 10): a PDF that prints ID numbers in full was handed out."""
    if (ag.terms or {}).get("id_display") == "full":
        recorder.add(Kind.ID_DOCUMENT, incident_id=ag.incident_id, guard=False, agreement_id=ag.id,
                     agreement_ref=ag.ref, document=document)
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
    ag = db().scalars(select(Agreement).where(Agreement.ref == ref)).first() if ref else None
    return render_template("agreements/verify.html", ref=ref, agreement=ag, result=None)


@public.post("/verify")
def upload():  # type: ignore[no-untyped-def]
    try:
        result = seal.verify_document(db(), _upload(), seal.trust_roots(_settings()))
        status = 200
    except ValidationError as err:
        result, status = {"error": err.message}, 400
    return render_template("agreements/verify.html", ref="", agreement=None, result=result), status


register_body("agreements.draft", {"type": "object", "properties": {
    "claimant_id": {"type": "integer"}, "representative_id": {"type": "integer"},
    "claimant_ids": {"type": "array", "items": {"type": "integer"}},
    "locale": {"enum": ["zh_CN", "en"]}, "facts": {"type": "string"},
    "id_display": {"enum": ["masked", "full"]}, "clauses": {"type": "object"},
    "items": {"type": "array", "items": {"type": "object", "required": ["description", "remedy"], "properties": {
        "description": {"type": "string"}, "remedy": {"type": "string"}, "amount": {"type": "string"},
        "payment_kind": {"enum": ["none", "compensation", "indemnity"]},
        "deadline": {"type": "string", "format": "date"}}}}}})
register_body("agreements.update", {"type": "object", "required": ["version"], "properties": {
    "version": {"type": "integer"}, "facts": {"type": "string"}, "items": {"type": "array"},
    "clauses": {"type": "object"}, "id_display": {"enum": ["masked", "full"]}}})
for _ep in ("submit", "approve"):
    register_body(f"agreements.{_ep}", {"type": "object", "required": ["version"],
                                        "properties": {"version": {"type": "integer"}}})
register_body("agreements.seal_one", {"type": "object", "required": ["version"], "properties": {
    "version": {"type": "integer"},
    "password": {"type": "string", "description": "re-entered by the legal user (users without TOTP)"},
    "code": {"type": "string", "description": "current TOTP code (users with two-factor)"}}})
register_body("agreements.return_", {"type": "object", "required": ["version", "comments"], "properties": {
    "version": {"type": "integer"}, "comments": {"type": "string"}}})
register_body("agreements.sign", {"type": "object", "required": ["version", "signature"], "properties": {
    "version": {"type": "integer"}, "signature": {"type": "object", "required": ["width", "height", "strokes"]}}})
register_body("agreements.void", {"type": "object", "required": ["reason"], "properties": {
    "reason": {"type": "string"}, "version": {"type": "integer"}}})
register_body("agreements.edit_template", {"type": "object", "required": ["locale", "clauses"], "properties": {
    "locale": {"enum": ["zh_CN", "en"]}, "clauses": {"type": "object"}, "note": {"type": "string"},
    "version": {"type": "integer"}}})
register_body("agreements.verify_api", {"type": "string", "format": "binary",
                                        "description": "multipart field 'file' or an application/pdf body"})


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
