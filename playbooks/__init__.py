"""Playbooks: checklists with deadlines that run themselves (definitions, engine, scheduler, notifications).

Importing the package registers the "incident opened" hook that attaches the default playbooks
(concord.models imports playbooks.models, so every process that touches the schema has it).
"""
from __future__ import annotations

from typing import Any


def _on_open(session: Any, inc: Any, actor: Any) -> dict[str, Any]:
    from playbooks.engine import attach_default_playbooks
    return attach_default_playbooks(session, inc, actor)


def _on_retriage(session: Any, inc: Any, actor: Any, before: dict[str, Any]) -> None:
    from playbooks.proposals.service import on_retriage  # -- intake follow-up (issue 12)
    on_retriage(session, inc, actor, before)


def install() -> None:
    """Register the open-incident hook and the re-triage hook once."""
    from incident import service
    from incident.intake import followup
    if _on_open not in service.OPEN_HOOKS:
        service.OPEN_HOOKS.append(_on_open)
    if _on_retriage not in followup.RETRIAGE_HOOKS:
        followup.RETRIAGE_HOOKS.append(_on_retriage)
    from playbooks import callbacks  # -- callbacks (issue 13): the gate's declarations, second rounds
    callbacks.install()
    from playbooks.scheduler import opinion  # -- opinion watch (issue 14): the alert tells the leader
    opinion.install()


install()
from playbooks import wording as _wording  # noqa: E402,F401  (registers the event words)
