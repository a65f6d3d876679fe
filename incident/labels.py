"""Human labels for stored enum values, through the translation layer."""
from __future__ import annotations

from typing import Callable

LABELS: dict[str, dict[str, str]] = {
    "channel": {"on_site": "on site", "phone": "phone", "online": "online platform", "letter": "letter"},
    "complaint_object": {"goods": "goods", "service": "service", "environment": "environment",
                         "other": "other"},
    "emotion": {"calm": "calm", "anxious": "anxious", "disappointed": "disappointed", "angry": "angry"},
    "circumstance": {"elderly": "elderly people", "pregnant": "pregnant women", "children": "children",
                     "media": "media present",
                     # -- intake (issue 12)
                     "regulator": "regulator already involved", "media_story": "media story published"},
    "demand_type": {"refund": "refund", "repair": "repair", "replacement": "replacement",
                    "compensation": "compensation (补偿, goodwill)",
                    "indemnity": "indemnity (赔偿, liability)", "apology": "apology",
                    "rectification": "rectification", "other": "other"},
    "status": {"open": "open", "command": "under command", "closing": "closing", "closed": "closed"},
    "scope": {"individual": "individual", "group": "group"},
    "seat": {"leader": "leader", "customer_service": "customer service", "business": "business owner",
             "legal": "legal", "logistics": "logistics", "recorder": "recorder",
             "translator": "translator", "auxiliary": "auxiliary"},
    "handler": {"agent": "agent", "senior_agent": "senior agent", "team_lead": "team lead / supervisor",
                "department_manager": "department manager", "general_manager": "general manager",
                "director": "director with department heads (product, PR)"},
    "class": {"urgent_group": "urgent · group", "urgent_individual": "urgent · individual",
              "routine_group": "routine · group", "routine_individual": "routine · individual"},
    "category": {"regulator": "regulator", "complaint": "complaint channel", "media": "media",
                 "police": "police", "legal": "lawyer / lawsuit", "protest": "protest", "camera": "camera",
                 "extreme": "extreme statement", "safety": "safety", "other": "other"},
    "observation": {"headcount": "others with the same problem", "emotion": "extreme emotion",
                    "consistency": "demands coordinated"},
    "reason": {"group": "group complaint (%(headcount)s people)",
               "headcount_over": "more than %(threshold)s people",
               "safety": "safety issue", "emotion": "extreme emotion or escalation threat",
               "consistency": "coordinated demands", "keywords": "risk keywords: %(terms)s",
               "vulnerable_on_site": "vulnerable people on site", "media_present": "media present",
               "angry": "angry complainants", "floor_d": "group or urgent: at least a team lead",
               "escalation": "escalated: %(reason)s",
               # -- intake (issue 12)
               "media_story": "media story published",
               "regulator_and_media": "regulator involved and a media story published: grade A"},
    # Timeline event types; features add theirs here so every page and export names them alike.
    "event": {"incident.opened": "incident opened", "intake.updated": "intake updated",
              "intake.read_back_confirmed": "read-back confirmed by the complainant",
              "note.added": "note added", "grade.changed": "grade changed",
              "status.changed": "status changed",
              # -- task group (issue 3)
              "taskgroup.seat_assigned": "seat assigned", "taskgroup.seat_replaced": "seat handed over",
              "taskgroup.seat_released": "seat released", "taskgroup.formed": "task group formed",
              "taskgroup.formation_missed": "task group not formed in time",
              "taskgroup.formation_started": "formation clock started: the case became a group",  # issue 12
              "taskgroup.consent_recorded": "consent to recording given",
              "taskgroup.recording_added": "recording added",
              # -- realtime (issue 3)
              # -- crowd (issue 4)
              "claimant.added": "claimant added", "claimant.updated": "claimant edited",
              "claimant.withdrawn": "claimant withdrew", "claimants.imported": "claimants imported",
              "contact.revealed": "contact number revealed",
              "representative.elected": "representative elected",
              "representative.mandate_attached": "signed mandate attached",
              "representative.replaced": "representative replaced",
              "representative.revoked": "representative revoked",
              # -- demands and samples (issue 4)
              "sample.drawn": "verification sample drawn",
              "sample.outcome_recorded": "sample outcome recorded",
              "sample.evidence_added": "sample evidence attached",
              "demand.template_created": "demand item created",
              "demand.item_overridden": "demand changed for one claimant",
              "demand.offered": "offer made",
              "demand.accepted": "offer accepted",
              "demand.rejected": "offer rejected",
              "demand.fulfilled": "demand fulfilled",
              "demand.confirmed": "fulfilment confirmed by the claimant",
              "demand.indemnity_approved": "indemnity (赔偿) approved by legal",
              "demand.ceiling_set": "compliance ceiling set",
              # -- playbooks (issue 5)
              "playbook.attached": "playbook added", "playbook.dropped": "playbook dropped",
              "playbook.step_done": "checklist step done", "playbook.reminder_sent": "deadline reminder sent",
              "playbook.step_overdue": "checklist step overdue",
              "playbook.deadlines_set": "deadlines set from their anchor",
              # -- intake follow-up (issue 12)
              "playbook.proposed": "playbook proposed", "playbook.proposal_dismissed": "playbook proposal dismissed",
              "notify.channel_added": "group robot added", "notify.channel_removed": "group robot removed",
              # -- agreements (issue 6)
              "agreement.drafted": "agreement drafted", "agreement.terms_changed": "agreement terms changed",
              "agreement.submitted": "agreement sent to legal review",
              "agreement.approved": "agreement approved by legal",
              "agreement.returned": "agreement returned by legal", "agreement.signed": "agreement signed",
              "agreement.sealed": "agreement sealed", "agreement.voided": "agreement voided",
              "agreement.batch_started": "agreement batch started",
              "agreement.batch_progress": "agreement batch progress",
              "agreement.batch_finished": "agreement batch finished",
              },
    # Request fields, for error messages in the user's language.
    "field": {"core_demand": "core demand", "headcount": "headcount", "scope_text": "scope",
              "channel": "channel", "complaint_object": "object of the complaint", "contacts": "contacts",
              "contacts.name": "contact name", "contacts.phone": "contact phone",
              "circumstances": "special circumstances", "occurred_at": "time of the events",
              "emotion": "emotional state", "demand_type": "type of demand", "anonymous": "anonymous",
              "title": "title", "place": "place", "complainant_name": "complainant name",
              "prior_contact": "already went to", "safety_issue": "safety issue",
              "demands_consistent": "demands the same", "notes": "notes", "text": "text",
              "reason": "reason", "status": "status", "version": "version", "username": "username",
              "password": "password", "role": "role", "term": "term", "category": "category",
              "weight": "weight", "confirmed_by": "confirmed by", "csrf_token": "security token",
              "body": "request body", "after": "after", "display_name": "display name", "phone": "phone",
              "id_number": "ID number", "name": "name",
              # crowd
              "unit": "unit or order number", "segment": "segment", "file": "file", "mode": "import mode",
              "mandate": "mandate", "claimant_id": "claimant", "claimant_ids": "claimants",
              "segments": "segments", "representative_id": "representative", "field": "field",
              # demands, samples, agreements, task group, queries
              "amount": "amount",
              "remedy": "remedy",
              "owner": "owner",
              "deadline": "deadline",
              "type": "type",
              "note": "note",
              "description": "description",
              "claim": "claim to verify",
              "decision": "decision",
              "step": "offer step",
              "outcome": "outcome",
              "kind": "kind",
              "seat": "seat",
              "label": "seat name",
              "comments": "comments",
              "signature": "signature",
              "signer": "signer",
              "locale": "language",
              "clauses": "clauses",
              "k": "sample size",
              "stratified": "stratified",
              "item_id": "demand item",
              "item_ids": "demand items",
              "template_id": "demand template",
              "draw_id": "sample",
              "member_id": "sampled claimant",
              "agreement_id": "agreement",
              "batch_id": "batch",
              "user_id": "person",
              "outside_name": "outside person's name",
              "holder": "person",
              "assignment_id": "seat tenure",
              "method": "method",
              "caption": "caption",
              "payment_kind": "payment kind",
              "items": "items",
              "facts": "facts",
              "id_display": "ID number display",
              "incident_id": "incident",
              "attachment_id": "attachment",
              "playbook": "playbook",
              "query": "search",
              "limit": "limit",
              "offset": "offset",
              "q": "search",},
    # What an Action lets one do (incident.access.permissions), for refusals in the user's language.
    "action": {"incident.open": "open an incident", "incident.list": "see the incident list", "user.manage": "manage user accounts", "lexicon.edit": "edit the risk keywords", "incident.view": "view this incident", "intake.edit": "edit the intake record", "readback.confirm": "confirm the read-back", "note.add": "add a note", "incident.escalate": "escalate the incident", "incident.close": "change the incident's status", "taskgroup.change": "change the task group", "recording.consent": "record consent to recording", "recording.add": "add a recording", "claimant.edit": "edit the claimant registry", "contact.reveal": "reveal contact numbers", "representative.edit": "change representatives", "sample.draw": "draw a verification sample", "sample.record": "record sample outcomes", "demand.edit": "edit demand items", "demand.offer": "make or record offers", "ceiling.set": "set compliance ceilings", "indemnity.approve": "approve indemnity (赔偿) items", "playbook.manage": "add or drop playbooks", "step.tick": "tick checklist steps", "agreement.draft": "draft agreements", "agreement.review": "review agreements as legal", "agreement.sign": "record a signature", "agreement.seal": "seal agreements", "template.edit": "edit agreement templates", "user.disable": "disable or enable user accounts", "user.reset_password": "reset passwords", "user.qualify": "grant the legal qualification", "account.policy": "change the account rules", "security.view": "see the security log",
               # -- notifications (issue 12)
               "notify.configure": "configure the organisation's group robots",
               "notify.edit": "configure this incident's group robots"},
    "role": {"admin": "administrator", "manager": "manager", "staff": "staff"},
    # -- crowd, samples and demands: stored states, for the event renderer and the sections
    "claimant_status": {"active": "active", "withdrawn": "withdrawn", "settled": "settled"},
    "mandate": {"negotiate_only": "negotiates only", "sign_on_behalf": "may sign on behalf"},
    "representative_status": {"active": "active", "replaced": "replaced", "revoked": "revoked"},
    "sample_outcome": {"pending": "pending", "confirmed": "confirmed", "refuted": "refuted",
                       "partly": "partly confirmed", "unreachable": "unreachable"},
    "item_status": {"open": "open", "offered": "offered", "accepted": "accepted", "rejected": "rejected",
                    "fulfilled": "fulfilled", "confirmed": "confirmed by the claimant"},
    "import_mode": {"all_or_nothing": "all or nothing", "skip_invalid": "skip invalid rows"},
    "offer_outcome": {"pending": "awaiting the answer", "accepted": "accepted", "rejected": "rejected"},
    # -- task group
    "consent_method": {"spoken": "spoken consent", "written": "written consent"},
    "recording_kind": {"audio": "audio", "video": "video"},
}

