"""The words of the written reply's events and its vocabulary (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.labels import LABELS
from incident.timeline.render import Say, detail

# -- written reply (issue 13)
LABELS.update({"reply_status": {"draft": "draft", "approved": "approved", "issued": "issued"},
               "reply_approver": {"leader": "the leader", "legal": "legal"}})
LABELS["event"].update({
    "reply.drafted": "written reply drafted",
    "reply.changed": "written reply changed",
    "reply.approved": "written reply approved",
    "reply.issued": "written reply issued",
})


@detail("reply.drafted")
def _drafted(say: Say, p: dict[str, Any]) -> str:
    return say.join(say("for %(n)s claimants", n=p.get("claimants", 0)),
                    say("promises money: legal approves too") if p.get("promises_money") else "")


@detail("reply.changed")
def _changed(say: Say, p: dict[str, Any]) -> str:
    return say.join(say("%(n)s changes", n=len(p.get("changed") or [])),
                    say("approval withdrawn") if p.get("approval_dropped") else "")


@detail("reply.approved")
def _approved(say: Say, p: dict[str, Any]) -> str:
    return say.join(say("by %(who)s", who=say.label("reply_approver", p.get("by"))),
                    say.label("reply_status", p.get("status")))


@detail("reply.issued")
def _issued(say: Say, p: dict[str, Any]) -> str:
    names = "、".join(str(n) for n in p.get("recipients") or [])
    return say.join(names and say("sent to %(names)s", names=names),
                    say("late: the deadline was %(at)s", at=say.time(p.get("due_at"))) if p.get("late")
                    else say("within the deadline"))
