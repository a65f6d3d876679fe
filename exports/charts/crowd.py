"""The crowd funnel: registered → accepted → signed → sealed → settled (→ paid, where the ledger adds it).

Each stage counts claimants (people), not documents: an agreement a representative signs for twelve
households moves twelve people. A later feature adds a stage with `register_stage(order, msgid, fn)`.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exports.agreements.models import Agreement
from exports.charts.figures import BLUE, GREEN, Bar, bars
from incident.crowd.claimants.models import Claimant
from incident.crowd.demands.models import DemandItem
from incident.models import Incident
from incident.timeline.render import Say

ACCEPTED_ITEMS = ("accepted", "fulfilled", "confirmed")
Stage = Callable[[Session, Incident], int]
EXTRA: list[tuple[int, str, Stage]] = []


def register_stage(order: int, msgid: str, count: Stage) -> None:
    EXTRA.append((order, msgid, count))


def _people(ag: Agreement) -> set[int]:
    terms = ag.terms or {}
    parties = [terms.get("signer") or {}, *(terms.get("represented") or [])]
    return {p["claimant_id"] for p in parties if isinstance(p, dict) and p.get("claimant_id")}


def funnel(session: Session, inc: Incident) -> list[tuple[str, int]]:
    registered = session.scalar(select(func.count(Claimant.id)).where(
        Claimant.incident_id == inc.id, Claimant.status != "withdrawn")) or 0
    accepted = session.scalar(select(func.count(func.distinct(DemandItem.claimant_id))).where(
        DemandItem.incident_id == inc.id, DemandItem.status.in_(ACCEPTED_ITEMS))) or 0
    signed: set[int] = set()
    sealed: set[int] = set()
    for ag in session.scalars(select(Agreement).where(Agreement.incident_id == inc.id,
                                                      Agreement.status.in_(("signed", "sealed")))):
        signed |= _people(ag)
        if ag.status == "sealed":
            sealed |= _people(ag)
    settled = session.scalar(select(func.count(Claimant.id)).where(
        Claimant.incident_id == inc.id, Claimant.status == "settled")) or 0
    stages = [(10, "registered", registered), (20, "accepted an offer", accepted), (30, "signed", len(signed)),
              (40, "sealed", len(sealed)), (50, "settled", settled)]
    stages += [(order, msgid, fn(session, inc)) for order, msgid, fn in EXTRA]
    return [(msgid, n) for _o, msgid, n in sorted(stages, key=lambda s: s[0])]


def funnel_chart(session: Session, inc: Incident, say: Say):  # type: ignore[no-untyped-def]
    stages = funnel(session, inc)
    first = stages[0][1] if stages else 0
    rows = [Bar(say(msgid), n, GREEN if i == len(stages) - 1 else BLUE,
                f"{round(100 * n / first)}%" if first and i else "") for i, (msgid, n) in enumerate(stages)]
    return bars(say("The crowd, stage by stage"), rows, empty=say("no claimants registered yet"))
