"""The ledger's vocabulary and event names, added to the shared label table (English msgids)."""
from __future__ import annotations

from incident.labels import LABELS
from incident.ledger import wording as _wording  # noqa: F401  (registers the event words)

LABELS.update({
    "ledger_kind": {"compensation": "compensation (补偿)", "indemnity": "indemnity (赔偿)", "other": "other money"},
    "ledger_stage": {"accepted": "accepted", "signed": "signed", "sealed": "sealed", "paid": "paid",
                     "waived": "waived"},
    "payment_method": {"bank_transfer": "bank transfer", "cash": "cash", "voucher": "voucher", "goods": "goods in kind",
                       "service": "service"},
    "proof_kind": {"upload": "bank receipt", "receipt": "receipt (收条) signed on the pad"},
    "ledger_entry": {"payment": "payment", "waiver": "waiver"},
})
LABELS["event"].update({
    "ledger.payment_recorded": "payment recorded", "ledger.waived": "payment waived",
    "ledger.payment_overdue": "payment overdue",
})
LABELS["field"].update({"paid_on": "payment date", "reference": "reference", "proof": "proof"})
