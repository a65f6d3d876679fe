"""Labels of the agreement vocabulary, added to the shared label table (msgids, translated in .po),
and the words of its timeline events (wording.py, registered here with the vocabulary)."""
from __future__ import annotations

from exports.agreements import wording as _wording  # noqa: F401  (registers the event words)
from incident.labels import LABELS

LABELS.update({
    "agreement_status": {"draft": "draft", "in_review": "in legal review", "returned": "returned with comments",
                         "approved": "approved", "signed": "signed", "sealed": "sealed", "void": "void"},
    "payment_kind": {"none": "no payment", "compensation": "compensation (补偿, no admission of fault)",
                     "indemnity": "indemnity (赔偿)"},
    "id_display": {"masked": "masked", "full": "in full"},
    "verdict": {"intact": "Intact and trusted: sealed by this organisation and unchanged since",
                "modified": "Modified after sealing: do not rely on this file",
                "unknown_signer": "Unknown signer: not sealed by this organisation's certificate",
                "unsigned": "Not sealed: the PDF carries no digital signature",
                "not_pdf": "Not a PDF file",
                # -- files and rows commit together (issue 17)
                "not_on_record": "Intact, but not a sealed agreement on record: this system never "
                                 "sealed this file for an agreement it holds"},
    "batch_status": {"running": "running", "done": "done", "cancelled": "cancelled", "failed": "failed",
                     "interrupted": "interrupted", "abandoned": "abandoned"},
    # -- durable batches (issue 17)
    "batch_kind": {"generate": "Generate and submit for review", "seal": "Seal all signed"},
    "batch_item_status": {"pending": "not yet processed", "done": "done", "failed": "failed"},
    "batch_reason": {"has_agreement": "already has an agreement (%(ref)s)",
                     "not_signed": "no longer signed (now %(status)s)",
                     "terms_changed": "the terms changed while the batch ran",
                     "sealing_failed": "sealing failed: %(detail)s"},
    "clause": {"non_admission": "Non-admission (with compensation, 补偿)", "indemnity": "Indemnity (赔偿)",
               "performance": "Performance", "withdrawal": "Withdrawal of the complaint",
               "confidentiality": "Confidentiality", "dispute_resolution": "Dispute resolution"},
})

# -- durable batches (issue 17)
LABELS["event"].update({
    "agreement.batch_interrupted": "agreement batch interrupted (its process stopped)",
    "agreement.batch_resumed": "agreement batch resumed",
    "agreement.batch_abandoned": "agreement batch abandoned",
})
