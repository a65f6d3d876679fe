"""Re-triage before saving: what grade, class and flags an intake edit would give, without writing.

The page shows this while the editor types; saving goes through service.update_intake, which runs
the same triage on the stored record, so the preview and the result agree.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy.orm import Session

from incident import clock, headcount, service
from incident.access.actor import Actor
from incident.access.permissions import Action, require
from incident.enums import Grade, Scope
from incident.errors import Conflict, ValidationError
from incident.intake.schema import EDITABLE, clean_text, parse_changes
from incident.triage import TriageInput, triage
from incident.triage.store import load_terms

SKIP = ("version", "csrf_token", "note")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def preview(session: Session, *, actor: Actor, incident_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """The triage the edit in *data* (plus an optional new note) would produce; nothing is stored."""
    if not isinstance(data, Mapping):
        raise ValidationError("changes must be an object", field="body")
    inc = service.get(session, incident_id)
    require(session, actor, Action.INTAKE_EDIT, inc.id)
    service.ensure_open(inc)
    note = clean_text(data.get("note"), "note", 5000)
    changes = parse_changes({k: v for k, v in data.items() if k != "note"}) if any(k not in SKIP for k in data) else {}
    if not changes and not note:
        raise ValidationError("nothing to change", field="body")
    if "headcount" in changes and changes["headcount"] != inc.headcount \
            and headcount.owned_by_registry(session, inc.id):
        raise Conflict("the headcount follows the claimant registry; add or withdraw claimants instead",
                       field="headcount")
    merged = {f: getattr(inc, f) for f in EDITABLE} | changes
    texts = (merged["core_demand"], merged["prior_contact"], merged["title"], *service.note_texts(session, inc), note)
    result = triage(TriageInput(headcount=merged["headcount"], texts=texts,
                                circumstances=frozenset(merged["circumstances"] or []), channel=merged["channel"],
                                emotion=merged["emotion"], demands_consistent=merged["demands_consistent"],
                                prior_contact=merged["prior_contact"], safety_issue=merged["safety_issue"]),
                    load_terms(session))
    effective = max(result.grade, Grade(inc.grade_floor or "F"), key=lambda g: g.rank)
    becomes_group = inc.scope == Scope.INDIVIDUAL.value and result.scope is Scope.GROUP and inc.formed_at is None
    due = clock.now() + (inc.formation_due_at - inc.opened_at) if becomes_group else None
    return {
        "incident_id": inc.id, "version": inc.version,
        "current": {"grade": inc.grade, "scope": inc.scope, "class": (inc.triage or {}).get("class"),
                    "urgent": inc.urgent, "warning_level": inc.warning_level},
        "preview": result.to_dict() | {"effective_grade": effective.value, "floor": inc.grade_floor},
        "grade_changes": effective.value != inc.grade, "scope_changes": result.scope.value != inc.scope,
        "formation_clock_starts": becomes_group, "formation_due_at": due.isoformat() if due else None,
        "changed": sorted(k for k, v in changes.items() if getattr(inc, k) != v),
        "intake": {k: _jsonable(v) for k, v in merged.items()},
    }
