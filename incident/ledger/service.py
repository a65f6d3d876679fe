"""Ledger use cases: record a payment of an agreed item (with its proof) or waive it with a reason.

One timeline event per call ("ledger.payment_recorded", "ledger.waived"), in the caller's transaction.
Payments are recorded by the business seat or the leader; waiving gives up money, so the leader
decides it (managers and admins too). The 收条 receipt PDF is made by exports/ledger, which passes
its bytes here as the proof (proof_kind "receipt", with the pad signature).
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from incident import attachments, clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.demands.fields import parse_amount, parse_text
from incident.errors import Conflict, NotFound, ValidationError
from incident.ledger import queries
from incident.ledger.models import EntryKind, LedgerEntry, Method, ProofKind

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROOF_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"}


def _open_obligation(session: Session, incident_id: int, item_id: Any) -> queries.Obligation:
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise NotFound("no such agreed payment in this incident", field="item_id")
    ob = queries.obligation(session, incident_id, item_id)
    if ob is None:
        raise NotFound("no such agreed payment in this incident", field="item_id")
    if ob.settled:
        raise Conflict("this payment is already settled (paid or waived)", field="item_id")
    return ob


def paid_on(value: Any) -> str:
    """The payment date: YYYY-MM-DD, today (local) when not given."""
    if value in (None, ""):
        return clock.local(clock.now()).strftime("%Y-%m-%d")
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValidationError("paid_on must be a date YYYY-MM-DD", field="paid_on")
    from datetime import date
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValidationError("paid_on must be a date YYYY-MM-DD", field="paid_on") from None
    if value > clock.local(clock.now()).strftime("%Y-%m-%d"):  # money is recorded once it has been paid
        raise ValidationError("the payment date cannot be in the future", field="paid_on")
    return value


def record_payment(session: Session, *, actor: Actor, incident_id: int, item_id: Any, data: dict[str, Any],
                   proof: tuple[str, str, bytes] | None, proof_kind: str = ProofKind.UPLOAD.value,
                   signature: dict[str, Any] | None = None) -> LedgerEntry:
    """Record a payment (amount, date, method, reference) of an agreed item with its proof file."""
    inc = service.load_for(session, actor, incident_id, Action.PAYMENT_RECORD)
    service.ensure_open(inc)
    ob = _open_obligation(session, inc.id, item_id)
    amount = Decimal(parse_amount(data.get("amount"), required=True) or "0")
    if amount > ob.outstanding:
        raise ValidationError("the amount is more than what is still owed (%(owed)s)", field="amount",
                              owed=f"{ob.outstanding:.2f}")
    method = data.get("method")
    if method not in [m.value for m in Method]:
        raise ValidationError("method must be one of " + ", ".join(m.value for m in Method), field="method")
    paid_on_ = paid_on(data.get("paid_on"))
    reference = parse_text(data.get("reference"), "reference", 120)
    if proof is None:
        raise ValidationError("a proof is required: a bank receipt image or PDF, or a signed 收条", field="file")
    filename, ctype, blob = proof
    if (ctype or "").split(";")[0].strip().lower() not in PROOF_TYPES:
        raise ValidationError("the proof must be an image or a PDF", field="file")
    att = attachments.store(session, actor=actor, incident_id=inc.id, filename=filename, content_type=ctype,
                            data=blob, purpose="payment_proof" if proof_kind == ProofKind.UPLOAD else "receipt")
    entry = LedgerEntry(incident_id=inc.id, demand_item_id=ob.item_id, claimant_id=ob.claimant_id, kind=ob.kind,
                        entry=EntryKind.PAYMENT.value, amount=f"{amount:.2f}", paid_on=paid_on_, method=method,
                        reference=reference, proof_kind=proof_kind, proof_attachment_id=att.id,
                        proof_sha256=att.sha256, signature=signature, recorded_at=clock.now(),
                        recorded_by_id=actor.user_id, recorded_by_name=actor.name)
    session.add(entry)
    session.flush()
    timeline.record(session, inc, "ledger.payment_recorded", actor, {
        "entry_id": entry.id, "item_id": ob.item_id, "claimant_id": ob.claimant_id, "claimant": ob.claimant_name,
        "kind": ob.kind, "amount": entry.amount, "paid_on": paid_on_, "method": method, "reference": reference,
        "proof_kind": proof_kind, "proof_sha256": att.sha256,
        "outstanding": f"{max(ob.outstanding - amount, Decimal(0)):.2f}"})
    return entry


def waive(session: Session, *, actor: Actor, incident_id: int, item_id: Any, reason: Any) -> LedgerEntry:
    """Waive what is still owed on an agreed item, with the reason (the claimant gave it up, …)."""
    inc = service.load_for(session, actor, incident_id, Action.PAYMENT_WAIVE)
    service.ensure_open(inc)
    ob = _open_obligation(session, inc.id, item_id)
    text = parse_text(reason, "reason", 1000, required=True)
    entry = LedgerEntry(incident_id=inc.id, demand_item_id=ob.item_id, claimant_id=ob.claimant_id, kind=ob.kind,
                        entry=EntryKind.WAIVER.value, amount=f"{ob.outstanding:.2f}", reason=text,
                        recorded_at=clock.now(), recorded_by_id=actor.user_id, recorded_by_name=actor.name)
    session.add(entry)
    session.flush()
    timeline.record(session, inc, "ledger.waived", actor, {
        "entry_id": entry.id, "item_id": ob.item_id, "claimant_id": ob.claimant_id, "claimant": ob.claimant_name,
        "kind": ob.kind, "amount": entry.amount, "reason": text})
    return entry
