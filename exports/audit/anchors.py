"""The timeline head a PDF was anchored to, and whether it still lies on the incident's chain.

Sealed agreements and incident reports print the incident's head hash and carry it, machine-readable,
as /ConcordAnchor in the document catalog (incident id and ref, sequence number, head hash): inside the
signed revision of a sealed agreement, so it cannot be changed without breaking the seal. A chain
rewritten consistently in the database (every hash recomputed) or cut short no longer has that hash
at that sequence number — which only a copy held outside the database can show.
"""
from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.signing.pdf_limits import check_pdf
from incident.models import Incident
from incident.timeline.models import Event


@dataclass
class Anchor:
    kind: str            # agreement | report
    ref: str             # agreement number, or the incident ref for a report
    incident_id: int
    incident_ref: str
    seq: int
    head: str


@dataclass
class AnchorCheck:
    anchor: Anchor
    on_chain: bool
    detail: str
    reason: str = "on_chain"  # on_chain | unknown_incident | missing_event | rewritten

    def to_dict(self) -> dict[str, Any]:
        return asdict(self.anchor) | {"on_chain": self.on_chain, "detail": self.detail, "reason": self.reason}


def read_anchor(data: bytes) -> Anchor | None:
    """The /ConcordAnchor of a PDF, or None when it carries none (or is not a readable PDF)."""
    if not data.startswith(b"%PDF-"):
        return None
    check_pdf(data)  # ValidationError beyond the limits, before pyHanko reads it
    try:
        root = PdfFileReader(io.BytesIO(data), strict=False).root
        raw = root.get("/ConcordAnchor")
        if raw is None:
            return None
        d = raw.get_object()
        return Anchor(kind=str(d["/Kind"]), ref=str(d["/Ref"]), incident_id=int(str(d["/Incident"])),
                      incident_ref=str(d["/IncidentRef"]), seq=int(str(d["/Seq"])), head=str(d["/Head"]))
    except Exception:  # a damaged file or a foreign /ConcordAnchor: no anchor to check
        return None


def hash_at(session: Session, incident_id: int, seq: int) -> str | None:
    """The stored hash of event #seq of an incident, or None when there is no such event."""
    return session.scalar(select(Event.hash).where(Event.incident_id == incident_id, Event.seq == seq))


def check_anchor(session: Session, anchor: Anchor) -> AnchorCheck:
    """Does the anchored head still lie on the incident's chain, at the recorded sequence number?"""
    inc = session.get(Incident, anchor.incident_id) if 0 < anchor.incident_id < 2**31 else None
    if inc is None or inc.ref != anchor.incident_ref:
        return AnchorCheck(anchor, False, f"incident {anchor.incident_ref} (id {anchor.incident_id}) is not in "
                                          "this instance", "unknown_incident")
    found = hash_at(session, inc.id, anchor.seq)
    if found is None:
        return AnchorCheck(anchor, False, f"the chain has no event #{anchor.seq} (it ends at #{inc.last_seq}): "
                                          "events were removed", "missing_event")
    if found != anchor.head:
        return AnchorCheck(anchor, False, f"event #{anchor.seq} now hashes to {found[:16]}…, the document "
                                          f"recorded {anchor.head[:16]}…: the chain was rewritten", "rewritten")
    return AnchorCheck(anchor, True, f"event #{anchor.seq} still has the recorded hash")


def check_pdf_anchor(session: Session, data: bytes) -> AnchorCheck | None:
    """Read a PDF's anchor and check it; None when the PDF carries no anchor."""
    anchor = read_anchor(data)
    return None if anchor is None else check_anchor(session, anchor)