# -- accounts (issue 10): account changes and the fields of the account forms
LABELS["account_event"] = {
    "created": "account created", "updated": "account changed", "disabled": "account disabled",
    "enabled": "account enabled again", "password_reset": "password reset by the admin",
    "password_changed": "password changed", "totp_reset": "two-factor reset by the admin",
    "totp_enabled": "two-factor turned on", "totp_disabled": "two-factor turned off"}
LABELS["field"].update({
    "new_password": "new password", "current_password": "current password", "code": "code",
    "is_legal": "legal staff", "session_id": "session", "locale": "language", "user_id": "user",
    "require_totp_for_legal": "two-factor for legal staff"})

# -- public side (issue 15): its events, action, claimant status, code kinds and fields
LABELS["event"].update({
    "public.code_issued": "public code issued", "public.code_revoked": "public code revoked",
    "public.codes_issued": "claimant codes issued",
    "public.stage_changed": "public stage changed", "public.update_published": "public update published",
    "claimant.self_registered": "complainant registered on site",
    "claimant.registration_confirmed": "self-registrations confirmed",
    "claimant.registration_rejected": "self-registrations rejected",
    "public.survey_answered": "satisfaction survey answered"})
LABELS["action"]["public.manage"] = "manage the public progress page and codes"
LABELS["claimant_status"].update({"pending": "pending confirmation", "rejected": "rejected"})
LABELS["public_agreement"] = {"in_preparation": "in preparation", "signed": "signed, awaiting the seal",
                              "sealed": "sealed", "void": "voided", "not_sealed": "not sealed"}
