"""Append-only, hash-chained incident timeline: the audit trail, the live feed and the export source."""
from incident.timeline.models import Event
from incident.timeline.service import list_since, record
from incident.timeline.verify import ChainReport, verify_chain
from incident.timeline import wording as _wording  # noqa: F401,E402  (registers the core's event words)

__all__ = ["Event", "record", "list_since", "verify_chain", "ChainReport"]
