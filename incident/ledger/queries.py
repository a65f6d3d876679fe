"""Read side of the ledger: each claimant's agreed money (obligations), its stage, the reconciliation.

An obligation is an agreed demand item (accepted, fulfilled or confirmed) whose accepted offer has an
amount: 补偿 (compensation) and 赔偿 (indemnity) are kept apart, other money (a refund) is "other".
Its stage runs accepted → signed → sealed (from the agreements covering the claimant, through the
AGREEMENT_STAGES seam the agreements feature fills: the ledger does not know agreements) → paid or waived.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from incident.crowd.claimants.models import Claimant
from incident.crowd.demands.models import DemandItem, money
from incident.crowd.demands.queries import AGREED, money_kind
from incident.ledger.models import EntryKind, LedgerEntry

KINDS = ("compensation", "indemnity", "other")
STAGES = ("accepted", "signed", "sealed", "paid", "waived")
ZERO = Decimal("0.00")
# fn(session, incident_id) -> {claimant_id: "signed" | "sealed"}: the furthest agreement stage per claimant.
AGREEMENT_STAGES: list[Callable[[Session, int], dict[int, str]]] = []


@dataclass
class Obligation:
    item_id: int
    claimant_id: int
    claimant_name: str
    segment: str
    kind: str
    agreed: Decimal
    deadline: datetime | None
    item_status: str
    agreement_stage: str = ""           # "", "signed" or "sealed"
    entries: list[LedgerEntry] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((Decimal(e.amount) for e in self.entries if e.entry == EntryKind.PAYMENT.value), ZERO)

    @property
    def waived(self) -> Decimal:
        return sum((Decimal(e.amount) for e in self.entries if e.entry == EntryKind.WAIVER.value), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return max(self.agreed - self.paid - self.waived, ZERO)

    @property
    def settled(self) -> bool:
        return self.outstanding == ZERO

    @property
    def stage(self) -> str:
        if self.settled:
            return "waived" if self.waived and not self.paid else "paid"
        return self.agreement_stage or "accepted"

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "claimant_id": self.claimant_id, "claimant_name": self.claimant_name,
                "segment": self.segment, "kind": self.kind, "agreed": f"{self.agreed:.2f}",
                "paid": f"{self.paid:.2f}", "waived": f"{self.waived:.2f}",
                "outstanding": f"{self.outstanding:.2f}", "stage": self.stage,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "entries": [e.to_dict() for e in self.entries]}


def _amount(it: DemandItem) -> Decimal | None:
    o = it.accepted_offer
    return money(o.amount if o else it.amount)


def obligations(session: Session, incident_id: int) -> list[Obligation]:
    """Every agreed money item of the incident with its payments, in claimant order."""
    rows = session.execute(select(DemandItem, Claimant).join(Claimant, Claimant.id == DemandItem.claimant_id)
                           .options(selectinload(DemandItem.offers))
                           .where(DemandItem.incident_id == incident_id, DemandItem.status.in_(AGREED))
                           .order_by(Claimant.segment, Claimant.id, DemandItem.id)).all()
    entries: dict[int, list[LedgerEntry]] = {}
    for e in session.scalars(select(LedgerEntry).where(LedgerEntry.incident_id == incident_id)
                             .order_by(LedgerEntry.id)):
        entries.setdefault(e.demand_item_id, []).append(e)
    stages: dict[int, str] = {}
    for fn in AGREEMENT_STAGES:
        stages.update(fn(session, incident_id))
    out = []
    for it, c in rows:
        amount = _amount(it)
        if amount is None or amount <= 0:
            continue
        out.append(Obligation(item_id=it.id, claimant_id=c.id, claimant_name=c.name, segment=c.segment,
                              kind=money_kind(it.type) or "other", agreed=amount, deadline=it.deadline,
                              item_status=it.status, agreement_stage=stages.get(c.id, ""),
                              entries=entries.get(it.id, [])))
    return out


def obligation(session: Session, incident_id: int, item_id: int) -> Obligation | None:
    return next((o for o in obligations(session, incident_id) if o.item_id == item_id), None)


def _bucket() -> dict[str, Any]:
    return {"agreed": ZERO, "paid": ZERO, "waived": ZERO, "outstanding": ZERO, "items": 0, "settled": 0}


def _add(b: dict[str, Any], o: Obligation) -> None:
    b["agreed"] += o.agreed
    b["paid"] += o.paid
    b["waived"] += o.waived
    b["outstanding"] += o.outstanding
    b["items"] += 1
    b["settled"] += 1 if o.settled else 0


def _text(b: dict[str, Any]) -> dict[str, Any]:
    return {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in b.items()}


def reconcile(obs: list[Obligation]) -> dict[str, Any]:
    """Agreed, paid, waived and outstanding per kind, for the incident and per segment (Decimal)."""
    total = {k: _bucket() for k in KINDS}
    segments: dict[str, dict[str, dict[str, Any]]] = {}
    for o in obs:
        _add(total[o.kind], o)
        _add(segments.setdefault(o.segment, {k: _bucket() for k in KINDS})[o.kind], o)
    return {"incident": total, "segments": segments}


def reconciliation(session: Session, incident_id: int) -> dict[str, Any]:
    """The reconciliation as JSON-ready text amounts, with the stage count of every obligation."""
    obs = obligations(session, incident_id)
    rec = reconcile(obs)
    stages = {s: 0 for s in STAGES}
    for o in obs:
        stages[o.stage] += 1
    return {"incident": {k: _text(v) for k, v in rec["incident"].items()},
            "segments": [{"segment": s, "kinds": {k: _text(v) for k, v in kinds.items()}}
                         for s, kinds in sorted(rec["segments"].items())],
            "stages": stages}
