"""The permission matrix — the one place that says who may do what on an incident.

A principal is "role:<org role>", "seat:<task-group seat>" or "qual:<qualification>"; "seat:*"
means any seat on the incident (a member). Org-level actions (no incident) look at roles and
qualifications. A seat that needs a qualification (the legal seat needs the legal qualification the
admin grants) confers its powers only on a holder who has it: an unqualified holder is a member, no more.
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
    # -- accounts (issue 10): organisation level, the admin's account work
    USER_DISABLE = "user.disable"
    PASSWORD_RESET = "user.reset_password"
    QUALIFICATION_SET = "user.qualify"
    ACCOUNT_POLICY_SET = "account.policy"
    # -- notifications where the team is (issue 12): group robots for the organisation / one incident
    NOTIFY_CONFIGURE = "notify.configure"
    NOTIFY_EDIT = "notify.edit"
    # -- public side (issue 15): codes, the public stage and updates
    PUBLIC_MANAGE = "public.manage"
    # -- callbacks and the written reply (issue 13)
    REPLY_DRAFT = "reply.draft"
    REPLY_APPROVE = "reply.approve"
    REPLY_APPROVE_LEGAL = "reply.approve_legal"
    REPLY_ISSUE = "reply.issue"
    CALLBACK_RECORD = "callback.record"
    # -- ledger, closing gate and archive (issue 13)
    PAYMENT_RECORD = "payment.record"
    PAYMENT_WAIVE = "payment.waive"
    CLOSE_SIGN_OFF = "close.sign_off"
    GATE_OVERRIDE = "gate.override"
    ARCHIVE_EDIT = "archive.edit"
    IMPROVEMENT_UPDATE = "improvement.update"
    PROBLEM_TYPE_EDIT = "problem_type.edit"
    # -- opinion watch (issue 14)
    OPINION_RECORD = "opinion.record"
    OPINION_REPLY = "opinion.reply"
    # -- the review of a period (issue 14): figures over every closed case, no personal data
    REVIEW_VIEW = "review.view"


ADMIN, MANAGER, STAFF = "role:admin", "role:manager", "role:staff"
MEMBER = "seat:*"
LEADER, CS, BUSINESS, LEGAL = "seat:leader", "seat:customer_service", "seat:business", "seat:legal"
RECORDER = "seat:recorder"
OVERSIGHT = frozenset({ADMIN, MANAGER})
# -- accounts (issue 10): qualifications, and the seats that require one
QUAL_LEGAL = "qual:legal"
SEAT_QUALIFICATIONS: dict[str, str] = {"legal": "legal"}

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
    # -- accounts (issue 10): organisation templates are legal staff's, wherever they sit
    Action.TEMPLATE_EDIT: frozenset({QUAL_LEGAL}),
    Action.USER_DISABLE: frozenset({ADMIN}),
    Action.PASSWORD_RESET: frozenset({ADMIN}),
    Action.QUALIFICATION_SET: frozenset({ADMIN}),
    Action.ACCOUNT_POLICY_SET: frozenset({ADMIN}),
    # -- notifications (issue 12)
    Action.NOTIFY_CONFIGURE: frozenset({ADMIN}),
    Action.NOTIFY_EDIT: OVERSIGHT | {LEADER},
    # -- public side (issue 15)
    Action.PUBLIC_MANAGE: OVERSIGHT | {LEADER, CS},
    # -- callbacks and the written reply (issue 13): the leader approves, legal too where money is
    # promised, customer service issues it and calls back
    Action.REPLY_DRAFT: OVERSIGHT | {LEADER, CS, LEGAL},
    Action.REPLY_APPROVE: frozenset({LEADER}),
    Action.REPLY_APPROVE_LEGAL: frozenset({LEGAL}),
    Action.REPLY_ISSUE: OVERSIGHT | {LEADER, CS},
    Action.CALLBACK_RECORD: OVERSIGHT | {LEADER, CS},
    # -- ledger, closing gate and archive (issue 13): the business seat pays, the leader decides a
    # waiver; each core seat signs off for itself; only a manager overrides the gate
    Action.PAYMENT_RECORD: frozenset({LEADER, BUSINESS}),
    Action.PAYMENT_WAIVE: OVERSIGHT | {LEADER},
    Action.CLOSE_SIGN_OFF: frozenset({CS, BUSINESS, LEGAL}),
    Action.GATE_OVERRIDE: OVERSIGHT,
    Action.ARCHIVE_EDIT: OVERSIGHT | {LEADER, CS},
    Action.IMPROVEMENT_UPDATE: OVERSIGHT | {LEADER, CS, BUSINESS},
    Action.PROBLEM_TYPE_EDIT: frozenset({ADMIN}),
    # -- opinion watch (issue 14): any member may photograph a post's figures; the leader and
    # customer service answer negative posts
    Action.OPINION_RECORD: OVERSIGHT | {MEMBER},
    Action.OPINION_REPLY: OVERSIGHT | {LEADER, CS},
    # -- the review (issue 14): managers report upward; staff see their own incidents only
    Action.REVIEW_VIEW: OVERSIGHT,
}

ORG_ACTIONS = frozenset({Action.INCIDENT_OPEN, Action.INCIDENT_LIST, Action.USER_MANAGE,
                         Action.LEXICON_EDIT,
                         # -- accounts (issue 10)
                         Action.TEMPLATE_EDIT, Action.USER_DISABLE, Action.PASSWORD_RESET,
                         Action.QUALIFICATION_SET, Action.ACCOUNT_POLICY_SET,
                         Action.SECURITY_VIEW,  # -- security log (issue 10)
                         Action.NOTIFY_CONFIGURE,  # -- notifications (issue 12)
                         Action.PROBLEM_TYPE_EDIT,  # -- archive (issue 13)
                         Action.REVIEW_VIEW})  # -- the review of a period (issue 14)

NoQuals: frozenset[str] = frozenset()


def principals(role: str, seats: set[str], qualifications: frozenset[str] | set[str] = NoQuals) -> set[str]:
    """The principals an actor with this role, these seats and qualifications counts as."""
    out = {f"role:{role}"}
    out.update(f"seat:{s}" for s in seats
               if s not in SEAT_QUALIFICATIONS or SEAT_QUALIFICATIONS[s] in qualifications)
    out.update(f"qual:{q}" for q in qualifications)
    if seats:
        out.add(MEMBER)
    return out


def allowed(action: Action, role: str, seats: set[str] = frozenset(),  # type: ignore[assignment]
            qualifications: frozenset[str] | set[str] = NoQuals) -> bool:
    """Pure check against the matrix."""
    return bool(MATRIX[action] & principals(role, set(seats), qualifications))


def can_map(actor: Actor, seats: set[str]) -> dict[str, bool]:
    """Every action's verdict for this actor with these seats (what a page may offer)."""
    return {a.value: allowed(a, actor.role, seats, actor.qualifications) for a in Action}


