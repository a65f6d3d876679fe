"""The follow-up sheets of issue 13: callbacks (回访) and payments (付款).

Like the incident's own sheets: labels in the reader's language, money as decimal numbers in CNY,
times in the display zone (the header names it), phone numbers only in their masked form.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from exports.workbook.core_sheets import money, when, zone_header
from exports.workbook.registry import Sheet, Table, register
from incident.callbacks import queries as callback_queries
from incident.callbacks import scale as _callback_labels  # noqa: F401  (the callbacks' vocabulary)
from incident.crowd.claimants.models import Claimant
from incident.ledger import labels as _ledger_labels  # noqa: F401  (the ledger's vocabulary)
from incident.ledger import queries as ledger_queries
from incident.models import Incident
from incident.timeline.render import Say


def _callbacks(session: Session, inc: Incident, say: Say) -> Table:
    phones = dict(session.execute(select(Claimant.id, Claimant.phone_masked)
                                  .where(Claimant.incident_id == inc.id)).all())
    headers = [say("No."), say("Round"), say("Person"), say("Called as"), say("Claimants covered"), say("Phone"),
               say("Counted from"), zone_header(say, "Due"), zone_header(say, "Overdue from"), say("Status"),
               say("Attempts"), say("Channels"), say("Satisfaction"), say("Reasons"), say("Note"),
               zone_header(say, "Recorded"), say("Recorded by")]
    rows = []
    for cb in callback_queries.listing(session, inc.id):
        rows.append([cb.id, cb.round, cb.name, say.label("callback_target", cb.target), len(cb.covers or []),
                     phones.get(cb.claimant_id, "") if cb.claimant_id else "",
                     say.label("callback_anchor", cb.anchor), when(say, cb.due_at),
                     when(say, callback_queries.overdue_at(cb)),
                     say.label("callback_state", callback_queries.state(cb)),
                     f"{len(cb.attempts)}/{cb.max_attempts}",
                     "、".join(say.label("callback_channel", a.channel) for a in cb.attempts),
                     say.label("satisfaction", cb.satisfaction),
                     "、".join(say.label("callback_reason", r) for r in cb.reasons or []), cb.note,
                     when(say, cb.done_at), cb.recorded_by_name])
    return Table(headers, rows)


def _payments(session: Session, inc: Incident, say: Say) -> Table:
    """One row per payment or waiver of each agreed obligation; an obligation with none yet shows once,
    with what is outstanding."""
    headers = [say("Claimant"), say("Segment"), say("Kind"), say("Agreed (CNY)"), say("Entry"), say("Amount (CNY)"),
               say("Payment date"), say("Method"), say("Reference"), say("Proof"), say("Proof SHA-256"),
               say("Waiver reason"), zone_header(say, "Recorded"), say("Recorded by"), say("Outstanding (CNY)"),
               say("Stage")]
    rows = []
    for o in ledger_queries.obligations(session, inc.id):
        head = [o.claimant_name, o.segment, say.label("ledger_kind", o.kind), money(o.agreed)]
        tail = [money(o.outstanding), say.label("ledger_stage", o.stage)]
        if not o.entries:
            rows.append(head + ["", None, "", "", "", "", "", "", "", ""] + tail)
        for e in o.entries:
            rows.append(head + [say.label("ledger_entry", e.entry), money(e.amount), e.paid_on,
                                say.label("payment_method", e.method), e.reference,
                                say.label("proof_kind", e.proof_kind), e.proof_sha256, e.reason,
                                when(say, e.recorded_at), e.recorded_by_name] + tail)
    return Table(headers, rows)


register(Sheet("callbacks", "Callbacks", _callbacks, 60))
register(Sheet("payments", "Payments", _payments, 70))