LABELS["verdict_public"] = {"intact": "intact: sealed by us and unchanged", "modified": "modified after sealing",
                            "unknown_signer": "signed by an unknown signer", "unsigned": "not signed",
                            "not_pdf": "not a PDF file"}
LABELS["survey_score"] = {"5": "very satisfied", "4": "satisfied", "3": "neutral", "2": "unsatisfied",
                          "1": "very unsatisfied"}
LABELS["survey_reason"] = {"speed": "how fast it went", "attitude": "the staff's attitude", "outcome": "the outcome",
                           "information": "being kept informed", "fairness": "fair treatment"}
# What became of a survey answer (incident.public.callback_feed.Fate), in the staff's words.
LABELS["survey_fate"] = {"recorded": "recorded on the callback", "waiting": "waiting for the callback to be scheduled",
                         "completed": "the callback was already completed; kept for the record",
                         "closed": "given after the incident was closed; kept for the record",
                         "represented": "their representative is called back for them; kept for the record"}
LABELS["code_kind"] = {"incident": "incident code", "claimant": "claimant code", "survey": "survey link"}
LABELS["field"].update({
    "kind": "kind", "code_id": "code", "stage": "stage", "names": "stage names", "text": "text",
    "next_update_due": "next update due", "consent": "consent to the privacy notice", "demand": "demand",
    "last4": "last four digits of the phone", "score": "score", "reasons": "reasons",
    "claimant_ids": "claimants", "token": "link"})
