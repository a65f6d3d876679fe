"""Propose the playbooks whose triggers start to match mid-incident; the leader attaches or dismisses.

Re-triage (incident.intake.followup) calls on_retriage in the writer's transaction: the formation
clock's checklist item follows a restarted clock, and every playbook whose default_when now matches,
that is neither attached, dropped nor proposed before, becomes one proposal (an event and a message
to the leader). Attaching starts its "from opening" deadlines at the moment the trigger appeared.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock, timeline
from incident.access.actor import Actor
from incident.access.permissions import Action
from incident.enums import IncidentStatus
from incident.errors import Conflict, NotFound
from incident.models import Incident
from incident.service import load_for
from incident.taskgroup.queries import active_seats
from playbooks import config, loader
from playbooks.engine import _attach
from playbooks.models import ChecklistItem, IncidentPlaybook, ItemKind, ItemStatus
from playbooks.notify import channels, inbox
from playbooks.notify import messages as M
from playbooks.proposals.models import PlaybookProposal, ProposalStatus
from playbooks.selection import facts, matches


def on_retriage(session: Session, inc: Incident, actor: Actor, before: dict[str, Any]) -> None:
    """What a changed triage means for the checklist: the formation clock, new proposals."""
    follow_formation_clock(session, inc)
    propose_new(session, inc, actor, str(before.get("cause") or ""))
    if before.get("grade") and before["grade"] != inc.grade:  # the team's group robots hear of it
        channels.enqueue(session, inc, "grade", M.GRADE_CHANGED, {"grade": inc.grade, "before": before["grade"]},
                         "triage")


def follow_formation_clock(session: Session, inc: Incident) -> bool:
    """Move the pending formation item to the incident's (restarted) formation deadline; it fires anew."""
    if inc.formed_at is not None:
        return False  # formed: the clock has stopped (decided before asking the database)
    item = session.scalar(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.kind == ItemKind.FORMATION.value,
        ChecklistItem.status == ItemStatus.PENDING.value))
    if item is None or inc.formed_at is not None or item.due_at == inc.formation_due_at:
        return False
    now = clock.now()
    item.anchor, item.anchor_at, item.due_at = "taskgroup.formation_started", now, inc.formation_due_at
    lead = inc.formation_due_at - config.current().reminder
    item.remind_at = lead if lead > now else None
    item.fired_at = item.reminded_at = item.fired_by = None
    return True


def _matched(pb: Any, f: dict[str, Any]) -> dict[str, Any]:
    """The first trigger of the playbook that holds, with the facts it saw (JSON-able)."""
    for cond in pb.default_when:
        if matches(cond, f):
            out: dict[str, Any] = {}
            for key, want in cond.items():
                have = f["headcount"] if key == "min_headcount" else f.get(key)
                out[key] = sorted(have & set(want)) if isinstance(have, set) else have
            return out
    return {}


def propose_new(session: Session, inc: Incident, actor: Actor, cause: str) -> list[PlaybookProposal]:
    """Propose every playbook that now matches and was never attached, dropped or proposed here."""
    if inc.status == IncidentStatus.CLOSED.value:
        return []
    registry, f = loader.registry(), facts(inc)
    if not any(matches(c, f) for pb in registry.values() for c in pb.default_when):
        return []  # nothing matches: no need to ask what was attached or proposed before
    seen = set(session.scalars(select(IncidentPlaybook.key).where(IncidentPlaybook.incident_id == inc.id)))
    seen |= set(session.scalars(select(PlaybookProposal.key).where(PlaybookProposal.incident_id == inc.id)))
    out = []
    for key, pb in sorted(registry.items()):
        if key in seen or not any(matches(c, f) for c in pb.default_when):
            continue
        p = PlaybookProposal(incident_id=inc.id, key=key, status=ProposalStatus.PROPOSED.value, cause=cause[:64],
                             reasons=_matched(pb, f), proposed_at=clock.now())
        session.add(p)
        session.flush()
        leaders = [a.user_id for a in active_seats(session, inc.id) if a.seat == "leader" and a.user_id]
        notified = inbox.notify(session, leaders, incident=inc, kind="proposal", message=M.PROPOSED,
                                params={"playbook": pb.title, "anchor": f"proposal-{p.id}"})
        timeline.record(session, inc, "playbook.proposed", actor, {
            "proposal_id": p.id, "playbook": key, "title": pb.title, "cause": p.cause, "matched": p.reasons,
            "notified": notified})
        out.append(p)
    return out


