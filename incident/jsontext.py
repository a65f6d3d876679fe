"""The one JSON text Concord writes: sorted keys, no spaces, UTF-8 as is.

The timeline's payload column is stored in this form (incident.db.CanonicalJSON), and the timeline's
canonical encoding of an event is the same form, so a stored payload is byte for byte what was hashed
and chain verification can hash the stored text without decoding and re-encoding it.
"""
from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    return _ENCODER.encode(value)
