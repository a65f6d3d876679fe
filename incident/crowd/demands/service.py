"""The split demand: templates applied to the crowd, per-claimant overrides and each item's lifecycle.

open → offered → accepted / rejected (→ offered again: the next rung of the ladder) ;
accepted → fulfilled → confirmed (by the claimant). One timeline event per call, a history row per item.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from incident import clock, service, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.crowd.claimants.models import Claimant
from incident.crowd.demands import ceilings
from incident.crowd.demands.fields import (
    attribute_amounts,
    parse_amount,
    parse_deadline,
    parse_text,
    parse_type,
    parse_version,
    yuan,
)
from incident.crowd.demands.models import (
    DemandHistory,
    DemandItem,
    DemandOffer,
    DemandTemplate,
    ItemStatus,
    OfferOutcome,
)
from incident.enums import DemandType
from incident.errors import Conflict, NotFound, ValidationError
from incident.models import Incident

S = ItemStatus
# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "offer": (frozenset({S.OPEN, S.REJECTED}), S.OFFERED),
    "accept": (frozenset({S.OFFERED}), S.ACCEPTED),
    "reject": (frozenset({S.OFFERED}), S.REJECTED),
    "fulfil": (frozenset({S.ACCEPTED}), S.FULFILLED),
    "confirm": (frozenset({S.FULFILLED}), S.CONFIRMED),
}
OVERRIDABLE = frozenset({S.OPEN, S.REJECTED})


def _iso(dt: Any) -> str | None:
    return dt.isoformat() if dt else None


def template_dict(t: DemandTemplate) -> dict[str, Any]:
    return {"id": t.id, "type": t.type, "remedy": t.remedy, "amount": t.amount, "owner": t.owner,
            "deadline": _iso(t.deadline), "segment": t.segment, "version": t.version,
            "created_at": t.created_at.isoformat()}


def create_template(session: Session, *, actor: Actor, incident_id: int, data: dict[str, Any]) -> DemandTemplate:
    """Create a demand for all claimants (segment "") or one segment: one item per claimant."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_EDIT)
    dtype = parse_type(data.get("type"))
    remedy = parse_text(data.get("remedy"), "remedy", 2000)
    amount = parse_amount(data.get("amount"))
    amount_from = parse_text(data.get("amount_from"), "amount_from", 80)  # an import column (issue 11)
    if not remedy and amount is None and not amount_from:
        raise ValidationError("give a remedy, an amount or both", field="remedy")
    owner = parse_text(data.get("owner"), "owner", 120, required=True)
    deadline = parse_deadline(data.get("deadline"))
    segment = parse_text(data.get("segment"), "segment", 120)
    q = select(Claimant.id).where(Claimant.incident_id == inc.id,  # -- issue 15: not the unconfirmed
                                  Claimant.status.notin_(("withdrawn", "pending", "rejected")))
    if segment:
        q = q.where(Claimant.segment == segment)
    claimant_ids = list(session.scalars(q.order_by(Claimant.id)))
    if not claimant_ids:
        raise ValidationError("no claimants in this scope", field="segment")
    amounts = attribute_amounts(session, claimant_ids, amount_from) if amount_from else {}
    now = clock.now()
    t = DemandTemplate(incident_id=inc.id, type=dtype, remedy=remedy, amount=amount, owner=owner,
                       deadline=deadline, segment=segment, created_at=now, created_by_id=actor.user_id,
                       version=1)
    session.add(t)
    session.flush()
    items = [DemandItem(incident_id=inc.id, template_id=t.id, claimant_id=cid, type=dtype, remedy=remedy,
                        amount=amounts.get(cid, amount), owner=owner, deadline=deadline, overrides=[], status=S.OPEN.value,
                        updated_at=now, version=1) for cid in claimant_ids]
    session.add_all(items)
    session.flush()
    session.add_all(DemandHistory(item_id=it.id, at=now, actor_id=actor.user_id, actor_name=actor.name,
                                  action="created", to_status=S.OPEN.value, detail={}) for it in items)
    timeline.record(session, inc, "demand.template_created", actor, {
        "template": template_dict(t), "item_count": len(items), "claimant_ids": claimant_ids, "amount_from": amount_from,
        "summary": f"{dtype} · {remedy[:80]} {yuan(amount)} · {owner}".strip()})
    return t


def get_item(session: Session, incident_id: int, item_id: Any, *, lock: bool = False) -> DemandItem:
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise NotFound("no such demand item", field="item_id")
    it = session.get(DemandItem, item_id, with_for_update=lock or None)
    if it is None or it.incident_id != incident_id:
        raise NotFound("no such demand item", field="item_id")
    return it


def get_template(session: Session, incident_id: int, template_id: Any) -> DemandTemplate:
    if not isinstance(template_id, int) or isinstance(template_id, bool):
        raise NotFound("no such demand template", field="template_id")
    t = session.get(DemandTemplate, template_id)
    if t is None or t.incident_id != incident_id:
        raise NotFound("no such demand template", field="template_id")
    return t


