"""Sealing and verification use cases: render the approved terms, seal with pyHanko, check uploads.

A seal is refused unless the terms in the PDF are exactly the approved ones: the stored terms must
hash to the approval hash (checked again from the JSON, not trusted from the column), the PDF is
rendered from them, and the rendered file must carry that content hash before it is signed.
"""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import settlement, sources
from exports.agreements.enums import AgreementStatus as S
from exports.agreements.enums import IdDisplay, Verdict
from exports.agreements.models import Agreement
from exports.agreements.service import _check_version, _event, load_for
from exports.agreements.terms import canonical, from_dict, terms_hash
from exports.pdf.agreement import RenderInput, render
from exports.signing.signer import Sealer, cached_sealer
from exports.signing.verification import verify_pdf
from incident import attachments, clock
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.accounts.sessions import Proof, ReauthRequired
from incident.crowd.claimants.models import Claimant
from incident.errors import Conflict
from incident.settings import Settings


def content_hash(terms: dict[str, Any], signature: dict[str, Any] | None) -> str:
    """SHA-256 of the agreement's content: the canonical terms and the handwritten strokes."""
    return hashlib.sha256(canonical({"terms": terms, "signature": signature})).hexdigest()


def verify_url(public_url: str, ref: str) -> str:
    return f"{(public_url or 'http://127.0.0.1:5000').rstrip('/')}/verify?ref={ref}"


def render_input(session: Session, ag: Agreement, *, head_hash: str = "", public_url: str = "",
                 draft: bool = False, head_seq: int = 0, clear_ids: dict[int, str] | None = None) -> RenderInput:
    """Everything the renderer needs; clear ID numbers only when legal chose to show them (from
    `clear_ids` when the caller read them for many agreements at once, see clear_ids_of)."""
    terms = from_dict(ag.terms)
    ids: dict[int, str] = {}
    if terms.id_display == IdDisplay.FULL.value:
        wanted = id_subjects(ag)
        if clear_ids is None:
            clear_ids = clear_ids_of(session, wanted)
        ids = {i: clear_ids[i] for i in wanted if i in clear_ids}
    sealed = not draft
    return RenderInput(ref=ag.ref, terms=terms, signature=ag.signature, id_numbers=ids,
                       content_sha256=content_hash(ag.terms, ag.signature) if sealed else "",
                       head_hash=head_hash, verify_url=verify_url(public_url, ag.ref), draft=draft,
                       head_seq=head_seq, incident_id=ag.incident_id)


def id_subjects(ag: Agreement) -> list[int]:
    """Claimants whose clear ID numbers the agreement prints (none unless legal chose "full")."""
    terms = ag.terms or {}
    if terms.get("id_display") != IdDisplay.FULL.value:
        return []
    parties = [terms.get("signer") or {}, *(terms.get("represented") or [])]
    return [i for i in (p.get("claimant_id") for p in parties) if isinstance(i, int) and i]


def clear_ids_of(session: Session, claimant_ids: list[int]) -> dict[int, str]:
    """Clear ID numbers of these claimants, read with one query."""
    if not claimant_ids:
        return {}
    return {c.id: sources.clear_id(c) for c in session.scalars(
        select(Claimant).where(Claimant.id.in_(sorted(set(claimant_ids)))))}


def preview(session: Session, *, actor: Actor, agreement_id: Any) -> tuple[Agreement, bytes]:
    """An unsealed PDF of the current terms, marked as a draft."""
    ag, _inc = load_for(session, actor, agreement_id, Action.INCIDENT_VIEW)
    return ag, render(render_input(session, ag, draft=True))


def embedded_content_hash(pdf: bytes) -> str:
    """The content hash written into the PDF's metadata by the renderer."""
    info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer_view.get("/Info")
    return str(info.get_object().get("/Keywords", "")) if info is not None else ""


def carries_content_hash(pdf: bytes, content_sha256: str) -> bool:
    """Fast check that the rendered file's metadata carries this content hash (the Info dictionary
    is written uncompressed; text drawn on pages is glyph-encoded, so it cannot fake this)."""
    return f"/Keywords ({content_sha256})".encode("ascii") in pdf or \
        embedded_content_hash(pdf) == content_sha256


def sealer_for(settings: Settings) -> Sealer:
    """The organisation's sealer (key kept loaded per process), or a conflict if none is configured."""
    if not settings.signing_p12:
        raise Conflict("no organisation signing certificate configured (signing_p12)", field="signing_p12")
    path = Path(settings.signing_p12)
    if not path.is_absolute():
        path = settings.instance / path
    return cached_sealer(str(path), settings.signing_password, settings.tsa_url)


def check_sealable(ag: Agreement) -> None:
    """Refuse unless the current terms are exactly the approved and signed ones."""
    recomputed = terms_hash(from_dict(ag.terms))
    if not ag.approved_hash or recomputed != ag.approved_hash or ag.terms_hash != ag.approved_hash:
        raise Conflict("the terms are not the approved terms; they need a new review", field="terms")
    if ag.signed_hash != ag.approved_hash or not ag.signature:
        raise Conflict("the claimant side has not signed the approved terms", field="signature")


def require_fresh_proof(actor: Actor, proof: Proof | None) -> None:
    """Sealing speaks for the organisation: the legal user re-enters their secret for it."""
    if not actor.is_system and (proof is None or not proof.fresh_for(actor.user_id)):
        raise ReauthRequired("sealing needs your password (or authenticator code) entered again",
                             field="password")


