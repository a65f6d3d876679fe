"""The closing gate's conditions owned by the core and the ledger (registered on import):

- every demand item is fulfilled (or confirmed), its money settled in the ledger (paid / waived), or it
  was closed with a reason;
- every agreed payment is recorded or waived with a reason;
- each core seat (customer service, business, legal) has signed off for this round;
- the archive record names a problem type and a root cause (checked when closing).
Agreements register theirs in exports/ledger/stages.py, callbacks theirs next to their code.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.closing import gate
from incident.closing.gate import GateItem
from incident.closing.models import ArchiveRecord, ItemClosure, SignOff
from incident.closing.rounds import current_round
from incident.crowd.demands.models import DemandItem, ItemStatus
from incident.ledger.queries import obligations
from incident.models import Incident

SIGN_OFF_SEATS = ("customer_service", "business", "legal")
DONE = (ItemStatus.FULFILLED.value, ItemStatus.CONFIRMED.value)


def demands(session: Session, inc: Incident) -> list[GateItem]:
    settled = {o.item_id for o in obligations(session, inc.id) if o.settled}
    settled |= set(session.scalars(select(ItemClosure.item_id).where(ItemClosure.incident_id == inc.id)))
    statuses = list(session.execute(select(DemandItem.id, DemandItem.status).where(
        DemandItem.incident_id == inc.id)))
    open_n = sum(1 for item_id, status in statuses if status not in DONE and item_id not in settled)
    return [GateItem("demands.items", "every demand item is fulfilled, settled or closed with a reason", open_n == 0,
                     "%(n)s of %(total)s demand items still open" if open_n else "",
                     {"n": open_n, "total": len(statuses)}, "demands")]


def closable_items(session: Session, inc: Incident) -> list[dict[str, object]]:
    """The demand items one may close with a reason: not fulfilled, not closed yet, no money agreed on
    them (that is settled in the ledger: paid, or waived with a reason)."""
    from incident.crowd.claimants.models import Claimant
    owed = {o.item_id for o in obligations(session, inc.id)}
    closed = set(session.scalars(select(ItemClosure.item_id).where(ItemClosure.incident_id == inc.id)))
    rows = session.execute(select(DemandItem, Claimant.name).join(Claimant, Claimant.id == DemandItem.claimant_id)
                           .where(DemandItem.incident_id == inc.id, DemandItem.status.not_in(DONE))
                           .order_by(Claimant.name, DemandItem.id))
    return [{"id": it.id, "claimant": name, "type": it.type, "remedy": it.remedy, "status": it.status}
            for it, name in rows if it.id not in owed and it.id not in closed]


def payments(session: Session, inc: Incident) -> list[GateItem]:
    obs = obligations(session, inc.id)
    owed = [o for o in obs if not o.settled]
    return [GateItem("ledger.payments", "every agreed payment is recorded or waived", not owed,
                     "%(n)s payments still owed" if owed else "", {"n": len(owed)}, "ledger")]


def sign_offs(session: Session, inc: Incident) -> list[GateItem]:
    rnd = current_round(session, inc)
    done = set(session.scalars(select(SignOff.seat).where(SignOff.incident_id == inc.id, SignOff.round == rnd)))
    return [GateItem(f"signoff.{seat}", "the %(seat)s seat has signed off", seat in done, "",
                     {"seat": seat}, "closing") for seat in SIGN_OFF_SEATS]


def archive(session: Session, inc: Incident) -> list[GateItem]:
    rec = session.scalar(select(ArchiveRecord).where(ArchiveRecord.incident_id == inc.id,
                                                     ArchiveRecord.round == current_round(session, inc)))
    ok = rec is not None and rec.problem_type_id is not None and bool(rec.root_cause.strip())
    return [GateItem("archive.record", "the archive record names the problem type and root cause", ok,
                     "", {}, "archive")]


gate.register("demands", demands)
gate.register("ledger", payments)
gate.register("signoffs", sign_offs)
