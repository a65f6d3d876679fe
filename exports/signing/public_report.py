"""What verification tells someone without an account (issue 15): the verdict, the agreement's number
and date, and whether it was voided since — nothing more (no signer, hashes, incident or reason).

Also the claimant's own copy: the agreement a claimant signed or is represented in, and its sealed PDF.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements.enums import AgreementStatus
from exports.agreements.models import Agreement
from incident import attachments

PUBLIC_VERDICTS = ("intact", "modified", "unknown_signer", "unsigned", "not_pdf")


def _agreement(ag: Agreement | None) -> dict[str, Any] | None:
    if ag is None:
        return None
    return {"ref": ag.ref, "status": ag.status if ag.status in ("sealed", "void") else "not_sealed",
            "sealed_at": ag.sealed_at.isoformat() if ag.sealed_at else None,
            "voided_at": ag.voided_at.isoformat() if ag.voided_at else None}


def by_ref(session: Session, ref: str) -> dict[str, Any] | None:
    """The public status of the agreement with this number (the QR code's reference), or None."""
    ag = session.scalars(select(Agreement).where(Agreement.ref == ref)).first() if ref else None
    return _agreement(ag) if ag is not None and ag.sealed_at is not None else None


def public_report(session: Session, full: dict[str, Any]) -> dict[str, Any]:
    """Cut exports.signing.service.verify_document's answer down to what the public may see."""
    ag = full.get("agreement")
    row = session.scalars(select(Agreement).where(Agreement.ref == ag["ref"])).first() if ag else None
    verdict = full.get("verdict")
    return {"verdict": verdict if verdict in PUBLIC_VERDICTS else "modified",
            "agreement": _agreement(row) if row is not None and row.sealed_at is not None else None,
            "matches_record": bool(ag and ag.get("matches_record"))}


def for_claimant(session: Session, incident_id: int, claimant_id: int) -> Agreement | None:
    """The claimant's latest agreement (as signer or represented) in this incident, if any."""
    rows = session.scalars(select(Agreement).where(Agreement.incident_id == incident_id)
                           .order_by(Agreement.id.desc()))
    for ag in rows:
        t = ag.terms or {}
        ids = [(t.get("signer") or {}).get("claimant_id")] + [p.get("claimant_id") for p in t.get("represented") or []]
        if claimant_id in ids:
            return ag
    return None


def claimant_status(ag: Agreement | None) -> str | None:
    """The agreement's status as the claimant may see it."""
    if ag is None:
        return None
    return ag.status if ag.status in (AgreementStatus.SEALED.value, AgreementStatus.VOID.value,
                                      AgreementStatus.SIGNED.value) else "in_preparation"


def sealed_copy(session: Session, ag: Agreement) -> bytes | None:
    """The sealed PDF of the agreement (None before sealing or after voiding)."""
    if ag.attachment_id is None or ag.status != AgreementStatus.SEALED.value:
        return None
    return attachments.read(session, ag.attachment_id, ag.incident_id)[1]


def sealed_copy_exists(ag: Agreement) -> bool:
    return ag.attachment_id is not None and ag.status == AgreementStatus.SEALED.value
