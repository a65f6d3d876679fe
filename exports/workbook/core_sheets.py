"""The incident's own sheets: claimants, demand items, offers, samples, agreements and the timeline.

Values go through the label tables (statuses, kinds, seats in the reader's language), money as
decimal numbers in CNY, times in the display zone (the header names the zone). Contacts are always
the masked forms: a workbook travels, and a mass reveal is not what an export is for.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.agreements import labels as _agreement_labels  # noqa: F401  (agreement vocabulary)
from exports.agreements.models import Agreement
from exports.agreements.terms import from_dict
from exports.workbook.registry import Sheet, Table, register
from incident import clock
from incident.crowd.claimants.models import Claimant
from incident.crowd.demands.models import DemandItem, DemandOffer
from incident.crowd.samples.models import SampleDraw, SampleMember
from incident.models import Incident
from incident.timeline.models import Event
from incident.timeline.render import Say, render

PAGE = 2_000


def when(say: Say, value: Any) -> str:
    return say.time(value, "seconds") if value else ""


def money(amount: Any) -> Decimal | None:
    return Decimal(str(amount)) if amount not in (None, "") else None


def zone_header(say: Say, name: str) -> str:
    return f"{say(name)} ({clock.zone_label(say)})"


def _claimants(session: Session, inc: Incident, say: Say) -> Table:
    rows = session.scalars(select(Claimant).where(Claimant.incident_id == inc.id)
                           .order_by(Claimant.segment, Claimant.unit_key, Claimant.id)).all()
    extra = sorted({k for c in rows for k in (getattr(c, "attributes", None) or {})})
    headers = [say("No."), say("Name"), say("Unit / order"), say("Segment"), say("Phone"), say("ID number"),
               say("Status"), zone_header(say, "Joined"), *extra]
    out = [[c.id, c.name, c.unit, c.segment, c.phone_masked, c.id_masked, say.label("claimant_status", c.status),
            when(say, c.joined_at), *[str((getattr(c, "attributes", None) or {}).get(k, "")) for k in extra]]
           for c in rows]
    return Table(headers, out)


def _names(session: Session, inc: Incident) -> dict[int, str]:
    return dict(session.execute(select(Claimant.id, Claimant.name).where(Claimant.incident_id == inc.id)).all())


def _items(session: Session, inc: Incident, say: Say) -> Table:
    names = _names(session, inc)
    rows = session.scalars(select(DemandItem).where(DemandItem.incident_id == inc.id)
                           .order_by(DemandItem.claimant_id, DemandItem.id)).all()
    headers = [say("No."), say("Claimant"), say("Kind"), say("Remedy"), say("Amount (CNY)"), say("Owner"),
               zone_header(say, "Deadline"), say("Status"), say("Confirmed by")]
    return Table(headers, [[i.id, names.get(i.claimant_id, ""), say.label("demand_type", i.type), i.remedy,
                            money(i.amount), i.owner, when(say, i.deadline), say.label("item_status", i.status),
                            i.confirmed_by] for i in rows])


def _offers(session: Session, inc: Incident, say: Say) -> Table:
    names = _names(session, inc)
    rows = session.execute(select(DemandOffer, DemandItem.claimant_id).join(DemandItem)
                           .where(DemandItem.incident_id == inc.id)
                           .order_by(DemandItem.claimant_id, DemandOffer.item_id, DemandOffer.step)).all()
    headers = [say("Demand item"), say("Claimant"), say("Step"), say("Remedy"), say("Amount (CNY)"),
               say("Offered by"), zone_header(say, "Offered"), say("Outcome"), zone_header(say, "Decided"),
               say("Note")]
    return Table(headers, [[o.item_id, names.get(cid, ""), o.step, o.remedy, money(o.amount), o.offered_by_name,
                            when(say, o.offered_at), say.label("offer_outcome", o.outcome),
                            when(say, o.decided_at), o.note] for o, cid in rows])


def _samples(session: Session, inc: Incident, say: Say) -> Table:
    names = _names(session, inc)
    rows = session.execute(select(SampleMember, SampleDraw).join(SampleDraw)
                           .where(SampleDraw.incident_id == inc.id)
                           .order_by(SampleDraw.id, SampleMember.position)).all()
    headers = [say("Draw"), say("What is verified"), say("Rank"), say("Claimant"), say("Segment"),
               say("Outcome"), say("Note"), zone_header(say, "Recorded"), say("Recorded by")]
    return Table(headers, [[d.id, d.claim, m.position, names.get(m.claimant_id, ""), m.segment,
                            say.label("sample_outcome", m.outcome), m.note, when(say, m.recorded_at),
                            m.recorded_by_name] for m, d in rows])


def _agreements(session: Session, inc: Incident, say: Say) -> Table:
    rows = session.scalars(select(Agreement).where(Agreement.incident_id == inc.id).order_by(Agreement.id)).all()
    headers = [say("Agreement"), say("Signer"), say("Represented"), say("Segment"), say("Status"),
               say("Amount (CNY)"), say("Payment kind"), zone_header(say, "Approved"), zone_header(say, "Sealed"),
               say("Sealed by"), say("Void reason")]
    out = []
    for ag in rows:
        terms = ag.terms or {}
        items = terms.get("items") or []
        agreed = from_dict(terms) if items else None
        total = agreed.total() if agreed else None
        kinds = sorted(k for k in agreed.kinds() if k not in ("", "none")) if agreed else []
        out.append([ag.ref, (terms.get("signer") or {}).get("name", ""),
                    len(terms.get("represented") or []), ag.segment, say.label("agreement_status", ag.status),
                    total, "、".join(say.label("payment_kind", k) for k in kinds),
                    when(say, ag.approved_at), when(say, ag.sealed_at), ag.sealed_by_name, ag.void_reason])
    return Table(headers, out)


def _timeline(session: Session, inc: Incident, say: Say) -> Table:
    headers = ["#", zone_header(say, "Time"), say("Who"), say("What"), say("Detail"), say("Hash")]

    def rows() -> Iterator[list[Any]]:
        after = 0
        while True:
            evs = session.scalars(select(Event).where(Event.incident_id == inc.id, Event.seq > after)
                                  .order_by(Event.seq).limit(PAGE)).all()
            for e in evs:
                w = render(e.type, e.payload, e.actor_name, say.locale)
                yield [e.seq, when(say, e.at), w.actor, w.summary, w.detail, e.hash]
            if len(evs) < PAGE:
                return
            after = evs[-1].seq
    return Table(headers, rows())


register(Sheet("claimants", "Claimants", _claimants, 10))
register(Sheet("demand_items", "Demand items", _items, 20))
register(Sheet("offers", "Offers", _offers, 30))
register(Sheet("samples", "Samples", _samples, 40))
register(Sheet("agreements", "Agreements", _agreements, 50))
register(Sheet("timeline", "Timeline", _timeline, 90))