def _check_version(it: DemandItem, expected: Any) -> None:
    if parse_version(expected) != it.version:
        raise Conflict("the demand item was changed by someone else; reload and try again",
                       field="version", current_version=it.version)


def _history(session: Session, actor: Actor, it: DemandItem, action: str, before: str,
             detail: dict[str, Any]) -> None:
    session.add(DemandHistory(item_id=it.id, at=clock.now(), actor_id=actor.user_id, actor_name=actor.name,
                              action=action, from_status=before, to_status=it.status, detail=detail))


def override_item(session: Session, *, actor: Actor, incident_id: int, item_id: Any,
                  data: dict[str, Any]) -> DemandItem:
    """Set this claimant's own amount, remedy, owner or deadline (before an offer is pending or accepted)."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_EDIT)
    it = get_item(session, inc.id, item_id)
    _check_version(it, data.get("version"))
    if it.status not in OVERRIDABLE:
        raise Conflict(f"a {it.status} item cannot be changed", field="status")
    parsers = {"amount": parse_amount, "remedy": lambda v: parse_text(v, "remedy", 2000),
               "owner": lambda v: parse_text(v, "owner", 120, required=True), "deadline": parse_deadline}
    changes = {k: parsers[k](data[k]) for k in parsers if k in data}
    if not changes:
        raise ValidationError("nothing to change: send amount, remedy, owner or deadline", field="body")
    diff = {}
    for k, v in changes.items():
        old = getattr(it, k)
        if old != v:
            diff[k] = {"from": _iso(old) if k == "deadline" else old, "to": _iso(v) if k == "deadline" else v}
            setattr(it, k, v)
    if not it.remedy and it.amount is None:
        raise ValidationError("give a remedy, an amount or both", field="remedy")
    if not diff:
        return it
    it.overrides = sorted(set(it.overrides or []) | set(diff))
    voided = bool(it.indemnity_approved_at and "amount" in diff)
    if voided:  # legal approved another amount: the new one needs its own approval
        it.indemnity_approved_at, it.indemnity_approved_by_id = None, None
    it.version += 1
    it.updated_at = clock.now()
    _history(session, actor, it, "overridden", it.status, {"diff": diff, "approval_voided": voided})
    session.flush()
    timeline.record(session, inc, "demand.item_overridden", actor, {
        "item_id": it.id, "claimant_id": it.claimant_id, "diff": diff, "approval_voided": voided})
    return it


def _move(it: DemandItem, action: str) -> str:
    starts, target = TRANSITIONS[action]
    if it.status not in starts:
        raise Conflict(f"cannot {action} an item that is {it.status}", field="status", status=it.status)
    before, it.status = it.status, target.value if hasattr(target, "value") else target
    it.version += 1
    it.updated_at = clock.now()
    return before


def _make_offer(session: Session, actor: Actor, inc: Incident, it: DemandItem, amount: str | None,
                remedy: str, caps: dict[str, Any] | None = None) -> DemandOffer:
    if it.type == DemandType.INDEMNITY.value and it.indemnity_approved_at is None:
        raise Conflict(f"indemnity (赔偿) item #{it.id} needs the legal seat's approval before it is offered",
                       field="indemnity_approval", item_id=it.id)
    amount = amount if amount is not None else it.amount
    remedy = remedy or it.remedy
    ceilings.check_offer(session, inc.id, it.type, amount, caps)
    before = _move(it, "offer")
    offer = DemandOffer(step=len(it.offers) + 1, remedy=remedy, amount=amount, offered_at=clock.now(),
                        offered_by_id=actor.user_id, offered_by_name=actor.name,
                        outcome=OfferOutcome.PENDING.value)
    it.offers.append(offer)
    _history(session, actor, it, "offered", before, {"step": offer.step, "amount": amount, "remedy": remedy})
    return offer


def offer_item(session: Session, *, actor: Actor, incident_id: int, item_id: Any,
               data: dict[str, Any]) -> DemandItem:
    """Put the next rung of the ladder to the claimant (never above the ceiling; 赔偿 needs approval)."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_OFFER)
    it = get_item(session, inc.id, item_id)
    _check_version(it, data.get("version"))
    amount = parse_amount(data.get("amount"))
    remedy = parse_text(data.get("remedy"), "remedy", 2000)
    offer = _make_offer(session, actor, inc, it, amount, remedy)
    session.flush()
    timeline.record(session, inc, "demand.offered", actor, {
        "item_ids": [it.id], "claimant_id": it.claimant_id, "type": it.type, "step": offer.step,
        "amount": offer.amount, "remedy": offer.remedy,
        "summary": f"{it.type} {yuan(offer.amount)} {offer.remedy[:80]}".strip()})
    return it


