"""The public projection: a whitelist of what anyone holding a code may see — and nothing else.

Built field by field from named columns (never by serialising a row): the stage and its names, the
updates staff published *as public*, when the next update is due. A claimant's code adds their own
name masked (姓 + *), their demand items (type, status, amount, deadline) and registry status. No
internal note, staff name, other claimant, contact detail or free-text field of the staff record
passes through here; tests/public/test_projection.py renders every public page and answer for an
incident full of private and hostile data and finds none of it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.labels import label
from incident.public.models import CodeKind, PublicCode
from incident.public.service import DEFAULT_STAGES, state_of, updates

Say = Callable[..., str]


def mask_name(name: str) -> str:
    """姓 + * : the first character, then one star (a single-character name keeps only its star)."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else "*"


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def stage_names(names: list[str], _: Say) -> list[str]:
    """The incident's own stage names, or the translated defaults."""
    if isinstance(names, list) and len(names) == len(DEFAULT_STAGES):
        return [str(n) for n in names]
    return [_(n) for n in DEFAULT_STAGES]


def incident_view(session: Session, incident_id: int, _: Say, now: datetime | None = None) -> dict[str, Any]:
    """What an incident code shows: stage, published updates, next update due (late or not)."""
    from incident.models import Incident
    inc = session.get(Incident, incident_id)
    st = state_of(session, incident_id)
    now = now or clock.now()
    due = st.next_update_due
    names = stage_names(st.stage_names, _)
    return {
        "case": inc.ref if inc is not None else "",
        "stage": {"index": st.stage, "name": names[st.stage], "count": len(names)},
        "stages": names,
        "updates": [{"id": u.id, "text": u.text, "at": u.published_at.isoformat(), "stage": names[u.stage]}
                    for u in updates(session, incident_id)],
        "next_update_due": _iso(due),
        "late": bool(due is not None and due < now),
        "concluded": st.stage == len(names) - 1,
        "closed": inc is not None and inc.status == "closed",  # no registering on a closed case
    }


def claimant_view(session: Session, claimant_id: int, _: Say) -> dict[str, Any]:
    """What a claimant code adds: the claimant's masked name, registry status and own demand items."""
    from incident.crowd.claimants.models import Claimant
    from incident.crowd.demands.models import DemandItem
    c = session.get(Claimant, claimant_id)
    if c is None:
        return {"name": "*", "status": "", "items": []}
    items = session.scalars(select(DemandItem).where(DemandItem.claimant_id == c.id).order_by(DemandItem.id))
    return {
        "name": mask_name(c.name),
        "status": label(_, "claimant_status", c.status),
        "items": [{"id": i.id, "type": label(_, "demand_type", i.type), "status": label(_, "item_status", i.status),
                   "status_key": i.status, "amount": i.amount, "deadline": _iso(i.deadline)} for i in items],
    }


def survey_open(session: Session, claimant_id: int) -> bool:
    """True while the claimant holds an unused, unrevoked survey link."""
    return session.scalar(select(PublicCode.id).where(
        PublicCode.claimant_id == claimant_id, PublicCode.kind == CodeKind.SURVEY.value,
        PublicCode.used_at.is_(None), PublicCode.revoked_at.is_(None)).limit(1)) is not None
