"""Record security events: a row in `security_events` and, once committed, one JSON line in the
instance's `security.log` (rotated, safe for several server processes writing at once).

What a record may hold is fixed here, so that no personal data can slip in: the kind, the staff
user, the client address, an incident id, a status and a few whitelisted detail fields (ids,
names of routes, events and reasons — never free text a user typed, never a query string).
"""
from __future__ import annotations

import json
import logging
import threading
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from incident import clock
from incident.security.models import SecurityEvent

_log = logging.getLogger("concord.security")
_log.propagate = False
_lock = threading.Lock()
_KEY = "concord.security_lines"
MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 10


class Kind(StrEnum):
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    DENIED = "denied"  # 401 / 403 on an authenticated route
    NOT_FOUND = "not_found"  # an id that does not exist or belongs to another incident
    CSRF_REFUSED = "csrf_refused"
    SOCKET_REFUSED = "socket_refused"
    CONTACT_REVEALED = "contact_revealed"
    ID_DOCUMENT = "id_document_downloaded"  # a PDF that prints ID numbers in full


# Whitelisted detail fields: name -> type; strings are cut to 120 characters.
DETAIL: dict[str, type] = {
    "method": str, "path": str, "endpoint": str, "action": str, "field": str, "error": str,
    "event": str, "reason": str, "counter": str, "retry_after": int, "claimant_id": int,
    "agreement_id": int, "agreement_ref": str, "document": str, "size": int, "suppressed": int,
}


def _clean(detail: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in detail.items():
        kind = DETAIL.get(key)
        if kind is None:
            raise ValueError(f"security log: {key!r} is not a whitelisted detail field")
        if value is None:
            continue
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"security log: {key} must be an integer")
            out[key] = value if -2**63 < value < 2**63 else None
        else:
            out[key] = str(value)[:120]
    return out


def record(session: Session, *, kind: Kind | str, user_id: int | None = None, user_name: str = "",
           address: str = "", incident_id: Any = None, status: int | None = None,
           **detail: Any) -> SecurityEvent:
    """Add one security event to the session's transaction; its log line is written after commit."""
    kind = Kind(kind)
    if not (isinstance(incident_id, int) and not isinstance(incident_id, bool)
            and 0 < incident_id < 2**31):
        incident_id = None  # out-of-range ids are kept in the detail's path, not as a number
    row = SecurityEvent(at=clock.now(), kind=kind.value, user_id=user_id, user_name=(user_name or "")[:120],
                        address=(address or "")[:64], incident_id=incident_id, status=status,
                        detail=_clean(detail))
    session.add(row)
    session.flush()
    session.info.setdefault(_KEY, []).append(row.to_dict())
    return row


def configure_file(path: Path | None) -> None:
    """Write committed events as JSON lines to *path* (rotated at 10 MB, 10 files kept); None: no file.

    The handler locks the file for each write and each rotation, so several server processes and
    the scheduler can share one log.
    """
    with _lock:
        for handler in list(_log.handlers):
            _log.removeHandler(handler)
            handler.close()
        if path is None:
            return
        from concurrent_log_handler import ConcurrentRotatingFileHandler
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = ConcurrentRotatingFileHandler(str(path), maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                encoding="utf-8", use_gzip=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
        _log.addHandler(handler)
        _log.setLevel(logging.INFO)


@sa_event.listens_for(Session, "after_commit")
def _write(session: Session) -> None:
    for line in session.info.pop(_KEY, []):
        try:
            _log.info(json.dumps(line, ensure_ascii=False, sort_keys=True))
        except Exception:  # pragma: no cover - a full disk must not undo a committed change
            logging.getLogger(__name__).exception("security log line not written")


@sa_event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
