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
    "security_document": {"agreement_preview": "agreement draft (PDF)", "sealed_agreement": "sealed agreement (PDF)"},
})
# Request fields the security features name in their errors.
LABELS["field"].update({"next": "redirect target", "since": "from (day)", "until": "to (day)",
                        "user": "user", "kind": "kind", "before": "older than", "event": "live event",
                        "data": "message", "incident_id": "incident"})
