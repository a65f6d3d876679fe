"""Demo agreements for `concord demo`: one draft, one in legal review, one approved and ready to sign."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import service
from exports.agreements.models import Agreement
from incident.crowd.claimants.models import Claimant
from incident.errors import DomainError
from incident.i18n import Translator

DEMO_ITEMS = [("Elevator repair", "Repair the elevators of buildings 3-5 within three days", "", "none"),
              ("Elevator fee of this month", "Waive this month's elevator fee", "120", "compensation")]


def load_demo_agreements(session: Session, inc: Any, users: dict[str, Any], org_name: str = "") -> None:
    """Draft three agreements on the demo incident (idempotent; skipped when any exist)."""
    if session.scalar(select(Agreement.id).where(Agreement.incident_id == inc.id)) is not None:
        return
    claimants = session.scalars(select(Claimant).where(Claimant.incident_id == inc.id,
                                                       Claimant.status == "active").order_by(Claimant.id).limit(3)).all()
    _ = Translator("zh_CN")
    items = [{"description": _(d), "remedy": _(r), "amount": a, "payment_kind": k} for d, r, a, k in DEMO_ITEMS]
    cs, legal = users["service"].actor, users["legal"].actor
    for n, c in enumerate(claimants):
        try:
            with session.begin_nested():
                data: dict[str, Any] = {"claimant_id": c.id}
                try:
                    with session.begin_nested():
                        ag = service.draft(session, actor=cs, incident_id=inc.id, data=data,
                                           org_name=org_name or "Concord Demo")
                except DomainError:  # no accepted demand items for this claimant: list them
                    ag = service.draft(session, actor=cs, incident_id=inc.id, data=data | {"items": items},
                                       org_name=org_name or "Concord Demo")
                if n >= 1:
                    service.submit(session, actor=cs, agreement_id=ag.id, expected_version=ag.version)
                if n >= 2:
                    service.approve(session, actor=legal, agreement_id=ag.id, expected_version=ag.version)
        except DomainError:
            continue  # the demo must load even when the task group has no legal seat
