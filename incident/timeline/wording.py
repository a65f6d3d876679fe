"""The words of the core's, the task group's and the crowd's timeline events (see render.py)."""
from __future__ import annotations

from typing import Any

from incident.timeline.render import Say, detail

ENUM_FIELDS = {"channel": "channel", "complaint_object": "complaint_object", "emotion": "emotion",
               "demand_type": "demand_type", "status": "status", "scope": "scope"}


def _value(say: Say, field: str, value: Any) -> str:
    if field in ENUM_FIELDS:
        return say.label(ENUM_FIELDS[field], value) or "—"
    if field == "circumstances" and isinstance(value, list):
        return "、".join(say.label("circumstance", v) for v in value) or "—"
    if isinstance(value, bool):
        return say("yes") if value else say("no")
    if field.endswith("_at") and value:
        return say.time(value)
    if value in (None, "", []):
        return "—"
    return say.text(value, 40)


def _diff(say: Say, diff: Any) -> str:
    """Changed fields with their old and new values, in words."""
    if not isinstance(diff, dict):
        return ""
    parts = []
    for field, change in diff.items():
        if isinstance(change, dict) and "from" in change:
            parts.append(f"{say.field(field)}: {_value(say, field, change['from'])} → "
                         f"{_value(say, field, change.get('to'))}")
        else:
            parts.append(say.field(field))
    return "; ".join(parts)


def _headcount(say: Say, p: dict[str, Any]) -> str:
    h = p.get("headcount")
    if isinstance(h, dict) and h.get("from") != h.get("to"):
        return say("headcount %(a)s → %(b)s", a=h.get("from"), b=h.get("to"))
    return ""


# -- the incident ---------------------------------------------------------------------------------

@detail("incident.opened")
def _opened(say: Say, p: dict[str, Any]) -> str:
    intake, triage = p.get("intake") or {}, p.get("triage") or {}
    return say.join(p.get("ref"), triage.get("grade") and say("grade %(g)s", g=triage["grade"]),
                    intake.get("headcount") and say("%(n)s people", n=intake["headcount"]),
                    say.label("channel", intake.get("channel")))


@detail("intake.updated")
def _intake(say: Say, p: dict[str, Any]) -> str:
    return say.join(_diff(say, p.get("diff")), say("read-back voided") if p.get("readback_voided") else "")


@detail("intake.read_back_confirmed")
def _readback(say: Say, p: dict[str, Any]) -> str:
    return say("confirmed by %(who)s", who=p.get("confirmed_by_complainant") or say("the complainant"))


@detail("note.added")
def _note(say: Say, p: dict[str, Any]) -> str:
    return say.text(p.get("text"), 200)


@detail("grade.changed")
def _grade(say: Say, p: dict[str, Any]) -> str:
    cause = p.get("cause")
    why = say("escalated: %(reason)s", reason=say.text(p.get("reason"), 80)) if cause == "escalation" \
        else say("after: %(event)s", event=say.label("event", cause)) if cause else ""
    return say.join(f"{p.get('from')} → {p.get('to')}", why)


@detail("status.changed")
def _status(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.change("status", p.get("from"), p.get("to")), say.text(p.get("reason"), 80))


# -- the task group ---------------------------------------------------------------------------------

def _seat(say: Say, p: dict[str, Any]) -> str:
    seat = say.label("seat", p.get("seat"))
    return f"{seat} · {p['label']}" if p.get("label") else seat


@detail("taskgroup.seat_assigned", "taskgroup.seat_released")
def _seat_holder(say: Say, p: dict[str, Any]) -> str:
    return f"{_seat(say, p)}: {(p.get('holder') or {}).get('name', '')}"


@detail("taskgroup.seat_replaced")
def _seat_replaced(say: Say, p: dict[str, Any]) -> str:
    before, after = (p.get("previous") or {}).get("name", ""), (p.get("holder") or {}).get("name", "")
    return f"{_seat(say, p)}: {before} → {after}"


@detail("taskgroup.formed")
def _formed(say: Say, p: dict[str, Any]) -> str:
    minutes = p.get("minutes_from_opening")
    took = say("%(n)s min after opening", n=round(minutes)) if minutes is not None else ""
    return say.join(took, say("late") if p.get("late") else say("on time"))


@detail("taskgroup.formation_missed")
def _formation_missed(say: Say, p: dict[str, Any]) -> str:
    return say("was due %(at)s", at=say.time(p.get("due_at")))


# -- intake (issue 12)
@detail("taskgroup.formation_started")
def _formation_started(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("headcount") and say("now a group of %(n)s people", n=p["headcount"]),
                    say("form the task group by %(at)s", at=say.time(p.get("due_at"))))


@detail("taskgroup.consent_recorded")
def _consent(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("consented_by"), say.label("consent_method", p.get("method")),
                    p.get("recorder") and say("recorder %(name)s", name=p["recorder"]))


