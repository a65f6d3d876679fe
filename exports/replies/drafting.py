"""What a written reply is drafted from: the incident's demand, measures, each claimant's items,
the deadlines, the representatives it is sent to and the task group's contact."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.replies import templates
from incident.accounts.models import User
from incident.crowd.claimants.models import Claimant, ClaimantStatus
from incident.crowd.demands.models import DemandItem, DemandTemplate, ItemStatus, OfferOutcome
from incident.crowd.representatives.models import Representative, RepresentativeStatus
from incident.crowd.representatives.service import covered_claimants
from incident.i18n import Translator
from incident.labels import label
from incident.models import Incident
from incident.taskgroup.models import SeatAssignment


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _offer(it: DemandItem) -> tuple[str, str | None]:
    """What the claimant gets: the accepted offer, else the latest pending one, else the item itself."""
    for o in reversed(it.offers):
        if o.outcome == OfferOutcome.ACCEPTED.value:
            return o.remedy or it.remedy, o.amount
    pending = next((o for o in reversed(it.offers) if o.outcome == OfferOutcome.PENDING.value), None)
    if pending is not None:
        return pending.remedy or it.remedy, pending.amount
    return it.remedy, it.amount


def entitlements(session: Session, inc: Incident, locale: str) -> list[dict[str, Any]]:
    """Per active claimant, the items they get (rejected ones left out), in registry order."""
    _ = Translator(locale)
    names = {c.id: c for c in session.scalars(select(Claimant).where(
        Claimant.incident_id == inc.id, Claimant.status != ClaimantStatus.WITHDRAWN.value).order_by(Claimant.id))}
    out: dict[int, dict[str, Any]] = {}
    items = session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id,
                                                     DemandItem.status != ItemStatus.REJECTED.value)
                            .order_by(DemandItem.claimant_id, DemandItem.id))
    for it in items:
        c = names.get(it.claimant_id)
        if c is None:
            continue
        remedy, amount = _offer(it)
        row = out.setdefault(c.id, {"claimant_id": c.id, "name": c.name, "unit": c.unit, "items": []})
        row["items"].append({"type": it.type, "type_label": label(_, "demand_type", it.type), "remedy": remedy or "",
                             "amount": amount, "owner": it.owner, "deadline": _iso(it.deadline)})
    return list(out.values())


def measures(session: Session, inc: Incident, locale: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The group's measures (one line per demand template) and their deadlines."""
    _ = Translator(locale)
    lines, deadlines = [], []
    for t in session.scalars(select(DemandTemplate).where(DemandTemplate.incident_id == inc.id)
                             .order_by(DemandTemplate.id)):
        what = label(_, "demand_type", t.type) + (f"（{t.segment}）" if t.segment else "")
        lines.append(f"{what}: {t.remedy}" + (f" — {t.owner}" if t.owner else ""))
        if t.deadline:
            deadlines.append({"what": what, "due_at": _iso(t.deadline)})
    return lines, deadlines


def recipients(session: Session, inc: Incident) -> list[dict[str, Any]]:
    """The active representatives (with how many claimants each speaks for), else the complainant."""
    reps = session.scalars(select(Representative).where(
        Representative.incident_id == inc.id, Representative.status == RepresentativeStatus.ACTIVE.value)
        .order_by(Representative.id)).all()
    out = []
    for rep in reps:
        c = session.get(Claimant, rep.claimant_id)
        out.append({"kind": "representative", "representative_id": rep.id, "claimant_id": rep.claimant_id,
                    "name": c.name if c else "", "covers": len(covered_claimants(session, rep))})
    if not out and inc.complainant_name:
        out.append({"kind": "complainant", "name": inc.complainant_name, "covers": inc.headcount})
    return out


def contact(session: Session, inc: Incident) -> str:
    """Who answers questions: the customer-service seat, else the leader (names only, no numbers)."""
    for seat in ("customer_service", "leader"):
        row = session.execute(select(SeatAssignment.outside_name, User.display_name)
                              .outerjoin(User, User.id == SeatAssignment.user_id)
                              .where(SeatAssignment.incident_id == inc.id, SeatAssignment.seat == seat,
                                     SeatAssignment.released_at.is_(None))).first()
        if row is not None:
            return row[1] or row[0] or ""
    return ""


def promises_money(content: dict[str, Any]) -> bool:
    """True when any claimant is promised an amount above zero (then legal approves too)."""
    return any(Decimal(i["amount"]) > 0 for e in content.get("entitlements", []) for i in e.get("items", [])
               if i.get("amount") not in (None, ""))


def draft(session: Session, inc: Incident, locale: str) -> tuple[int, dict[str, Any]]:
    """(template version, content) of a fresh reply from the incident and the current template."""
    version, parts = templates.current(session, locale)
    who = contact(session, inc)
    values = {"ref": inc.ref, "demand": inc.core_demand, "title": inc.title, "contact": who,
              "headcount": str(inc.headcount)}
    lines, due = measures(session, inc, locale)
    content = {k: templates.fill(parts[k], values) for k in templates.PARTS}
    content.update({"measures": lines, "deadlines": due, "entitlements": entitlements(session, inc, locale),
                    "addressees": [r["name"] for r in recipients(session, inc)], "ref": inc.ref})
    return version, content
