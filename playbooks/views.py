"""Read side: the checklist and the next deadlines of an incident, as JSON-able dicts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident import clock
from incident.models import Incident
from playbooks import loader
from playbooks.engine import CLOCK
from playbooks.models import ChecklistItem, IncidentPlaybook, ItemStatus
from playbooks.spec import Phase

PHASES = [p.value for p in Phase]
FORMATION_TITLE = {"zh_CN": "30分钟内组建1+3+N专项工作组", "en": "Form the 1+3+N task group within 30 minutes"}


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def item_dict(item: ChecklistItem, now: datetime, rounds_done: int = 0) -> dict[str, Any]:
    step = None
    pb = loader.get(item.playbook)
    if pb:
        step = pb.step(item.step)
    overdue = item.status == ItemStatus.PENDING.value and item.due_at is not None and item.due_at <= now
    return {
        "id": item.id, "playbook": item.playbook, "step": item.step, "round": item.round, "kind": item.kind,
        "title": step.title if step else (FORMATION_TITLE if item.playbook == CLOCK else
                                          # -- ledger and archive (issue 13): a feature's deadline keeps its title
                                          (item.evidence or {}).get("title") or {"en": item.step}),
        "phase": step.phase.value if step else "command", "seat": item.seat, "status": item.status,
        "anchor": item.anchor, "due_at": _iso(item.due_at), "remind_at": _iso(item.remind_at),
        "reminded_at": _iso(item.reminded_at), "fired_at": _iso(item.fired_at), "overdue": overdue,
        "done_at": _iso(item.done_at), "done_by": item.done_by_name or None,
        "evidence_needed": [e.value for e in step.evidence] if step else [],
        "depends_on": list(step.depends_on) if step else [],
        "escalates": bool(step and "escalate" in step.on_overdue),
        "repeat": str(step.repeat) if step and step.repeat else None,
        "rounds_done": rounds_done, "evidence": item.evidence or {},
    }


def checklist(session: Session, inc: Incident) -> dict[str, Any]:
    """Attached playbooks, the latest round of every step, and the pending deadlines soonest first."""
    now = clock.now()
    items = list(session.scalars(select(ChecklistItem).where(
        ChecklistItem.incident_id == inc.id, ChecklistItem.status != ItemStatus.DROPPED.value)
        .order_by(ChecklistItem.id)))
    latest: dict[tuple[str, str], ChecklistItem] = {}
    done: dict[tuple[str, str], int] = {}
    for it in items:
        key = (it.playbook, it.step)
        if it.status == ItemStatus.DONE.value:
            done[key] = done.get(key, 0) + 1
        if key not in latest or it.round > latest[key].round:
            latest[key] = it
    rows = [item_dict(it, now, done.get(k, 0)) for k, it in latest.items()]
    rows.sort(key=lambda r: (PHASES.index(r["phase"]) if r["phase"] in PHASES else 9, r["id"]))
    attached = session.scalars(select(IncidentPlaybook).where(
        IncidentPlaybook.incident_id == inc.id, IncidentPlaybook.dropped_at.is_(None))
        .order_by(IncidentPlaybook.id)).all()
    registry = loader.registry()
    keys = [a.key for a in attached]
    deadlines = sorted((r for r in rows if r["status"] == "pending" and r["due_at"]), key=lambda r: r["due_at"])
    return {
        "incident_id": inc.id, "now": now.isoformat(),
        "playbooks": [{"key": k, "title": registry[k].title if k in registry else {"en": k}} for k in keys],
        "available": [{"key": k, "title": pb.title} for k, pb in sorted(registry.items()) if k not in keys],
        "items": rows, "deadlines": deadlines,
    }
