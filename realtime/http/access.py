"""Which permission every API endpoint and socket event needs — declared once, enforced for all.

`ENDPOINT_ACTIONS` maps a Flask endpoint ("blueprint.view") to the `Action` of
incident.permissions it requires, or to `LOGGED_IN` when any logged-in user may call it.
A before-request hook enforces it *before* the view runs (so a forbidden caller gets 403, never
a 400 about its body); incident-level actions take the incident from the `incident_id` URL
argument. Views still call the services, which check again (defence in depth).
Every route under /api/v1 must have an entry: tests/test_permissions_matrix.py fails otherwise,
and it tests each entry against every role and seat. Add yours at your feature's marker.
"""
from __future__ import annotations

from flask import Flask, request

from incident.permissions import ORG_ACTIONS, Action, require
from realtime.auth import actor, current_user
from realtime.dbsession import db

LOGGED_IN = None  # any logged-in user; the login gate (realtime.auth) has already checked that

ENDPOINT_ACTIONS: dict[str, Action | None] = {
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
    # -- crowd (issue 4)
    # -- demands and samples (issue 4)
    # -- playbooks (issue 5)
    # -- agreements (issue 6)
}

# Socket.IO events (namespace "/") and the action each needs on the incident named by the
# event's "incident_id"; a refused event acknowledges {"ok": false, "error": "forbidden", ...}.
SOCKET_ACTIONS: dict[str, Action | None] = {
    "join": Action.INCIDENT_VIEW,
    # -- realtime (issue 3)
    "presence": Action.INCIDENT_VIEW,
    "leave": LOGGED_IN,
}


def incident_scoped(action: Action | None) -> bool:
    return action is not None and action not in ORG_ACTIONS


def check_request() -> None:
    """Enforce ENDPOINT_ACTIONS for the current request (403 before the view runs)."""
    endpoint = request.endpoint
    if endpoint not in ENDPOINT_ACTIONS or current_user() is None:
        return  # unlisted (pages, static) or anonymous: the login gate has already answered
    action = ENDPOINT_ACTIONS[endpoint]
    if action is None:
        return
    incident_id = (request.view_args or {}).get("incident_id") if incident_scoped(action) else None
    require(db(), actor(), action, incident_id)


def register(app: Flask) -> None:
    app.before_request(check_request)
