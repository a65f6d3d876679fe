"""What the agreements tell the ledger and the closing gate (the ledger does not import agreements).

- the ledger's stage per claimant: "signed" or "sealed" from the agreements covering them;
- the gate: every agreement of the incident is sealed or voided.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements.enums import AgreementStatus as S
from exports.agreements.models import Agreement
from exports.agreements.settlement import covered
from incident.closing import gate
from incident.closing.gate import GateItem
from incident.ledger import queries
from incident.models import Incident

_RANK = {S.SIGNED.value: 1, S.SEALED.value: 2}


def agreement_stages(session: Session, incident_id: int) -> dict[int, str]:
    """The furthest agreement stage (signed / sealed) of each covered claimant."""
    out: dict[int, str] = {}
    for ag in session.scalars(select(Agreement).where(Agreement.incident_id == incident_id,
                                                      Agreement.status.in_(tuple(_RANK)))):
        for cid in covered(ag):
            if _RANK[ag.status] > _RANK.get(out.get(cid, ""), 0):
                out[cid] = ag.status
    return out


def agreements_done(session: Session, inc: Incident) -> list[GateItem]:
    statuses = list(session.scalars(select(Agreement.status).where(Agreement.incident_id == inc.id)))
    open_n = sum(1 for s in statuses if s not in (S.SEALED.value, S.VOID.value))
    return [GateItem("agreements.sealed", "every agreement is sealed or voided", open_n == 0,
                     "%(n)s of %(total)s agreements not sealed" if open_n else "",
                     {"n": open_n, "total": len(statuses)}, "agreements")]


if agreement_stages not in queries.AGREEMENT_STAGES:
    queries.AGREEMENT_STAGES.append(agreement_stages)
gate.register("agreements", agreements_done)
