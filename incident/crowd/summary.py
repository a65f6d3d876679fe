"""The crowd board as one JSON-able view: counts, segments, warnings, representatives, a page of claimants."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident.attachments import Attachment
from incident.crowd.board import RepView, representative_warnings
from incident.crowd.claimants import service as claimants
from incident.crowd.claimants.models import Claimant
from incident.crowd.representatives import service as representatives
from incident.crowd.representatives.models import Representative
from incident.models import Incident


def representative_dict(session: Session, rep: Representative) -> dict[str, Any]:
    c = session.get(Claimant, rep.claimant_id)
    att = session.get(Attachment, rep.mandate_attachment_id) if rep.mandate_attachment_id else None
    return {
        "id": rep.id, "claimant_id": rep.claimant_id, "name": c.name if c else "",
        "unit": c.unit if c else "", "phone": c.phone_masked if c else "", "mandate": rep.mandate,
        "mandate_document": att.to_dict() if att else None, "status": rep.status,
        "elected_at": rep.elected_at.isoformat(),
        "ended_at": rep.ended_at.isoformat() if rep.ended_at else None,
        "replaced_by_id": rep.replaced_by_id, "coverage": representatives.coverage_dict(rep),
        "covered_count": len(representatives.covered_claimants(session, rep)),
        "signs_for": len(representatives.mandate_covers(session, rep.id)),
        "history": [{"action": h.action, "reason": h.reason, "actor": h.actor_name,
                     "at": h.at.isoformat()} for h in rep.history],
        "version": rep.version,
    }


def crowd_view(session: Session, inc: Incident, limit: int = 200) -> dict[str, Any]:
    """Everything the crowd section shows; contact numbers masked."""
    counts = dict(session.execute(select(Claimant.status, func.count(Claimant.id))
                                  .where(Claimant.incident_id == inc.id).group_by(Claimant.status)).all())
    segments = [{"segment": s, "active": n} for s, n in session.execute(
        select(Claimant.segment, func.count(Claimant.id))
        .where(Claimant.incident_id == inc.id, Claimant.status == "active")
        .group_by(Claimant.segment).order_by(Claimant.segment)).all()]
    active_reps = representatives.active(session, inc.id)
    views = [RepView(r.mandate, r.mandate_attachment_id is not None) for r in active_reps]
    active_n = int(counts.get("active", 0))
    rows = session.scalars(select(Claimant).where(Claimant.incident_id == inc.id)
                           .order_by(Claimant.status, Claimant.segment, Claimant.unit_key, Claimant.id)
                           .limit(limit))
    return {
        "incident_id": inc.id, "headcount": inc.headcount, "grade": inc.grade,
        "counts": {"active": active_n, "withdrawn": int(counts.get("withdrawn", 0)),
                   "settled": int(counts.get("settled", 0)), "total": sum(int(v) for v in counts.values())},
        "segments": segments,
        "warnings": representative_warnings(active_n, views),
        "representatives": [representative_dict(session, r) for r in representatives.all_of(session, inc.id)],
        "claimants": [claimants.to_dict(c) for c in rows], "limit": limit,
    }
