"""The closing vocabulary and event names, added to the shared label table (English msgids)."""
from __future__ import annotations

from incident.closing import wording as _wording  # noqa: F401  (registers the event words)
from incident.labels import LABELS

LABELS["status"]["resolved"] = "resolved"
LABELS.update({
    "improvement_status": {"open": "open", "done": "done", "dropped": "dropped"},
    "handling": {"first_contact": "first contact", "formation": "task group formed",
                 "written_reply": "written reply issued", "resolution": "resolved", "close": "closed"},
})
LABELS["event"].update({
    "closing.signed_off": "seat signed off for closing", "closing.item_closed": "demand item closed with a reason", "closing.gate_overridden": "closing gate overridden",
    "archive.updated": "archive record edited", "archive.recorded": "case archived",
    "archive.improvement_added": "improvement action added",
    "archive.improvement_updated": "improvement action updated",
    "archive.improvement_overdue": "improvement action overdue",
})
LABELS["field"].update({"gate": "closing gate", "override_reason": "reason for the override",
                        "problem_type_id": "problem type", "root_cause": "root cause", "title": "title",
                        "due_on": "due date", "parent_id": "problem group", "active": "in use"})
# -- ledger, closing gate and archive (issue 13): what the new actions let one do
LABELS["action"].update({
    "payment.record": "record a payment", "payment.waive": "waive a payment",
    "close.sign_off": "sign off for closing", "gate.override": "override the closing gate",
    "archive.edit": "edit the archive record", "improvement.update": "update improvement actions",
    "problem_type.edit": "edit the problem types"})
