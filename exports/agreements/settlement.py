"""The crowd follows its agreements: sealing settles the claimants an agreement covers (the signer, or
each claimant a representative signed for); voiding a sealed agreement makes them active again,
unless another sealed agreement still covers them. Both inside the sealing or voiding transaction;
the agreement's own event names the claimants and the headcount change, a re-grade follows it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements.enums import AgreementStatus as S
from exports.agreements.models import Agreement
from incident.access.actor import Actor
from incident.crowd.claimants import service as claimants


def covered(ag: Agreement) -> list[int]:
    """Claimant ids an agreement settles: the claimants a representative signed for (the
    representative too only when among them: their own claim is not in the terms otherwise), or
    the claimant who signed for themself."""
    terms = ag.terms or {}
    parties = terms.get("represented") or [terms.get("signer") or {}]
    return sorted({i for i in (p.get("claimant_id") for p in parties) if isinstance(i, int)})


def _still_covered(session: Session, ag: Agreement, ids: list[int]) -> set[int]:
    """Of ids, those another sealed agreement of the incident covers."""
    out: set[int] = set()
    for other in session.scalars(select(Agreement).where(
            Agreement.incident_id == ag.incident_id, Agreement.status == S.SEALED.value, Agreement.id != ag.id)):
        out.update(set(covered(other)) & set(ids))
    return out


def settle(session: Session, inc: Any, ag: Agreement, actor: Actor) -> dict[str, Any]:
    """Mark the agreement's claimants settled; the payload for the agreement.sealed event."""
    change = claimants.settle(session, actor=actor, inc=inc, claimant_ids=covered(ag),
                              cause="agreement.sealed", regrade=False)
    return {"settled": change["claimant_ids"], "headcount": {"from": change["from"], "to": change["to"]}}


def unsettle(session: Session, inc: Any, ag: Agreement, actor: Actor) -> dict[str, Any]:
    """Make the claimants of a voided sealed agreement active again; payload for agreement.voided."""
    ids = [i for i in covered(ag) if i not in _still_covered(session, ag, covered(ag))]
    change = claimants.unsettle(session, actor=actor, inc=inc, claimant_ids=ids, cause="agreement.voided",
                                regrade=False)
    return {"unsettled": change["claimant_ids"], "headcount": {"from": change["from"], "to": change["to"]}}


def regrade(session: Session, inc: Any, actor: Actor, payload: dict[str, Any], cause: str) -> None:
    """After the agreement's event: re-grade if the headcount changed (its own grade.changed event)."""
    claimants.regrade_after(session, inc, actor, payload["headcount"], cause)
