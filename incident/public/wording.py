"""The words of the public side's timeline events (issue 15)."""
from __future__ import annotations

from typing import Any

from incident.timeline.render import Say, detail


@detail("public.code_issued")
def _issued(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("code_kind", p.get("kind")), f"…{p.get('hint', '')}")


@detail("public.code_revoked")
def _revoked(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("code_kind", p.get("kind")), f"…{p.get('hint', '')}")


@detail("public.stage_changed")
def _stage(say: Say, p: dict[str, Any]) -> str:
    return say("stage %(from)s → %(to)s", **{"from": int(p.get("from") or 0) + 1, "to": int(p.get("to") or 0) + 1})


@detail("public.update_published")
def _update(say: Say, p: dict[str, Any]) -> str:
    return say.text(p.get("text") or "", 60)


@detail("claimant.self_registered")
def _registered(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("name"), p.get("unit"))


@detail("claimant.registration_confirmed")
def _confirmed(say: Say, p: dict[str, Any]) -> str:
    return say("%(count)s registrations", count=p.get("count", 0))


@detail("claimant.registration_rejected")
def _rejected(say: Say, p: dict[str, Any]) -> str:
    return say("%(count)s registrations", count=p.get("count", 0))


@detail("public.survey_answered")
def _survey(say: Say, p: dict[str, Any]) -> str:
    fate = p.get("fate") or ("" if "callback_id" not in p else "recorded" if p.get("callback_id") else "waiting")
    where = say.label("survey_fate", fate) if fate else ""
    return say.join(say("score %(score)s of 5", score=p.get("score", 0)), where)


@detail("public.codes_issued")
def _bulk(say: Say, p: dict[str, Any]) -> str:
    return say("%(count)s claimant codes", count=p.get("count", 0))
