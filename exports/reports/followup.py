"""What the callbacks and the ledger add to the incident report (issue 14): the satisfaction line
and the money paid on the first page, and the funnel's last stage, "paid" (claimants whose agreed
money is all paid). Registered on import through the seams (summary.register, crowd.register_stage)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from exports.charts import crowd
from exports.reports import summary
from incident.callbacks import queries as callbacks
from incident.callbacks.scale import Satisfaction
from incident.ledger import queries as ledger
from incident.models import Incident
from incident.timeline.render import Say

LEVELS = tuple(level.value for level in Satisfaction)  # best first


def satisfaction_lines(session: Session, inc: Incident, say: Say) -> list[summary.Line]:
    """"满意及以上 80%（5 人答复：非常满意 2、满意 2、一般 1）" when callbacks exist; nothing otherwise."""
    s = callbacks.summary(session, inc.id)
    if not s["callbacks"]:
        return []
    if not s["answered"]:
        return [(say("Satisfaction"), say("%(n)s callbacks, none answered yet", n=len(s["callbacks"])))]
    parts = "、".join(f"{say.label('satisfaction', k)} {s['distribution'][k]}" for k in LEVELS if s["distribution"][k])
    share = f"{100 * Decimal(s['satisfied_share']):.0f}%"
    return [(say("Satisfaction"), say("%(share)s satisfied or better (%(n)s answered: %(parts)s)",
                                      share=share, n=s["answered"], parts=parts))]


def paid_lines(session: Session, inc: Incident, say: Say) -> list[summary.Line]:
    """Money paid against money agreed, per kind, and what is still outstanding (the ledger)."""
    obs = ledger.obligations(session, inc.id)
    if not obs:
        return []
    rec = ledger.reconcile(obs)["incident"]
    parts = [say("%(kind)s: paid %(paid)s of %(agreed)s", kind=say.label("ledger_kind", k),
                 paid=say.money(b["paid"]), agreed=say.money(b["agreed"]))
             for k, b in rec.items() if b["items"]]
    outstanding = sum((b["outstanding"] for b in rec.values()), Decimal("0.00"))
    tail = say("all settled") if not outstanding else say("%(amount)s outstanding", amount=say.money(outstanding))
    return [(say("Money paid"), "；".join(parts) + " · " + tail)]


def paid_people(session: Session, inc: Incident) -> int:
    """Claimants with agreed money, every item of it paid (a waived rest counts as settled)."""
    per: dict[int, bool] = {}
    for o in ledger.obligations(session, inc.id):
        per[o.claimant_id] = per.get(o.claimant_id, True) and o.settled and o.paid > 0
    return sum(1 for done in per.values() if done)


summary.register(satisfaction_lines)
summary.register(paid_lines)
crowd.register_stage(60, "paid", paid_people)
