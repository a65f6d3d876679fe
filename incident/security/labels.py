"""Labels of the security log's vocabulary, added to the shared label table (translated in .po)."""
from __future__ import annotations

from incident.labels import LABELS

LABELS.update({
    "security_kind": {
        "login_failed": "failed login", "login_throttled": "login held back (too many failures)",
        "denied": "request refused (401/403)", "not_found": "unknown or foreign id (404)",
        "csrf_refused": "request without a valid CSRF token", "socket_refused": "live connection refused",
        "contact_revealed": "contact number revealed", "id_document_downloaded": "document with full ID numbers opened",
    },
    "security_reason": {
        "unknown_user": "unknown user name", "wrong_password": "wrong password", "disabled": "account disabled",
        "malformed": "malformed form", "account": "too many failures on the account",
        "address": "too many failures from this address", "device": "too many failures from this device",
        "unauthenticated": "not logged in", "forbidden": "not allowed", "not_found": "not found",
        "invalid": "invalid payload", "throttled": "too many events", "too_large": "message too large",
        "unknown_event": "unknown event",
    },
    # The permission a refused request needed (incident/access/permissions.py Action values).
    "security_action": {
        "incident.open": "open an incident",
        "incident.list": "list incidents",
        "user.manage": "manage users",
        "lexicon.edit": "edit risk keywords",
        "security.view": "view the security log",
        "incident.view": "view the incident",
        "intake.edit": "edit the intake record",
        "readback.confirm": "confirm the read-back",
        "note.add": "add a note",
        "incident.escalate": "escalate",
        "incident.close": "change the status",
        "taskgroup.change": "change the task group",
        "recording.consent": "record consent to recording",
        "recording.add": "add a recording",
        "claimant.edit": "edit claimants",
        "contact.reveal": "reveal a contact number",
        "representative.edit": "edit representatives",
        "sample.draw": "draw a verification sample",
        "sample.record": "record a verification outcome",
        "demand.edit": "edit demand items",
        "demand.offer": "make an offer",
        "ceiling.set": "set a legal ceiling",
        "indemnity.approve": "approve an indemnity",
        "playbook.manage": "manage playbooks",
        "step.tick": "tick a checklist step",
        "agreement.draft": "draft an agreement",
        "agreement.review": "review an agreement",
        "agreement.sign": "record a signature",
        "agreement.seal": "seal an agreement",
        "template.edit": "edit agreement templates",
    },
    "security_document": {"agreement_preview": "agreement draft (PDF)", "sealed_agreement": "sealed agreement (PDF)"},
})
# Request fields the security features name in their errors.
LABELS["field"].update({"next": "redirect target", "since": "from (day)", "until": "to (day)",
                        "user": "user", "kind": "kind", "before": "older than", "event": "live event",
                        "data": "message", "incident_id": "incident"})
