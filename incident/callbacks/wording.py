"""The words of the callbacks' timeline events (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.callbacks import scale as _scale  # noqa: F401  (the labels used below)
from incident.labels import LABELS
from incident.timeline.render import Say, detail

# -- callbacks (issue 13)
LABELS["event"].update({
    "callback.scheduled": "callbacks scheduled",
    "callback.due": "callbacks due",
    "callback.overdue": "callbacks overdue",
    "callback.attempted": "callback attempt: not reached",
    "callback.unreachable": "callback: unreachable",
    "callback.recorded": "callback recorded",
    "callback.second_round": "second round started (二次处理)",
})


def _who(say: Say, p: dict[str, Any]) -> str:
    rnd = p.get("round") or 1
    return say.join(p.get("name"), say("round %(n)s", n=rnd) if rnd > 1 else "")


@detail("callback.scheduled")
def _scheduled(say: Say, p: dict[str, Any]) -> str:
    return say.join(say("%(n)s people", n=p.get("count", 0)),
                    say("counted from: %(moment)s", moment=say.label("callback_anchor", p.get("anchor"))),
                    say("due %(at)s", at=say.time(p.get("due_at"))))


@detail("callback.due", "callback.overdue")
def _due(say: Say, p: dict[str, Any]) -> str:
    names = "、".join(str(n) for n in (p.get("names") or [])[:5])
    more = len(p.get("names") or []) - 5
    return say.join(say("%(n)s people", n=p.get("count", 0)), names,
                    say("and %(n)s more", n=more) if more > 0 else "")


@detail("callback.attempted", "callback.unreachable")
def _attempted(say: Say, p: dict[str, Any]) -> str:
    return say.join(_who(say, p), say.label("callback_channel", p.get("channel")),
                    say("attempt %(n)s of %(max)s", n=p.get("attempt", 0), max=p.get("max_attempts", 0)))


@detail("callback.recorded")
def _recorded(say: Say, p: dict[str, Any]) -> str:
    reasons = "、".join(say.label("callback_reason", r) for r in p.get("reasons") or []) or \
        "、".join(say.label("survey_reason", r) for r in p.get("survey_reasons") or [])  # the claimant's own survey
    return say.join(_who(say, p), say.label("callback_channel", p.get("channel")),
                    say.label("satisfaction", p.get("satisfaction")), reasons, say.text(p.get("note"), 60),
                    say("answered after the calls could not reach them") if p.get("after_unreachable") else "")


@detail("callback.second_round")
def _second(say: Say, p: dict[str, Any]) -> str:
    grade = say("grade %(from)s → %(to)s", **{"from": p.get("from"), "to": p.get("to")}) \
        if p.get("from") != p.get("to") else say("already at the top grade")
    handler = "" if p.get("asked") == "level" else say.label("handler", p.get("handler"))
    return say.join(p.get("name"), grade, handler, _asked(say, p),
                    say("new callback due %(at)s", at=say.time(p.get("due_at"))),
                    *(say("%(step)s due %(at)s", step=say.title(s.get("title")), at=say.time(s.get("due_at")))
                      for s in (p.get("started") or [])[:3]))


def _asked(say: Say, p: dict[str, Any]) -> str:
    """Who was asked to lead: the level's managers, a higher level's (none at that level), or all."""
    how, asked = p.get("asked"), say.label("handler", p.get("asked_level"))
    if how == "level":
        return say("asked: %(level)s", level=asked)
    if how == "higher":
        return say("no %(wanted)s: asked %(level)s", wanted=say.label("handler", p.get("level")), level=asked)
    if how == "all":
        return say("no manager of level %(wanted)s or higher: asked every manager",
                   wanted=say.label("handler", p.get("level")))
    if how == "none":
        return say("no manager to ask")
    return ""
