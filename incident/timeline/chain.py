"""Canonical encoding and hashing of one event; shared by record() and verify()."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


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
        "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "payload": payload,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(prev_hash: str, body: bytes) -> str:
    """SHA-256 over the previous hash followed by the canonical body."""
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
