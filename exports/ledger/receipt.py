"""The 收条 (receipt) Concord generates for a payment: the amount in figures and in Chinese capitals
(大写, through cn2an), who paid whom for what, signed on the pad by the claimant. Its PDF bytes are the
payment's proof, stored with their hash like an uploaded bank receipt."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import cn2an
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy.orm import Session

from exports.agreements.handwriting import parse_strokes
from exports.pdf import document as layout
from exports.pdf.document import para
from exports.pdf.signature_box import SignatureBox
from incident import clock
from incident import service as incidents
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.demands.fields import parse_amount
from incident.errors import NotFound, ValidationError
from incident.i18n import Translator
from incident.labels import label
from incident.ledger import queries
from incident.ledger import service as ledger
from incident.ledger.models import LedgerEntry, ProofKind


def capitals(amount: Decimal) -> str:
    """¥1,234.50 → 壹仟贰佰叁拾肆元伍角 (the form a 收条 writes the amount in)."""
    return cn2an.an2cn(f"{amount:.2f}", "rmb")


def receipt_pdf(*, org: str, incident_ref: str, claimant: str, unit: str, kind: str, amount: Decimal,
                paid_on: str, method: str, reference: str, signature: dict[str, Any], locale: str = "zh_CN") -> bytes:
    """Render the receipt: the claimant confirms receiving the amount from the organisation."""
    _ = Translator(locale)
    st = layout.styles()
    story: list[Any] = [
        para(_("Receipt"), st["title"]),
        para(_("I, %(name)s (%(unit)s), confirm that I received from %(org)s:", name=claimant, unit=unit or "—",
               org=org), st["body"]),
        para(_("Amount: ¥%(figures)s (in capitals: %(capitals)s)", figures=format(amount, ",.2f"),
               capitals=capitals(amount)), st["h"]),
        para(_("For: %(kind)s · case %(ref)s", kind=label(_, "ledger_kind", kind), ref=incident_ref), st["body"]),
        para(_("Paid on %(date)s by %(method)s · reference %(reference)s", date=paid_on,
               method=label(_, "payment_method", method), reference=reference or "—"), st["body"]),
        Spacer(1, 8 * mm),
        SignatureBox(signature, claimant, _, st, caption="Received by (signature):"),
    ]
    return layout.render(story, _, footer=_("Receipt · case %(ref)s", ref=incident_ref), title=_("Receipt"),
                         subject=f"concord-receipt:{incident_ref}")


def record_with_receipt(session: Session, *, actor: Actor, incident_id: int, item_id: Any, data: dict[str, Any],
                        signature: Any, org_name: str, locale: str = "zh_CN") -> LedgerEntry:
    """Record a payment whose proof is a 收条 the claimant signs on the pad now."""
    inc = incidents.load_for(session, actor, incident_id, Action.PAYMENT_RECORD)
    ob = queries.obligation(session, inc.id, item_id) if isinstance(item_id, int) else None
    if ob is None:
        raise NotFound("no such agreed payment in this incident", field="item_id")
    if data.get("method") not in ("cash", "bank_transfer", "voucher", "goods", "service"):
        raise ValidationError("method must be one of bank_transfer, cash, voucher, goods, service", field="method")
    sig = parse_strokes(signature, name=ob.claimant_name, at=clock.now().isoformat())
    amount = Decimal(parse_amount(data.get("amount"), required=True) or "0")
    paid_on = ledger.paid_on(data.get("paid_on"))
    from incident.crowd.claimants.models import Claimant
    c = session.get(Claimant, ob.claimant_id)
    pdf = receipt_pdf(org=org_name, incident_ref=inc.ref, claimant=ob.claimant_name, unit=c.unit if c else "",
                      kind=ob.kind, amount=amount, paid_on=paid_on, method=str(data.get("method")),
                      reference=str(data.get("reference") or "")[:120], signature=sig.to_dict(), locale=locale)
    return ledger.record_payment(session, actor=actor, incident_id=inc.id, item_id=item_id,
                                 data=data | {"paid_on": paid_on},
                                 proof=(f"收条-{inc.ref}-{ob.item_id}.pdf", "application/pdf", pdf),
                                 proof_kind=ProofKind.RECEIPT.value, signature=sig.to_dict())
