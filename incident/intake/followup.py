"""What follows a re-triage: the formation clock of a case that became a group, and features' hooks.

service.regrade calls after_retriage once the new triage is stored. A case opened as an individual
complaint that grows into a group gets its formation clock then (the group exists from that moment);
features that react to changed facts (playbooks proposing a newly matching playbook) append a hook
hook(session, incident, actor, before) at import time, where before = {"grade", "scope", "cause"}.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import Actor
from incident.enums import Scope
from incident.models import Incident

RetriageHook = Callable[[Session, Incident, Actor, dict[str, Any]], None]
RETRIAGE_HOOKS: list[RetriageHook] = []


def start_formation_clock(session: Session, inc: Incident, actor: Actor, before: dict[str, Any]) -> bool:
    """Restart the formation clock when an unformed individual case has just become a group."""
    if before.get("scope") != Scope.INDIVIDUAL.value or inc.scope != Scope.GROUP.value or inc.formed_at:
        return False
    now = clock.now()
    span = inc.formation_due_at - inc.opened_at  # the span the incident was opened with (settings)
    previous = inc.formation_due_at
    inc.formation_due_at = now + span
    timeline.record(session, inc, "taskgroup.formation_started", actor, {
        "due_at": inc.formation_due_at.isoformat(), "previous_due_at": previous.isoformat(),
        "minutes": round(span.total_seconds() / 60), "headcount": inc.headcount, "cause": before.get("cause")})
    return True


def after_retriage(session: Session, inc: Incident, actor: Actor, before: dict[str, Any]) -> None:
    """Run what a changed triage sets off, in the caller's transaction."""
    start_formation_clock(session, inc, actor, before)
    for hook in RETRIAGE_HOOKS:
        hook(session, inc, actor, before)
