"""The words of the playbooks' timeline events (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.labels import LABELS
from incident.timeline.render import Say, detail

LABELS.setdefault("overdue_action", {}).update({
    "remind_seat": "seat reminded", "notify_leader": "leader notified", "escalate": "grade raised"})
# -- notifications where the team is (issue 12)
LABELS.setdefault("robot_platform", {}).update({"wecom": "WeChat Work group robot", "dingtalk": "DingTalk robot"})
LABELS.setdefault("robot_kind", {}).update({
    "reminder": "deadline reminders", "overdue": "overdue steps", "grade": "grade changes",
    "formation": "formation misses"})


@detail("playbook.attached")
def _attached(say: Say, p: dict[str, Any]) -> str:
    steps = p.get("steps")  # a count (engine.attach) or a list
    n = steps if isinstance(steps, int) else len(steps or [])
    return say.join(say.title(p.get("title")), say("%(n)s steps", n=n))


@detail("playbook.dropped")
def _dropped(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.title(p.get("title")), say("%(n)s open steps dropped", n=p.get("open_steps", 0)))


@detail("playbook.step_done")
def _done(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.title(p.get("title")), say("late") if p.get("late") else "", say.text(p.get("note"), 80))


@detail("playbook.reminder_sent")
def _reminded(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.title(p.get("title")), say("due %(at)s", at=say.time(p.get("due_at"))))


@detail("playbook.step_overdue")
def _overdue(say: Say, p: dict[str, Any]) -> str:
    actions = "、".join(say.label("overdue_action", a) for a in p.get("actions") or [])
    return say.join(say.title(p.get("title")), say.label("seat", p.get("seat")),
                    say("was due %(at)s", at=say.time(p.get("due_at"))), actions)


@detail("playbook.deadlines_set")
def _deadlines(say: Say, p: dict[str, Any]) -> str:
    items = p.get("items") or []
    due = sorted(i["due_at"] for i in items if i.get("due_at"))
    return say.join(say("%(n)s deadlines", n=len(items)),
                    due and say("first due %(at)s", at=say.time(due[0])))


# -- intake follow-up (issue 12)
@detail("playbook.proposed")
def _proposed(say: Say, p: dict[str, Any]) -> str:
    cause = p.get("cause")
    return say.join(say.title(p.get("title")),
                    cause and say("after: %(what)s", what=say.label("event", cause)),
                    say("waiting for the leader"))


@detail("playbook.proposal_dismissed")
def _proposal_dismissed(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.title(p.get("title")), say("not proposed again"))


@detail("notify.channel_added")
def _robot_added(say: Say, p: dict[str, Any]) -> str:
    kinds = "、".join(say.label("robot_kind", k) for k in p.get("kinds") or [])
    return say.join(say.label("robot_platform", p.get("platform")), say.text(p.get("name"), 40), kinds)


@detail("notify.channel_removed")
def _robot_removed(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("robot_platform", p.get("platform")), say.text(p.get("name"), 40))