def seal(session: Session, *, actor: Actor, agreement_id: Any, sealer: Sealer, public_url: str,
         expected_version: Any = None, proof: Proof | None = None) -> Agreement:
    """Render the signed, approved terms with the verification block and seal them (PAdES);
    needs legal staff on the legal seat and a fresh re-entered secret (incident.accounts.sessions)."""
    ag, inc = load_for(session, actor, agreement_id, Action.AGREEMENT_SEAL)
    require_fresh_proof(actor, proof)
    _check_version(ag, expected_version)
    if ag.status != S.SIGNED.value:
        raise Conflict(f"only a signed agreement can be sealed (it is {ag.status})", field="status",
                       status=ag.status)
    check_sealable(ag)
    head = inc.head_hash
    inp = render_input(session, ag, head_hash=head, public_url=public_url, head_seq=inc.last_seq)
    pdf = render(inp)
    if not carries_content_hash(pdf, inp.content_sha256) or terms_hash(inp.terms) != ag.approved_hash:
        raise Conflict("the rendered document does not carry the approved terms", field="terms")
    sealed = sealer.seal(pdf, f"Concord-{ag.ref}")
    record_seal(session, inc, ag, actor, pdf=sealed, content_sha256=inp.content_sha256, head_hash=head,
                timestamped=bool(sealer.tsa_url))
    return ag


def record_seal(session: Session, inc: Any, ag: Agreement, actor: Actor, *, pdf: bytes, content_sha256: str,
                head_hash: str, timestamped: bool, regrade: bool = True, **extra: Any) -> dict[str, Any]:
    """Store the sealed PDF and mark the agreement sealed: one agreement.sealed event naming the
    claimants it settles (the crowd follows in the same transaction), then a re-grade if any
    (regrade=False: the caller re-grades once after several seals). Returns the crowd change."""
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=f"{ag.ref}.pdf",
                            content_type="application/pdf", data=pdf, purpose="agreement")
    ag.status, ag.sealed_at, ag.sealed_by_name = S.SEALED.value, clock.now(), actor.name
    ag.content_sha256, ag.head_hash_at_seal = content_sha256, head_hash
    ag.pdf_sha256, ag.attachment_id, ag.timestamped = att.sha256, att.id, timestamped
    crowd = settlement.settle(session, inc, ag, actor)
    _event(session, inc, ag, "agreement.sealed", actor, **{"from": "signed", "to": ag.status},
           content_sha256=ag.content_sha256, head_hash=head_hash, pdf_sha256=ag.pdf_sha256,
           level="B-T" if timestamped else "B-B", **crowd, **extra)
    if regrade:
        settlement.regrade(session, inc, actor, crowd, "agreement.sealed")
    return crowd


def sealed_pdf(session: Session, *, actor: Actor, agreement_id: Any) -> tuple[Agreement, bytes]:
    ag, _inc = load_for(session, actor, agreement_id, Action.INCIDENT_VIEW)
    if ag.attachment_id is None:
        raise Conflict("the agreement is not sealed yet", field="status")
    return ag, attachments.read(session, ag.attachment_id, ag.incident_id)[1]


def trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    """Certificates whose seals are trusted: ours, plus `extra.trusted_certs` (PEM or DER files)."""
    out = []
    try:
        out.append(sealer_for(settings).certificate)
    except (Conflict, ValueError, OSError):
        pass
    for p in settings.extra.get("trusted_certs", []) if isinstance(settings.extra, dict) else []:
        raw = Path(p).read_bytes()
        if raw.startswith(b"-----"):
            from asn1crypto import pem
            raw = pem.unarmor(raw)[2]
        out.append(asn1_x509.Certificate.load(raw))
    return out


def verify_document(session: Session, data: bytes, trust: list[asn1_x509.Certificate]) -> dict[str, Any]:
    """The verdict on an uploaded file, with the agreement it claims to be and its current status."""
    rep = verify_pdf(data, trust)
    from exports.audit.anchors import check_pdf_anchor  # -- audit (issue 17): the head the PDF anchors
    anchor = check_pdf_anchor(session, data) if rep.verdict != Verdict.NOT_PDF.value else None
    out: dict[str, Any] = rep.to_dict() | {"agreement": None, "anchor": anchor.to_dict() if anchor else None}
    if rep.agreement_ref:
        ag = session.scalars(select(Agreement).where(Agreement.ref == rep.agreement_ref)).first()
        if ag is not None:
            out["agreement"] = {
                "ref": ag.ref, "status": ag.status, "incident_id": ag.incident_id,
                "void_reason": ag.void_reason or None,
                "voided_at": ag.voided_at.isoformat() if ag.voided_at else None,
                "sealed_at": ag.sealed_at.isoformat() if ag.sealed_at else None,
                "content_sha256": ag.content_sha256,
                "matches_record": hashlib.sha256(data).hexdigest() == ag.pdf_sha256}
            if rep.verdict == Verdict.INTACT.value and not out["agreement"]["matches_record"]:
                out["warnings"].append("intact and trusted, but not the file on record for this agreement")
        elif rep.verdict == Verdict.INTACT.value:
            out["warnings"].append("no agreement with this number in this instance")
    # -- files and rows commit together (issue 17): a sealed file with no sealed agreement on record
    # (a refused or failed seal's leftover, another instance's file) is its own outcome, never "intact"
    ag_rec = out["agreement"] or {}
    out["on_record"] = bool(ag_rec.get("matches_record")) and ag_rec.get("status") in (S.SEALED.value, S.VOID.value)
    out["outcome"] = NOT_ON_RECORD if rep.verdict == Verdict.INTACT.value and not out["on_record"] else rep.verdict
    return out


NOT_ON_RECORD = "not_on_record"
