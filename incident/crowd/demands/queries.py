"""Read side of the split demand: item views, the group totals, and what settlements build on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from incident.crowd.claimants.models import Claimant
from incident.crowd.demands import ceilings
from incident.crowd.demands.models import (
    DemandHistory,
    DemandItem,
    DemandTemplate,
    ItemStatus,
    money,
)
from incident.enums import DemandType

AGREED = (ItemStatus.ACCEPTED.value, ItemStatus.FULFILLED.value, ItemStatus.CONFIRMED.value)


def money_kind(demand_type: str) -> str | None:
    """Which of the two a money amount is: 'compensation' (补偿, goodwill) or 'indemnity' (赔偿)."""
    if demand_type in (DemandType.COMPENSATION.value, DemandType.INDEMNITY.value):
        return demand_type
    return None


@dataclass(frozen=True)
class AcceptedItem:
    """An agreed demand item of one claimant, as a settlement agreement lists it."""

    item_id: int
    template_id: int
    claimant_id: int
    type: str                   # incident.enums.DemandType value
    kind: str | None            # 'compensation' (补偿) / 'indemnity' (赔偿) / None for other types
    remedy: str                 # the accepted offer's remedy text
    amount: Decimal | None      # the accepted offer's amount, CNY
    amount_text: str | None     # same, as the stored canonical string ("150.00")
    owner: str
    deadline: datetime | None   # performance deadline (aware UTC)
    status: str                 # accepted / fulfilled / confirmed
    accepted_at: datetime | None


def accepted_items_for_claimant(session: Session, incident_id: int, claimant_id: int) -> list[AcceptedItem]:
    """Items the claimant accepted (and later fulfilled/confirmed), with the accepted offer's terms."""
    items = session.scalars(select(DemandItem).options(selectinload(DemandItem.offers)).where(
        DemandItem.incident_id == incident_id, DemandItem.claimant_id == claimant_id,
        DemandItem.status.in_(AGREED)).order_by(DemandItem.id))
    out = []
    for it in items:
        o = it.accepted_offer
        amount = o.amount if o else it.amount
        out.append(AcceptedItem(item_id=it.id, template_id=it.template_id, claimant_id=it.claimant_id,
                                type=it.type, kind=money_kind(it.type), remedy=(o.remedy if o else it.remedy),
                                amount=money(amount), amount_text=amount, owner=it.owner,
                                deadline=it.deadline, status=it.status,
                                accepted_at=o.decided_at if o else None))
    return out


def item_dict(it: DemandItem, claimant: Claimant | None = None, history: list[DemandHistory] | None = None
              ) -> dict[str, Any]:
    cur = it.current_offer
    out = {"id": it.id, "template_id": it.template_id, "claimant_id": it.claimant_id,
           "claimant_name": claimant.name if claimant else "", "segment": claimant.segment if claimant else "",
           "type": it.type, "kind": money_kind(it.type), "remedy": it.remedy, "amount": it.amount,
           "owner": it.owner, "deadline": it.deadline.isoformat() if it.deadline else None,
           "status": it.status, "overrides": list(it.overrides or []), "version": it.version,
           "indemnity_approved": it.indemnity_approved_at is not None,
           "needs_approval": it.type == DemandType.INDEMNITY.value and it.indemnity_approved_at is None,
           "confirmed_by": it.confirmed_by, "offers": [o.to_dict() for o in it.offers],
           "current_offer": cur.to_dict() if cur else None}
    if history is not None:
        out["history"] = [{"at": h.at.isoformat(), "actor": h.actor_name, "action": h.action,
                           "from": h.from_status, "to": h.to_status, "detail": h.detail} for h in history]
    return out


def list_items(session: Session, incident_id: int, template_id: int | None = None) -> list[dict[str, Any]]:
    q = select(DemandItem, Claimant).join(Claimant, Claimant.id == DemandItem.claimant_id).options(
        selectinload(DemandItem.offers)).where(DemandItem.incident_id == incident_id)
    if template_id is not None:
        q = q.where(DemandItem.template_id == template_id)
    return [item_dict(it, c) for it, c in session.execute(q.order_by(DemandItem.template_id, DemandItem.id))]


def item_detail(session: Session, it: DemandItem) -> dict[str, Any]:
    hist = list(session.scalars(select(DemandHistory).where(DemandHistory.item_id == it.id)
                                .order_by(DemandHistory.id)))
    return item_dict(it, session.get(Claimant, it.claimant_id), hist)


def templates(session: Session, incident_id: int) -> list[DemandTemplate]:
    return list(session.scalars(select(DemandTemplate).where(DemandTemplate.incident_id == incident_id)
                                .order_by(DemandTemplate.id)))


def _bucket() -> dict[str, Any]:
    return {"items": 0, "accepted": 0, "by_status": {s.value: 0 for s in ItemStatus},
            "offered_total": Decimal(0), "accepted_total": Decimal(0), "max_offer": None}


def _add(b: dict[str, Any], it: DemandItem) -> None:
    cur, acc = it.current_offer, it.accepted_offer
    b["items"] += 1
    b["by_status"][it.status] += 1
    if cur is not None and cur.amount:
        b["offered_total"] += Decimal(cur.amount)
        if b["max_offer"] is None or Decimal(cur.amount) > Decimal(b["max_offer"]):
            b["max_offer"] = cur.amount
    if it.status in AGREED:
        b["accepted"] += 1
        if acc is not None and acc.amount:
            b["accepted_total"] += Decimal(acc.amount)


def _finish(b: dict[str, Any]) -> dict[str, Any]:
    b["offered_total"] = str(b["offered_total"].quantize(Decimal("0.01")))
    b["accepted_total"] = str(b["accepted_total"].quantize(Decimal("0.01")))
    return b


def group_view(session: Session, incident_id: int) -> dict[str, Any]:
    """Totals by type, status and segment: accepted count, amount offered vs the ceiling.

    Amounts are only ever summed within one type, so 补偿 and 赔偿 never mix (segments hold per-type sums).
    """
    by_type: dict[str, Any] = {}
    by_segment: dict[str, Any] = {}
    by_status = {s.value: 0 for s in ItemStatus}
    rows = session.execute(select(DemandItem, Claimant.segment).join(
        Claimant, Claimant.id == DemandItem.claimant_id).options(selectinload(DemandItem.offers))
        .where(DemandItem.incident_id == incident_id))
    for it, segment in rows:
        by_status[it.status] += 1
        _add(by_type.setdefault(it.type, _bucket()), it)
        seg = by_segment.setdefault(segment or "", {"items": 0, "accepted": 0, "by_type": {}})
        seg["items"] += 1
        seg["accepted"] += it.status in AGREED
        _add(seg["by_type"].setdefault(it.type, _bucket()), it)
    caps = ceilings.ceilings(session, incident_id)
    for dtype, b in by_type.items():
        c = ceilings.binding(caps, dtype)
        _finish(b).update(kind=money_kind(dtype), ceiling=c.amount if c else None,
                          ceiling_type=c.demand_type if c else None)
    for seg in by_segment.values():
        for b in seg["by_type"].values():
            _finish(b)
    return {"by_type": by_type, "by_status": by_status, "by_segment": by_segment,
            "ceilings": [ceilings.ceiling_dict(c) for c in caps.values()]}