def would_propose(session: Session, inc: Incident, preview: dict[str, Any]) -> list[dict[str, Any]]:
    """The playbooks an intake preview (incident.intake.preview) would propose, for the page."""
    from types import SimpleNamespace
    tri = preview["preview"]
    shadow = SimpleNamespace(**(preview["intake"] | {"triage": tri, "scope": tri["scope"], "urgent": tri["urgent"]}))
    f = facts(shadow)  # type: ignore[arg-type]
    seen = set(session.scalars(select(IncidentPlaybook.key).where(IncidentPlaybook.incident_id == inc.id)))
    seen |= set(session.scalars(select(PlaybookProposal.key).where(PlaybookProposal.incident_id == inc.id)))
    return [{"playbook": k, "title": pb.title, "matched": _matched(pb, f)}
            for k, pb in sorted(loader.registry().items())
            if k not in seen and any(matches(c, f) for c in pb.default_when)]


def _open_proposal(session: Session, inc: Incident, proposal_id: Any) -> PlaybookProposal:
    p = session.get(PlaybookProposal, proposal_id, with_for_update=True) if isinstance(proposal_id, int) \
        and not isinstance(proposal_id, bool) else None
    if p is None or p.incident_id != inc.id:
        raise NotFound("no such proposal", field="proposal_id")
    if p.status != ProposalStatus.PROPOSED.value:
        raise Conflict("this proposal was already decided", field="proposal_id")
    return p


def attach(session: Session, *, actor: Actor, incident_id: int, proposal_id: Any) -> PlaybookProposal:
    """Attach the proposed playbook (one tap); its deadlines from opening count from the trigger."""
    inc = load_for(session, actor, incident_id, Action.PLAYBOOK_MANAGE)
    p = _open_proposal(session, inc, proposal_id)
    pb = loader.get(p.key)
    if pb is None:
        raise Conflict("the playbook of this proposal is no longer available", field="proposal_id")
    steps = _attach(session, inc, pb, actor, start=p.proposed_at)
    p.status, p.decided_at, p.decided_by_id = ProposalStatus.ATTACHED.value, clock.now(), actor.user_id
    timeline.record(session, inc, "playbook.attached", actor,
                    {"playbook": pb.key, "title": pb.title, "steps": steps, "proposal_id": p.id})
    return p


def dismiss(session: Session, *, actor: Actor, incident_id: int, proposal_id: Any) -> PlaybookProposal:
    """Decline a proposal; the playbook is not proposed again on this incident."""
    inc = load_for(session, actor, incident_id, Action.PLAYBOOK_MANAGE)
    p = _open_proposal(session, inc, proposal_id)
    pb = loader.get(p.key)
    p.status, p.decided_at, p.decided_by_id = ProposalStatus.DISMISSED.value, clock.now(), actor.user_id
    timeline.record(session, inc, "playbook.proposal_dismissed", actor,
                    {"proposal_id": p.id, "playbook": p.key, "title": pb.title if pb else {}})
    return p


def pending(session: Session, inc: Incident) -> list[dict[str, Any]]:
    """Open proposals of the incident, oldest first, for the page and the API."""
    rows = session.scalars(select(PlaybookProposal).where(
        PlaybookProposal.incident_id == inc.id, PlaybookProposal.status == ProposalStatus.PROPOSED.value)
        .order_by(PlaybookProposal.id))
    registry = loader.registry()
    return [{"id": p.id, "playbook": p.key, "title": registry[p.key].title if p.key in registry else {"en": p.key},
             "cause": p.cause, "matched": p.reasons, "proposed_at": p.proposed_at.isoformat()} for p in rows]
