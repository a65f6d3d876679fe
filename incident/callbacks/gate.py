"""The callbacks' condition of the closing gate.

Passes when every callback is done or unreachable after its configured attempts, and every callback
round the incident's playbooks declare has been scheduled. A declaration counted from "incident
resolved" cannot exist before the resolve, so it only blocks once the incident is resolved (then
the close waits for it). A group case whose playbooks declare no callback at all still needs one:
the practice calls every group back, so the gate says so instead of passing silently.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.callbacks.anchors import RESOLVED
from incident.callbacks.models import Callback
from incident.callbacks.scale import Anchor, CallbackStatus
from incident.closing import gate
from incident.closing.gate import GateItem
from incident.models import Incident

# fn(session, incident) -> [(spec_key, anchor)] of the callback rounds declared for the incident
# (playbooks registers it: the core does not read playbook files).
Declared = Callable[[Session, Incident], list[tuple[str, str]]]
_declared: list[Declared] = []
WAITING = {"reply_issued": "callbacks start when the written reply is issued",
           "demands_fulfilled": "callbacks start when every demand item is fulfilled",
           "agreement_sealed": "callbacks start when the agreements are sealed",
           "incident_resolved": "callbacks start when the incident is resolved",
           "": "callbacks are waiting for their moment"}


def declare(fn: Declared) -> None:
    if fn not in _declared:
        _declared.append(fn)


def condition(session: Session, inc: Incident) -> list[GateItem]:
    rows = list(session.scalars(select(Callback).where(Callback.incident_id == inc.id)))
    declared = [pair for fn in _declared for pair in fn(session, inc)]
    scheduled = {r.spec_key for r in rows}
    waiting = sorted({a for key, a in declared if key not in scheduled
                      and not (a == Anchor.INCIDENT_RESOLVED.value and inc.status not in RESOLVED)})
    if waiting:
        sched = GateItem("callbacks.scheduled", "the callbacks are scheduled", False,
                         WAITING.get(waiting[0], WAITING[""]), {"n": len(waiting)}, "callbacks")
    elif not rows and not declared and inc.scope == "group":
        sched = GateItem("callbacks.scheduled", "the callbacks are scheduled", False,
                         "a group case is called back: attach a playbook that schedules callbacks", {}, "callbacks")
    else:
        sched = GateItem("callbacks.scheduled", "the callbacks are scheduled", True, section="callbacks")
    still = sum(1 for r in rows if r.status == CallbackStatus.OPEN.value)
    done = GateItem("callbacks.done", "every callback is done or unreachable after the configured attempts",
                    not still, "%(n)s callbacks still open" if still else "", {"n": still} if still else {},
                    "callbacks")
    return [sched, done]


gate.register("callbacks", condition)