def offer_template(session: Session, *, actor: Actor, incident_id: int, template_id: Any,
                   data: dict[str, Any]) -> list[DemandItem]:
    """Offer every open or rejected item of a template at once (all or nothing)."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_OFFER)
    t = get_template(session, inc.id, template_id)
    amount = parse_amount(data.get("amount"))
    remedy = parse_text(data.get("remedy"), "remedy", 2000)
    items = list(session.scalars(select(DemandItem).options(selectinload(DemandItem.offers)).where(
        DemandItem.template_id == t.id, DemandItem.status.in_([S.OPEN.value, S.REJECTED.value]))
        .order_by(DemandItem.id)))
    if not items:
        raise Conflict("no open or rejected items to offer in this template", field="template_id")
    caps = ceilings.ceilings(session, inc.id)
    offers = [_make_offer(session, actor, inc, it, amount, remedy, caps) for it in items]
    session.flush()
    timeline.record(session, inc, "demand.offered", actor, {
        "template_id": t.id, "item_ids": [it.id for it in items], "type": t.type,
        "amount": amount, "remedy": remedy, "steps": sorted({o.step for o in offers}),
        "summary": f"{t.type} × {len(items)} {yuan(amount or t.amount)} {(remedy or t.remedy)[:80]}".strip()})
    return items


def decide(session: Session, *, actor: Actor, incident_id: int, item_id: Any, data: dict[str, Any]) -> DemandItem:
    """Record the claimant's answer to the pending offer: accepted or rejected."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_OFFER)
    it = get_item(session, inc.id, item_id)
    decision = data.get("decision")
    if decision not in ("accepted", "rejected"):
        raise ValidationError("decision must be accepted or rejected", field="decision")
    note = parse_text(data.get("note"), "note", 2000)
    _check_version(it, data.get("version"))
    before = _move(it, "accept" if decision == "accepted" else "reject")
    offer = it.current_offer
    assert offer is not None  # an offered item always has its pending offer
    offer.outcome, offer.decided_at, offer.note = decision, clock.now(), note
    _history(session, actor, it, decision, before, {"step": offer.step, "note": note})
    session.flush()
    timeline.record(session, inc, f"demand.{decision}", actor, {
        "item_id": it.id, "claimant_id": it.claimant_id, "type": it.type, "step": offer.step,
        "amount": offer.amount, "note": note, "from": before, "to": it.status})
    return it


def fulfil(session: Session, *, actor: Actor, incident_id: int, item_id: Any, data: dict[str, Any]) -> DemandItem:
    """Mark an accepted item as carried out by its owner."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_OFFER)
    it = get_item(session, inc.id, item_id)
    note = parse_text(data.get("note"), "note", 2000)
    _check_version(it, data.get("version"))
    before = _move(it, "fulfil")
    _history(session, actor, it, "fulfilled", before, {"note": note})
    session.flush()
    timeline.record(session, inc, "demand.fulfilled", actor, {
        "item_id": it.id, "claimant_id": it.claimant_id, "note": note, "from": before, "to": it.status})
    return it


def confirm(session: Session, *, actor: Actor, incident_id: int, item_id: Any, data: dict[str, Any]) -> DemandItem:
    """Record that the claimant confirmed the fulfilment (who confirmed, by name)."""
    inc = service.load_for(session, actor, incident_id, Action.DEMAND_OFFER)
    it = get_item(session, inc.id, item_id)
    by = parse_text(data.get("confirmed_by"), "confirmed_by", 120)
    _check_version(it, data.get("version"))
    before = _move(it, "confirm")
    if not by:
        by = session.scalar(select(Claimant.name).where(Claimant.id == it.claimant_id)) or ""
    it.confirmed_by = by
    _history(session, actor, it, "confirmed", before, {"confirmed_by": by})
    session.flush()
    timeline.record(session, inc, "demand.confirmed", actor, {
        "item_id": it.id, "claimant_id": it.claimant_id, "confirmed_by": by, "from": before, "to": it.status})
    return it


def approve(session: Session, *, actor: Actor, incident_id: int, item_ids: Iterable[Any], note: Any = "") -> list[DemandItem]:
    """Legal's approval of indemnity items (by id)."""
    items = [get_item(session, incident_id, i) for i in item_ids]
    return ceilings.approve_indemnity(session, actor=actor, incident_id=incident_id, items=items, note=note)


def approve_template(session: Session, *, actor: Actor, incident_id: int, template_id: Any,
                     note: Any = "") -> list[DemandItem]:
    """Legal's approval of every not-yet-approved indemnity item of a template."""
    t = get_template(session, incident_id, template_id)
    items = list(session.scalars(select(DemandItem).where(
        DemandItem.template_id == t.id, DemandItem.indemnity_approved_at.is_(None)).order_by(DemandItem.id)))
    if t.type != DemandType.INDEMNITY.value:
        items = [t]  # type: ignore[list-item]  # approve_indemnity names the wrong type
    return ceilings.approve_indemnity(session, actor=actor, incident_id=incident_id, items=items, note=note)
