"""The permission matrix — the one place that says who may do what on an incident.

A principal is "role:<org role>" or "seat:<task-group seat>"; "seat:*" means any seat on the
incident (a member). Org-level actions (no incident) only look at roles.
"""
from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from incident.access.actor import Actor
from incident.errors import Forbidden
from incident.labels import LABELS
from incident.taskgroup.queries import seats_of


class Action(StrEnum):
    # organisation level
    INCIDENT_OPEN = "incident.open"
    INCIDENT_LIST = "incident.list"
    USER_MANAGE = "user.manage"
    LEXICON_EDIT = "lexicon.edit"
    # -- security log (issue 10)
    SECURITY_VIEW = "security.view"
    # incident level
    INCIDENT_VIEW = "incident.view"
    INTAKE_EDIT = "intake.edit"
    READBACK_CONFIRM = "readback.confirm"
    NOTE_ADD = "note.add"
    INCIDENT_ESCALATE = "incident.escalate"
    INCIDENT_CLOSE = "incident.close"
    TASKGROUP_CHANGE = "taskgroup.change"
    RECORDING_CONSENT = "recording.consent"
    RECORDING_ADD = "recording.add"
    CLAIMANT_EDIT = "claimant.edit"
    CONTACT_REVEAL = "contact.reveal"
    REPRESENTATIVE_EDIT = "representative.edit"
    SAMPLE_DRAW = "sample.draw"
    SAMPLE_RECORD = "sample.record"
    DEMAND_EDIT = "demand.edit"
    DEMAND_OFFER = "demand.offer"
    CEILING_SET = "ceiling.set"
    INDEMNITY_APPROVE = "indemnity.approve"
    PLAYBOOK_MANAGE = "playbook.manage"
    STEP_TICK = "step.tick"
    AGREEMENT_DRAFT = "agreement.draft"
    AGREEMENT_REVIEW = "agreement.review"
    AGREEMENT_SIGN = "agreement.sign"
    AGREEMENT_SEAL = "agreement.seal"
    TEMPLATE_EDIT = "template.edit"


ADMIN, MANAGER, STAFF = "role:admin", "role:manager", "role:staff"
MEMBER = "seat:*"
LEADER, CS, BUSINESS, LEGAL = "seat:leader", "seat:customer_service", "seat:business", "seat:legal"
RECORDER = "seat:recorder"
OVERSIGHT = frozenset({ADMIN, MANAGER})

MATRIX: dict[Action, frozenset[str]] = {
    Action.INCIDENT_OPEN: frozenset({ADMIN, MANAGER, STAFF}),
    Action.INCIDENT_LIST: frozenset({ADMIN, MANAGER, STAFF}),
    Action.USER_MANAGE: frozenset({ADMIN}),
    Action.LEXICON_EDIT: frozenset({ADMIN}),
    # -- security log (issue 10)
    Action.SECURITY_VIEW: frozenset({ADMIN}),
    Action.INCIDENT_VIEW: OVERSIGHT | {MEMBER},
    Action.INTAKE_EDIT: OVERSIGHT | {LEADER, CS},
    Action.READBACK_CONFIRM: OVERSIGHT | {LEADER, CS},
    Action.NOTE_ADD: OVERSIGHT | {MEMBER},
    Action.INCIDENT_ESCALATE: OVERSIGHT | {LEADER},
    Action.INCIDENT_CLOSE: OVERSIGHT | {LEADER},
    Action.TASKGROUP_CHANGE: OVERSIGHT | {LEADER},
    Action.RECORDING_CONSENT: frozenset({RECORDER, LEADER}),
    Action.RECORDING_ADD: frozenset({RECORDER}),
    Action.CLAIMANT_EDIT: OVERSIGHT | {LEADER, CS, BUSINESS},
    Action.CONTACT_REVEAL: frozenset({LEADER, CS, LEGAL}),
    Action.REPRESENTATIVE_EDIT: OVERSIGHT | {LEADER, CS},
    Action.SAMPLE_DRAW: OVERSIGHT | {LEADER, BUSINESS},
    Action.SAMPLE_RECORD: OVERSIGHT | {LEADER, CS, BUSINESS},
    Action.DEMAND_EDIT: OVERSIGHT | {LEADER, BUSINESS, CS},
    Action.DEMAND_OFFER: OVERSIGHT | {LEADER, BUSINESS, CS},
    Action.CEILING_SET: frozenset({LEGAL}),
    Action.INDEMNITY_APPROVE: frozenset({LEGAL}),
    Action.PLAYBOOK_MANAGE: OVERSIGHT | {LEADER},
    Action.STEP_TICK: OVERSIGHT | {MEMBER},
    Action.AGREEMENT_DRAFT: OVERSIGHT | {LEADER, CS, LEGAL},
    Action.AGREEMENT_REVIEW: frozenset({LEGAL}),
    Action.AGREEMENT_SIGN: OVERSIGHT | {LEADER, CS, LEGAL},
    Action.AGREEMENT_SEAL: frozenset({LEGAL}),
    Action.TEMPLATE_EDIT: frozenset({LEGAL, ADMIN}),
}

ORG_ACTIONS = frozenset({Action.INCIDENT_OPEN, Action.INCIDENT_LIST, Action.USER_MANAGE,
                         Action.LEXICON_EDIT,
                         Action.SECURITY_VIEW})  # -- security log (issue 10)


def principals(role: str, seats: set[str]) -> set[str]:
    """The principals an actor with this role and these seats counts as."""
    out = {f"role:{role}"}
    out.update(f"seat:{s}" for s in seats)
    if seats:
        out.add(MEMBER)
    return out


def allowed(action: Action, role: str, seats: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
    """Pure check against the matrix."""
    return bool(MATRIX[action] & principals(role, set(seats)))


def require(session: Session, actor: Actor, action: Action, incident_id: int | None = None) -> set[str]:
    """Raise Forbidden unless the actor may do *action* (on the incident); returns the actor's seats."""
    if actor.is_system:
        return set()
    seats = seats_of(session, incident_id, actor.user_id) if incident_id is not None else set()
    if not allowed(action, actor.role, seats):
        what = LABELS["action"].get(action.value, action.value)
        raise Forbidden("you may not %(what)s here", what=what, action=action.value)
    return seats
