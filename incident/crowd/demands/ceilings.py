"""The legal seat's guard rails: compliance ceilings on offers, and approval of indemnity (赔偿) items."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.demands.fields import parse_amount, parse_text, parse_type, yuan
from incident.crowd.demands.models import (
    ANY_TYPE,
    ComplianceCeiling,
    DemandHistory,
    DemandItem,
)
from incident.enums import DemandType
from incident.errors import Conflict, ValidationError


def ceilings(session: Session, incident_id: int) -> dict[str, ComplianceCeiling]:
    """The incident's ceilings by demand type ("*" = every type)."""
    rows = session.scalars(select(ComplianceCeiling).where(ComplianceCeiling.incident_id == incident_id))
    return {r.demand_type: r for r in rows}


def ceiling_dict(c: ComplianceCeiling) -> dict[str, Any]:
    return {"demand_type": c.demand_type, "amount": c.amount, "note": c.note, "set_by": c.set_by_name,
            "set_at": c.set_at.isoformat()}


def binding(caps: dict[str, ComplianceCeiling], demand_type: str) -> ComplianceCeiling | None:
    """The tightest of the ceilings that bind an offer of this type, if any."""
    found = [c for t, c in caps.items() if t in (demand_type, ANY_TYPE)]
    return min(found, key=lambda c: Decimal(c.amount), default=None)



def check_offer(session: Session, incident_id: int, demand_type: str, amount: str | None,
                caps: dict[str, ComplianceCeiling] | None = None) -> None:
    """Refuse an offer above the compliance ceiling, naming the ceiling and its amount."""
    if amount is None:
        return
    c = binding(ceilings(session, incident_id) if caps is None else caps, demand_type)
    if c is not None and Decimal(amount) > Decimal(c.amount):
        # -- board (issue 12): a template with its values, so the reader gets it in their language
        from incident.labels import LABELS
        scope = "every demand type" if c.demand_type == ANY_TYPE else \
            LABELS["demand_type"].get(c.demand_type, c.demand_type)
        err = ValidationError(
            "offer of %(offer)s exceeds the compliance ceiling of %(limit)s for %(scope)s set by legal",
            field="amount", offer=yuan(amount), limit=yuan(c.amount), scope=scope, ceiling=c.amount,
            ceiling_type=c.demand_type)
        err.translated = ("scope",)
        raise err


def set_ceiling(session: Session, *, actor: Actor, incident_id: int, demand_type: Any, amount: Any,
                note: Any = "") -> ComplianceCeiling:
    """Set (or change) a ceiling; only the legal seat may."""
    inc = service.load_for(session, actor, incident_id, Action.CEILING_SET)
    dtype = ANY_TYPE if demand_type == ANY_TYPE else parse_type(demand_type, "demand_type")
    value = parse_amount(amount, "amount", required=True)
    note = parse_text(note, "note", 1000)
    row = ceilings(session, inc.id).get(dtype)
    before = row.amount if row else None
    if row is None:
        row = ComplianceCeiling(incident_id=inc.id, demand_type=dtype, amount=value)
        session.add(row)
    row.amount, row.note, row.set_at = value, note, clock.now()
    row.set_by_id, row.set_by_name = actor.user_id, actor.name
    session.flush()
    timeline.record(session, inc, "demand.ceiling_set", actor, {
        "demand_type": dtype, "from": before, "to": value, "note": note,
        "summary": f"{dtype}: {yuan(value)}"})
    return row


def approve_indemnity(session: Session, *, actor: Actor, incident_id: int, items: Iterable[DemandItem],
                      note: Any = "") -> list[DemandItem]:
    """Legal approves indemnity (赔偿) items so that they may be offered."""
    inc = service.load_for(session, actor, incident_id, Action.INDEMNITY_APPROVE)
    note = parse_text(note, "note", 1000)
    items = list(items)
    if not items:
        raise ValidationError("nothing to approve", field="item_id")
    for it in items:
        if it.incident_id != inc.id:
            raise ValidationError("item of another incident", field="item_id")
        if it.type != DemandType.INDEMNITY.value:
            raise Conflict(f"item #{it.id} is not an indemnity (赔偿) item", field="type")
        if it.indemnity_approved_at is not None:
            raise Conflict(f"item #{it.id} is already approved", field="item_id")
    now = clock.now()
    for it in items:
        it.indemnity_approved_at, it.indemnity_approved_by_id = now, actor.user_id
        it.version += 1
        it.updated_at = now
        session.add(DemandHistory(item_id=it.id, at=now, actor_id=actor.user_id, actor_name=actor.name,
                                  action="indemnity_approved", from_status=it.status, to_status=it.status,
                                  detail={"note": note}))
    session.flush()
    timeline.record(session, inc, "demand.indemnity_approved", actor, {
        "item_ids": [it.id for it in items], "note": note, "summary": f"{len(items)}"})
    return items