# -- callbacks and the written reply (issue 13): actions and form fields
LABELS["action"].update({
    "reply.draft": "draft or edit the written reply", "reply.approve": "approve the written reply as leader",
    "reply.approve_legal": "approve the written reply as legal", "reply.issue": "issue the written reply",
    "callback.record": "record callbacks"})
LABELS["field"].update({
    "satisfaction": "satisfaction", "reasons": "reasons", "reached": "reached", "channel": "channel",
    "callback_id": "callback", "reply_id": "written reply", "measures": "measures", "opening": "opening",
    "closing": "closing", "contact": "contact", "parts": "template parts"})


def label(_: Callable[..., str], kind: str, value: str | None) -> str:
    """Translated label of an enum value; the raw value when unknown."""
    if value is None:
        return ""
    return _(LABELS.get(kind, {}).get(value, value))


def reason_text(_: Callable[..., str], reason: dict[str, object]) -> str:
    """One triage reason as a sentence."""
    code = str(reason.get("code"))
    template = LABELS["reason"].get(code, code)
    params = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in reason.items()}
    try:
        return _(template, **params) if "%(" in template else _(template)
    except (KeyError, ValueError):
        return _(template)


def field_label(_: Callable[..., str], field: str | None) -> str | None:
    """The translated name of a request field ("contacts[0].phone" → contact phone)."""
    if not field:
        return field
    import re
    key = re.sub(r"\[\d+\]", "", field)
    known = LABELS["field"].get(key) or LABELS["field"].get(key.rsplit(".", 1)[-1])
    return _(known) if known else field

# -- opinion watch (issue 14)
LABELS["action"].update({
    "opinion.record": "record watched posts and their figures",
    "opinion.reply": "record the reply to a negative post"})

# -- the review of a period (issue 14)
LABELS["action"]["review.view"] = "see the review of a period"
