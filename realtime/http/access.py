"""Which permission every API endpoint and socket event needs — declared once, enforced for all.

`ENDPOINT_ACTIONS` maps a Flask endpoint ("blueprint.view") to the `Action` of
incident.access.permissions it requires, or to `LOGGED_IN` when any logged-in user may call it.
A before-request hook enforces it *before* the view runs (so a forbidden caller gets 403, never
a 400 about its body). Incident-level actions take the incident from the `incident_id` URL
argument, or from another id through `INCIDENT_RESOLVERS` (e.g. agreement_id → its incident);
a missing incident or resource is left to the view, which answers 404 (as service.load_for does).
`CUSTOM` marks the rare endpoint whose rule the matrix cannot express (the view enforces it).
Views still call the services, which check again (defence in depth).
Every route under /api/v1 must have an entry: tests/test_permissions_matrix.py fails otherwise,
and it tests each entry against every role and seat. Add yours at your feature's marker.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from incident.access.permissions import ORG_ACTIONS, Action, require
from incident.models import Incident
from realtime.auth import actor, current_user
from realtime.dbsession import db

LOGGED_IN = None  # any logged-in user; the login gate (realtime.auth) has already checked that
CUSTOM = "custom"  # the view enforces a rule the matrix cannot express; say which in a comment

ENDPOINT_ACTIONS: dict[str, Action | str | None] = {
    # -- foundation
    "api.openapi": LOGGED_IN,
    "api.me": LOGGED_IN,
    "api.list_incidents": Action.INCIDENT_LIST,
    "api.open_incident": Action.INCIDENT_OPEN,
    "api.get_incident": Action.INCIDENT_VIEW,
    "api.update_incident": Action.INTAKE_EDIT,
    "api.events": Action.INCIDENT_VIEW,
    "api.add_note": Action.NOTE_ADD,
    "api.readback": Action.INCIDENT_VIEW,
    "api.confirm_readback": Action.READBACK_CONFIRM,
    "api.escalate": Action.INCIDENT_ESCALATE,
    "api.change_status": Action.INCIDENT_CLOSE,
    "api.get_lexicon": Action.INCIDENT_LIST,
    "api.add_keyword": Action.LEXICON_EDIT,
    "api.toggle_keyword": Action.LEXICON_EDIT,
    "api.list_users": Action.INCIDENT_LIST,
    "api.add_user": Action.USER_MANAGE,
    # -- task group (issue 3)
    "taskgroup.get_group": Action.INCIDENT_VIEW,
    "taskgroup.history": Action.INCIDENT_VIEW,
    "taskgroup.formation": Action.INCIDENT_VIEW,
    "taskgroup.assign": Action.TASKGROUP_CHANGE,
    "taskgroup.replace": Action.TASKGROUP_CHANGE,
    "taskgroup.release": Action.TASKGROUP_CHANGE,
    "taskgroup.add_consent": Action.RECORDING_CONSENT,
    "taskgroup.add_recording": Action.RECORDING_ADD,
    "taskgroup.recording_file": Action.INCIDENT_VIEW,
    "taskgroup.section": Action.INCIDENT_VIEW,
    # -- realtime (issue 3)
    "presence_api.incident_presence": Action.INCIDENT_VIEW,
    # -- crowd (issue 4)
    "crowd.crowd": Action.INCIDENT_VIEW,
    "crowd.list_claimants": Action.INCIDENT_VIEW,
    "crowd.export_claimants": Action.INCIDENT_VIEW,
    "crowd.add_claimant": Action.CLAIMANT_EDIT,
    "crowd.update_claimant": Action.CLAIMANT_EDIT,
    "crowd.withdraw_claimant": Action.CLAIMANT_EDIT,
    "crowd.import_claimants": Action.CLAIMANT_EDIT,
    "crowd.reveal_contact": Action.CONTACT_REVEAL,
    "crowd.elect_representative": Action.REPRESENTATIVE_EDIT,
    "crowd.attach_mandate": Action.REPRESENTATIVE_EDIT,
    "crowd.replace_representative": Action.REPRESENTATIVE_EDIT,
    "crowd.revoke_representative": Action.REPRESENTATIVE_EDIT,
    "crowd.download_mandate": Action.INCIDENT_VIEW,
    "crowd.mandate_covers": Action.INCIDENT_VIEW,
    # -- demands and samples (issue 4)
    "demands_api.overview": Action.INCIDENT_VIEW,
    "demands_api.summary": Action.INCIDENT_VIEW,
    "demands_api.get_item": Action.INCIDENT_VIEW,
    "demands_api.accepted": Action.INCIDENT_VIEW,
    "demands_api.create_template": Action.DEMAND_EDIT,
    "demands_api.override_item": Action.DEMAND_EDIT,
    "demands_api.offer_template": Action.DEMAND_OFFER,
    "demands_api.offer_item": Action.DEMAND_OFFER,
    "demands_api.decide": Action.DEMAND_OFFER,
    "demands_api.fulfil": Action.DEMAND_OFFER,
    "demands_api.confirm": Action.DEMAND_OFFER,
    "demands_api.approve_template": Action.INDEMNITY_APPROVE,
    "demands_api.approve_item": Action.INDEMNITY_APPROVE,
    "demands_api.set_ceiling": Action.CEILING_SET,
    "samples_api.list_draws": Action.INCIDENT_VIEW,
    "samples_api.get_draw": Action.INCIDENT_VIEW,
    "samples_api.verify": Action.INCIDENT_VIEW,
    "samples_api.sample_size": Action.INCIDENT_VIEW,
    "samples_api.evidence_file": Action.INCIDENT_VIEW,
    "samples_api.draw": Action.SAMPLE_DRAW,
    "samples_api.outcome": Action.SAMPLE_RECORD,
    "samples_api.evidence": Action.SAMPLE_RECORD,
    # -- playbooks (issue 5)
    "playbooks.get_checklist": Action.INCIDENT_VIEW,
    "playbooks.add_playbook": Action.PLAYBOOK_MANAGE,
    "playbooks.drop_playbook": Action.PLAYBOOK_MANAGE,
    "playbooks.tick": Action.STEP_TICK,  # the engine narrows it further: the step's seat or the leader
    "playbooks.list_notifications": LOGGED_IN,  # one's own inbox
    "playbooks.read_notification": LOGGED_IN,
    "playbooks.read_all": LOGGED_IN,
    # -- intake follow-up (issue 12)
    "intake.preview_intake": Action.INTAKE_EDIT,
    "intake.list_proposals": Action.INCIDENT_VIEW,
    "intake.attach_proposal": Action.PLAYBOOK_MANAGE,
    "intake.dismiss_proposal": Action.PLAYBOOK_MANAGE,
    # -- notifications where the team is (issue 12)
    "robots.org_channels": Action.NOTIFY_CONFIGURE,
    "robots.add_org_channel": Action.NOTIFY_CONFIGURE,
    "robots.remove_org_channel": Action.NOTIFY_CONFIGURE,
    "robots.incident_channels": Action.INCIDENT_VIEW,
    "robots.add_incident_channel": Action.NOTIFY_EDIT,
    "robots.remove_incident_channel": Action.NOTIFY_EDIT,
    # -- agreements (issue 6)
    "agreements.list_agreements": Action.INCIDENT_VIEW,
    "agreements.get_agreement": Action.INCIDENT_VIEW,
    "agreements.review": Action.INCIDENT_VIEW,
    "agreements.preview": Action.INCIDENT_VIEW,
    "agreements.sealed_pdf": Action.INCIDENT_VIEW,
    "agreements.incident_report": Action.INCIDENT_VIEW,
    # -- exports (issue 14)
    "exports.workbook": Action.INCIDENT_VIEW,
    "exports.table": Action.INCIDENT_VIEW,
    "exports.chart": Action.INCIDENT_VIEW,
    "agreements.draft": Action.AGREEMENT_DRAFT,
    "agreements.update": Action.AGREEMENT_DRAFT,
    "agreements.submit": Action.AGREEMENT_DRAFT,
    "agreements.approve": Action.AGREEMENT_REVIEW,
    "agreements.return_": Action.AGREEMENT_REVIEW,
    "agreements.void": Action.AGREEMENT_REVIEW,
    "agreements.sign": Action.AGREEMENT_SIGN,
    "agreements.seal_one": Action.AGREEMENT_SEAL,
    "agreements.list_templates": LOGGED_IN,
    "agreements.edit_template": Action.TEMPLATE_EDIT,  # legal staff (issue 10: a qualification, not a seat)
    "agreements.verify_api": LOGGED_IN,
    # -- accounts (issue 10): the admin's user management; everyone's own account
    "accounts_api.list_accounts": Action.USER_MANAGE,
    "accounts_api.create_account": Action.USER_MANAGE,
    "accounts_api.update_account": Action.USER_MANAGE,  # a qualification change also needs user.qualify
    "accounts_api.disable_account": Action.USER_DISABLE,
    "accounts_api.enable_account": Action.USER_DISABLE,
    "accounts_api.reset_password": Action.PASSWORD_RESET,
    "accounts_api.reset_totp": Action.PASSWORD_RESET,
    "accounts_api.get_policy": Action.USER_MANAGE,
    "accounts_api.put_policy": Action.ACCOUNT_POLICY_SET,
    "accounts_api.my_sessions": LOGGED_IN,
    "accounts_api.end_my_session": LOGGED_IN,
    "accounts_api.end_other_sessions": LOGGED_IN,
    "accounts_api.change_my_password": LOGGED_IN,
    "accounts_api.start_my_totp": LOGGED_IN,
    "accounts_api.confirm_my_totp": LOGGED_IN,
    "accounts_api.disable_my_totp": LOGGED_IN,
    # -- durable agreement batches (issue 17); kind "seal" is narrowed to legal by the service
    "agreement_batches.get_batch": Action.INCIDENT_VIEW,
    "agreement_batches.start_batch": Action.AGREEMENT_DRAFT,
    "agreement_batches.cancel_batch": Action.AGREEMENT_DRAFT,
    "agreement_batches.resume_batch": Action.AGREEMENT_DRAFT,
    "agreement_batches.abandon_batch": Action.AGREEMENT_DRAFT,
    # -- segment actions (issue 11): one answer for a segment's items; legal reviews a batch at once
    "bulk.decide_items": Action.DEMAND_OFFER,
    "bulk.review_set": Action.INCIDENT_VIEW,
    "bulk.decide_agreements": Action.AGREEMENT_REVIEW,
    # -- claimant import with a column mapping (issue 11)
    "claimant_import.stage_upload": Action.CLAIMANT_EDIT,
    "claimant_import.preview_upload": Action.CLAIMANT_EDIT,
    "claimant_import.confirm_upload": Action.CLAIMANT_EDIT,
    "claimant_import.report_xlsx": Action.CLAIMANT_EDIT,
    "claimant_import.saved_mapping": Action.CLAIMANT_EDIT,
    # -- board (issue 12): the strip and each section of the board on their own
    "board.fragment": Action.INCIDENT_VIEW,
    # -- public side (issue 15): the staff side; the public API needs no login (realtime.public)
    "public_admin.overview": Action.INCIDENT_VIEW,
    "public_admin.issue_code": Action.PUBLIC_MANAGE,
    "public_admin.issue_claimant_codes": Action.PUBLIC_MANAGE,
    "public_admin.revoke_code": Action.PUBLIC_MANAGE,
    "public_admin.reissue_code": Action.PUBLIC_MANAGE,
    "public_admin.set_stage": Action.PUBLIC_MANAGE,
    "public_admin.preview": Action.PUBLIC_MANAGE,
    "public_admin.publish": Action.PUBLIC_MANAGE,
    "public_admin.confirm_registrations": Action.CLAIMANT_EDIT,
    "public_admin.reject_registrations": Action.CLAIMANT_EDIT,
    "public_api.progress": LOGGED_IN,
    "public_api.register": LOGGED_IN,
    "public_api.claimant_copy": LOGGED_IN,
    "public_api.verify_upload": LOGGED_IN,
    "public_api.verify_ref": LOGGED_IN,
    "public_api.survey_answer": LOGGED_IN,
    # -- callbacks and the written reply (issue 13)
    "replies_api.list_replies": Action.INCIDENT_VIEW,
    "replies_api.reply_pdf": Action.INCIDENT_VIEW,
    "replies_api.draft_reply": Action.REPLY_DRAFT,
    "replies_api.update_reply": Action.REPLY_DRAFT,
    "replies_api.approve_reply": Action.REPLY_APPROVE,
    "replies_api.approve_reply_legal": Action.REPLY_APPROVE_LEGAL,
    "replies_api.issue_reply": Action.REPLY_ISSUE,
    "replies_api.get_reply_template": LOGGED_IN,
    "replies_api.edit_reply_template": Action.TEMPLATE_EDIT,  # legal staff (a qualification)
    "callbacks_api.board": Action.INCIDENT_VIEW,
    "callbacks_api.record_attempt": Action.CALLBACK_RECORD,
    # -- opinion watch (issue 14)
    "opinion_api.watch": Action.INCIDENT_VIEW,
    "opinion_api.add_source": Action.OPINION_RECORD,
    "opinion_api.add_snapshot": Action.OPINION_RECORD,
    "opinion_api.reply": Action.OPINION_REPLY,
    "opinion_api.screenshot": Action.INCIDENT_VIEW,
    "opinion_api.brief": Action.INCIDENT_VIEW,
    "opinion_api.brief_image": Action.INCIDENT_VIEW,
    "opinion_api.fragment": Action.INCIDENT_VIEW,
    # -- ledger, closing gate and archive (issue 13)
    "ledger.overview": Action.INCIDENT_VIEW,
    "ledger.export_csv": Action.INCIDENT_VIEW,
    "ledger.export_xlsx": Action.INCIDENT_VIEW,
    "ledger.record_payment": Action.PAYMENT_RECORD,
    "ledger.record_receipt": Action.PAYMENT_RECORD,
    "ledger.waive": Action.PAYMENT_WAIVE,
    "ledger.proof": Action.INCIDENT_VIEW,
    "closing.get_gate": Action.INCIDENT_VIEW,
    "closing.sign_off": Action.CLOSE_SIGN_OFF,
    "closing.close_item": Action.DEMAND_EDIT,
    "closing.save_archive": Action.ARCHIVE_EDIT,
    "closing.add_improvement": Action.ARCHIVE_EDIT,
    "closing.update_improvement": Action.IMPROVEMENT_UPDATE,
    "closing.dossier_pdf": Action.INCIDENT_VIEW,
    "closing.list_problem_types": LOGGED_IN,
    "closing.add_problem_type": Action.PROBLEM_TYPE_EDIT,
    "closing.update_problem_type": Action.PROBLEM_TYPE_EDIT,
    # -- the review of a period (issue 14): organisation level, managers
    "review.figures": Action.REVIEW_VIEW,
    "review.pdf": Action.REVIEW_VIEW,
    "review.chart": Action.REVIEW_VIEW,
}


def _incident_of(module: str, model: str) -> Callable[[Session, Any], int | None]:
    """Resolver for a resource with an incident_id column, imported lazily (features load late)."""
    def resolve(session: Session, value: Any) -> int | None:
        import importlib
        cls = getattr(importlib.import_module(module), model)
        row = session.get(cls, value) if isinstance(value, int) else None
        return None if row is None else row.incident_id
    return resolve


# URL argument → the incident of the resource it names, for routes without <incident_id>.
INCIDENT_RESOLVERS: dict[str, Callable[[Session, Any], int | None]] = {
    # -- agreements (issue 6)
    "agreement_id": _incident_of("exports.agreements.models", "Agreement"),
    "batch_id": _incident_of("exports.agreements.models", "AgreementBatch"),
}

# Socket.IO events (namespace "/") and the action each needs on the incident named by the
# event's "incident_id"; a refused event acknowledges {"ok": false, "error": "forbidden", ...}.
SOCKET_ACTIONS: dict[str, Action | None] = {
    "join": Action.INCIDENT_VIEW,
    # -- realtime (issue 3)
    "presence": Action.INCIDENT_VIEW,
    "leave": LOGGED_IN,
}


def incident_scoped(action: Action | str | None) -> bool:
    return isinstance(action, Action) and action not in ORG_ACTIONS


def incident_of_request(view_args: dict[str, Any]) -> int | None:
    """The incident a request is about: its incident_id, or what a resolver finds for another id."""
    if "incident_id" in view_args:
        return view_args["incident_id"]
    for arg, resolve in INCIDENT_RESOLVERS.items():
        if arg in view_args:
            return resolve(db(), view_args[arg])
    return None


def check_request() -> None:
    """Enforce ENDPOINT_ACTIONS for the current request (403 before the view runs)."""
    endpoint = request.endpoint
    if endpoint not in ENDPOINT_ACTIONS or current_user() is None:
        return  # unlisted (pages, static) or anonymous: the login gate has already answered
    action = ENDPOINT_ACTIONS[endpoint]
    if not isinstance(action, Action):
        return  # LOGGED_IN, or CUSTOM (the view checks)
    incident_id = None
    if incident_scoped(action):
        incident_id = incident_of_request(request.view_args or {})
        if incident_id is None or db().scalar(select(Incident.id).where(Incident.id == incident_id)) is None:
            return  # nothing there: the view answers 404, as service.load_for does
    require(db(), actor(), action, incident_id)


def register(app: Flask) -> None:
    app.before_request(check_request)
