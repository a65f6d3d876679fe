"""What an agreement is drafted from: the claimants (crowd) and their accepted demand items.

The narrow interface to the crowd and demands features: `party_of` and `accepted_items`. Items come
from the demand items in status accepted (or beyond), with the accepted offer's remedy and amount.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements.enums import PaymentKind
from exports.agreements.terms import Item, Party
from incident import privacy
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.errors import NotFound, ValidationError
from incident.i18n import Translator
from incident.labels import label

LOCAL = ZoneInfo("Asia/Shanghai")


def claimant(session: Session, incident_id: int, claimant_id: object, fld: str = "claimant_id") -> Claimant:
    row = session.get(Claimant, claimant_id) if isinstance(claimant_id, int) and \
        not isinstance(claimant_id, bool) else None
    if row is None or row.incident_id != incident_id:
        raise NotFound("no such claimant in this incident", field=fld)
    if row.status == ClaimantStatus.WITHDRAWN.value:
        raise ValidationError("the claimant has withdrawn from the complaint", field=fld)
    return row


def clear_id(c: Claimant) -> str:
    """The claimant's full ID number (only to print it when legal chose full display)."""
    return privacy.cipher().decrypt(c.id_cipher) if c.id_cipher else ""


def party_of(c: Claimant) -> Party:
    full = clear_id(c)
    return Party(claimant_id=c.id, name=c.name, unit=c.unit, id_masked=c.id_masked,
                 id_digest=privacy.cipher().index(full) if full else "")


def _date(value: datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%d") if value else ""


def accepted_items(session: Session, incident_id: int, claimant_ids: list[int], locale: str) -> list[Item]:
    """The accepted demand items of these claimants (the demands feature's query), as agreement items."""
    from incident.crowd.demands.queries import accepted_items_for_claimant
    _ = Translator(locale)
    several = len(set(claimant_ids)) > 1
    names = dict(session.execute(select(Claimant.id, Claimant.name).where(Claimant.id.in_(claimant_ids))).all()) \
        if several else {}
    out = []
    for cid in claimant_ids:
        for a in accepted_items_for_claimant(session, incident_id, cid):
            amount = f"{a.amount:.2f}" if a.amount is not None else ""
            # 补偿 and 赔偿 come from the demand type; other money (a refund, a waived fee) is neither.
            kind = (a.kind or PaymentKind.NONE.value) if amount else PaymentKind.NONE.value
            desc = label(_, "demand_type", a.type) + (f" · {names.get(cid, '')}" if several else "")
            out.append(Item(description=desc, remedy=a.remedy or label(_, "demand_type", a.type),
                            amount=amount, payment_kind=kind, deadline=_date(a.deadline)))
    return out


def demand_in_own_words(session: Session, incident_id: int, claimant_id: int) -> str:
    """What a self-registered claimant said they demand (the public page), else "" — the facts of
    their agreement then quote them rather than the incident's core demand."""
    from incident.public.models import SelfRegistration
    row = session.get(SelfRegistration, claimant_id)
    return (row.demand or "").strip() if row is not None and row.incident_id == incident_id else ""
