"""The words of the opinion watch's timeline events (see incident/timeline/render.py)."""
from __future__ import annotations

from typing import Any

from incident.labels import LABELS
from incident.opinion import platforms as _platforms  # noqa: F401  (the labels used below)
from incident.timeline.render import Say, detail

# -- opinion watch (issue 14)
LABELS["event"].update({
    "opinion.source_added": "post watched",
    "opinion.snapshot": "opinion snapshot recorded",
    "opinion.alert": "opinion alert: the post is spreading",
    "opinion.replied": "reply to a negative post recorded",
    "opinion.reply_overdue": "reply to a negative post overdue",
})


def _where(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("opinion_platform", p.get("platform")), say.text(p.get("title"), 40))


def figures(say: Say, p: dict[str, Any]) -> str:
    """"转发 340（+130）" for each metric the snapshot carries."""
    growth = p.get("growth") or {}
    zh = say.locale == "zh_CN"
    out = []
    for m in ("reads", "reposts", "comments", "likes"):
        if p.get(m) is None:
            continue
        g = growth.get(m)
        more = (f"（{g:+d}）" if zh else f" ({g:+d})") if isinstance(g, int) else ""
        out.append(f"{say.label('opinion_metric', m)} {p[m]}{more}")
    return ("，" if zh else ", ").join(out)


@detail("opinion.source_added")
def _added(say: Say, p: dict[str, Any]) -> str:
    return say.join(_where(say, p), say("negative: reply due %(at)s", at=say.time(p.get("reply_due_at")))
                    if p.get("negative") else "")


@detail("opinion.snapshot")
def _snapshot(say: Say, p: dict[str, Any]) -> str:
    return say.join(_where(say, p), figures(say, p), say("with screenshot") if p.get("screenshot_sha256") else "")


@detail("opinion.alert")
def _alert(say: Say, p: dict[str, Any]) -> str:
    parts = []
    for a in p.get("alerts") or []:
        if a.get("kind") == "growth":
            parts.append(say("%(metric)s grew by %(value)s in 30 minutes (rule: more than %(threshold)s)",
                             metric=say.label("opinion_metric", a.get("metric")), value=a.get("value"),
                             threshold=a.get("threshold")))
        else:
            parts.append(say("reads reached %(value)s (rule: more than %(threshold)s)", value=a.get("value"),
                             threshold=a.get("threshold")))
    return say.join(_where(say, p), *parts, say("leader notified") if p.get("notified") else "")


@detail("opinion.replied")
def _replied(say: Say, p: dict[str, Any]) -> str:
    return say.join(_where(say, p), say.text(p.get("text"), 60),
                    say("on time") if p.get("on_time") else say("late"))


@detail("opinion.reply_overdue")
def _overdue(say: Say, p: dict[str, Any]) -> str:
    return say.join(_where(say, p), say("due %(at)s", at=say.time(p.get("due_at"))))