def required_qualification(action: Action) -> str | None:
    """The qualification every principal of the action needs (e.g. "legal" for approving), if any."""
    needs = set()
    for p in MATRIX[action]:
        kind, _, name = p.partition(":")
        if kind == "qual":
            needs.add(name)
        elif kind == "seat" and name in SEAT_QUALIFICATIONS:
            needs.add(SEAT_QUALIFICATIONS[name])
        else:
            return None
    return needs.pop() if len(needs) == 1 else None


# Refusals that name the qualification (English msgids, translated by the web layer).
LACKS_QUALIFICATION = {"legal": "this needs the legal qualification: only users the admin marked as "
                                "legal staff may do it"}
NEEDS_QUALIFIED_SEAT = {"legal": "this needs the legal qualification and the legal seat of this incident"}


def require(session: Session, actor: Actor, action: Action, incident_id: int | None = None) -> set[str]:
    """Raise Forbidden unless the actor may do *action* (on the incident); returns the actor's seats.

    An action reserved to a qualification (approving, sealing, ceilings, templates: legal) is
    refused with a message naming it and `qualification` in the error."""
    if actor.is_system:
        return set()
    seats = seats_of(session, incident_id, actor.user_id) if incident_id is not None else set()
    if not allowed(action, actor.role, seats, actor.qualifications):
        q = required_qualification(action)
        if q is not None:
            text = NEEDS_QUALIFIED_SEAT[q] if q in actor.qualifications else LACKS_QUALIFICATION[q]
            raise Forbidden(text, action=action.value, qualification=q)
        what = LABELS["action"].get(action.value, action.value)
        raise Forbidden("you may not %(what)s here", what=what, action=action.value)
    return seats