@detail("taskgroup.recording_added")
def _recording(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("recording_kind", p.get("kind")), say.text(p.get("caption") or p.get("filename"), 80))


# -- claimants and representatives -----------------------------------------------------------------

def _person(p: dict[str, Any]) -> str:
    return Say.join(p.get("name"), p.get("unit"))


@detail("claimant.added")
def _claimant_added(say: Say, p: dict[str, Any]) -> str:
    return say.join(_person(p), _headcount(say, p))


@detail("claimant.updated")
def _claimant_updated(say: Say, p: dict[str, Any]) -> str:
    changed = p.get("diff") or {}
    return say.join(p.get("name"), "、".join(say.field(f) for f in changed) if isinstance(changed, dict) else "")


@detail("claimant.withdrawn")
def _claimant_withdrawn(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("name"), say.text(p.get("reason"), 80), _headcount(say, p))


@detail("claimants.imported")
def _imported(say: Say, p: dict[str, Any]) -> str:
    stored = say("%(stored)s of %(rows)s rows stored", stored=p.get("stored", 0), rows=p.get("rows", 0))
    return say.join(stored, p.get("filename"), _headcount(say, p))


@detail("contact.revealed")
def _revealed(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("name"), say.field(str(p.get("field") or "phone")), say.text(p.get("reason"), 80))


@detail("representative.elected")
def _elected(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("name"), say.label("mandate", p.get("mandate")))


@detail("representative.mandate_attached")
def _mandate(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("mandate", p.get("mandate")), (p.get("attachment") or {}).get("filename"))


@detail("representative.replaced")
def _replaced(say: Say, p: dict[str, Any]) -> str:
    return say.join(f"{p.get('previous_name', '')} → {p.get('name', '')}", say.text(p.get("reason"), 80))


@detail("representative.revoked")
def _revoked(say: Say, p: dict[str, Any]) -> str:
    return say.join(p.get("name"), say.text(p.get("reason"), 80))


# -- samples and demands ----------------------------------------------------------------------------

@detail("sample.drawn")
def _drawn(say: Say, p: dict[str, Any]) -> str:
    k = say("%(k)s of %(n)s claimants", k=p.get("k"), n=p.get("population_size"))
    return say.join(k, say("stratified") if p.get("stratified") else "", say.text(p.get("claim"), 80))


@detail("sample.outcome_recorded")
def _outcome(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.change("sample_outcome", p.get("from"), p.get("to")), say.text(p.get("note"), 80))


@detail("sample.evidence_added", )
def _evidence(say: Say, p: dict[str, Any]) -> str:
    return str((p.get("attachment") or {}).get("filename") or "")


def _item(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.label("demand_type", p.get("type")), say.money(p.get("amount")),
                    say.text(p.get("remedy"), 60))


@detail("demand.template_created")
def _template(say: Say, p: dict[str, Any]) -> str:
    t = p.get("template") or {}
    n = p.get("item_count")
    return say.join(say.label("demand_type", t.get("type")), say.text(t.get("remedy"), 60),
                    say.money(t.get("amount")), t.get("owner"), n and say("for %(n)s claimants", n=n))


@detail("demand.item_overridden")
def _overridden(say: Say, p: dict[str, Any]) -> str:
    return say.join(_diff(say, p.get("diff")), say("indemnity approval voided") if p.get("approval_voided") else "")


@detail("demand.offered")
def _offered(say: Say, p: dict[str, Any]) -> str:
    n = len(p.get("item_ids") or [])
    return say.join(_item(say, p), say("for %(n)s claimants", n=n) if n > 1 else "",
                    p.get("step") and say("step %(n)s", n=p["step"]))


@detail("demand.accepted", "demand.rejected")
def _decided(say: Say, p: dict[str, Any]) -> str:
    return say.join(_item(say, p), say.text(p.get("note"), 80))


@detail("demand.fulfilled")
def _fulfilled(say: Say, p: dict[str, Any]) -> str:
    return say.join(say.change("item_status", p.get("from"), p.get("to")), say.text(p.get("note"), 80))


@detail("demand.confirmed")
def _confirmed(say: Say, p: dict[str, Any]) -> str:
    return say("confirmed by %(who)s", who=p.get("confirmed_by") or say("the claimant"))


@detail("demand.indemnity_approved")
def _indemnity(say: Say, p: dict[str, Any]) -> str:
    return say.join(say("%(n)s items", n=len(p.get("item_ids") or [])), say.text(p.get("note"), 80))


@detail("demand.ceiling_set")
def _ceiling(say: Say, p: dict[str, Any]) -> str:
    kind = say.label("demand_type", p.get("demand_type")) if p.get("demand_type") != "*" else say("any type")
    amounts = f"{say.money(p.get('from'))} → {say.money(p.get('to'))}" if p.get("from") else say.money(p.get("to"))
    return say.join(kind, amounts, say.text(p.get("note"), 80))
