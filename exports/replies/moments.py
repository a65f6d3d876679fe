"""The "agreements sealed" moment callbacks count from: every agreement sealed or void, at least one
sealed — known here, where the agreements are, and registered with the core's callback anchors."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.agreements.enums import AgreementStatus
from exports.agreements.models import Agreement
from incident.callbacks import anchors
from incident.callbacks.scale import Anchor
from incident.models import Incident


def agreements_sealed(session: Session, inc: Incident) -> datetime | None:
    statuses = set(session.scalars(select(Agreement.status).where(Agreement.incident_id == inc.id)))
    if AgreementStatus.SEALED.value not in statuses or \
            statuses - {AgreementStatus.SEALED.value, AgreementStatus.VOID.value}:
        return None
    at = session.scalar(select(func.max(Agreement.sealed_at)).where(
        Agreement.incident_id == inc.id, Agreement.status == AgreementStatus.SEALED.value))
    return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


anchors.register(Anchor.AGREEMENT_SEALED.value, agreements_sealed)
