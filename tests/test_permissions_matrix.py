"""The permission matrix, exhaustively: every /api/v1 route and every socket event × every principal.

A request gets 403 exactly when incident.access.permissions.allowed() says no for the action that
realtime.http.access declares for it. Principals: admin, manager, a staff non-member, and a staff
user on each seat of the incident. Bodies are empty and path ids other than the incident's point
nowhere, so allowed calls end in 2xx/4xx without changing who holds which seat. Routes keyed by
another resource (agreement_id, batch_id) are resolved through INCIDENT_RESOLVERS at run time;
with no such resource here they are left to that feature's tests.
"""
from __future__ import annotations

import re
import warnings
from typing import Any

import pytest

from incident.access.permissions import Action, allowed
from incident.enums import Seat
from realtime.http.access import (
    CUSTOM,
    ENDPOINT_ACTIONS,
    SOCKET_ACTIONS,
    incident_scoped,
)
from tests.factories import give_seat, make_incident
from tests.taskgroup.users import quick_user, session_client

NOWHERE = 999999
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # access does not depend on the DB


def api_rules(app) -> list[Any]:  # type: ignore[no-untyped-def]
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")),
                  key=lambda r: r.rule)


def socket_events(app) -> set[str]:  # type: ignore[no-untyped-def]
    """Every event name the Socket.IO server handles on "/" (namespace classes and decorators)."""
    from realtime.extensions import socketio
    server = socketio.server
    names = set(server.handlers.get("/", {}))
    ns = server.namespace_handlers.get("/")
    if ns is not None:
        names |= {m[3:] for m in dir(ns) if m.startswith("on_") and callable(getattr(ns, m))}
    return names - {"connect", "disconnect", "*"}


@pytest.fixture
def principals(session, app):  # type: ignore[no-untyped-def]
    """name -> (api client, role, seats on the incident, qualifications); one incident for all.

    The legal seat is held by legal staff; "qual:legal" is legal staff without a seat (an unqualified
    holder of the legal seat is tested in tests/accounts/test_escalation.py)."""
    leader = quick_user(session, "staff")
    inc = make_incident(session, leader)
    people: dict[str, tuple[Any, str, set[str], frozenset[str]]] = {}
    none: frozenset[str] = frozenset()
    for role in ("admin", "manager", "staff"):
        people[role] = (quick_user(session, role), role, set(), none)
    people["seat:leader"] = (leader, "staff", {"leader"}, none)
    for seat in Seat:
        if seat is not Seat.LEADER:
            legal = seat is Seat.LEGAL
            u = quick_user(session, "staff", is_legal=legal)
            give_seat(session, inc, u, seat.value, label="custom" if seat is Seat.AUXILIARY else "")
            people[f"seat:{seat.value}"] = (u, "staff", {seat.value}, frozenset({"legal"}) if legal else none)
    # -- accounts (issue 10): the qualification, with and without the seat
    people["qual:legal"] = (quick_user(session, "staff", is_legal=True), "staff", set(), frozenset({"legal"}))
    session.commit()
    return inc, {name: (session_client(app, session, u), role, seats, quals)
                 for name, (u, role, seats, quals) in people.items()}


@sqlite_only
def test_every_api_route_declares_its_action(app):
    missing = sorted({r.endpoint for r in api_rules(app)} - set(ENDPOINT_ACTIONS))
    assert not missing, "add these endpoints to ENDPOINT_ACTIONS in realtime/http/access.py: " + \
        ", ".join(missing)
    stale = sorted(set(ENDPOINT_ACTIONS) - set(app.view_functions))
    assert not stale, "ENDPOINT_ACTIONS names endpoints that do not exist: " + ", ".join(stale)


@sqlite_only
def test_every_socket_event_declares_its_action(app):
    events = socket_events(app)
    assert "join" in events
    missing = sorted(events - set(SOCKET_ACTIONS))
    assert not missing, "add these socket events to SOCKET_ACTIONS in realtime/http/access.py: " + \
        ", ".join(missing)


@sqlite_only
def test_http_matrix(app, principals):
    inc, people = principals
    wrong, crashed, checked = [], [], 0
    for rule in api_rules(app):
        if rule.endpoint not in ENDPOINT_ACTIONS:
            continue  # reported by test_every_api_route_declares_its_action
        action = ENDPOINT_ACTIONS[rule.endpoint]
        if action == CUSTOM:
            continue  # the view's own rule; covered by that feature's tests
        if incident_scoped(action) and "incident_id" not in rule.arguments:
            continue  # keyed by another resource (agreement_id…): nothing exists here, the view says 404
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>",
                     lambda m: str(inc.id if m.group(1) == "incident_id" else NOWHERE), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for name, (api, role, seats, quals) in people.items():
                may = action is None or allowed(action, role, seats, quals)  # type: ignore[arg-type]
                try:
                    if method == "GET":
                        status = api.get(url).status_code
                    else:
                        status = api._send(method, url, {}).status_code
                except Exception as exc:  # a crash happens after the access check: not a 403
                    crashed.append(f"{method} {url} as {name}: {exc!r}")
                    status = 500
                checked += 1
                if (status == 403) == may:
                    wrong.append(f"{method} {rule.rule} [{rule.endpoint} needs {action}] as {name}: "
                                 f"{status}, expected {'not 403' if may else '403'}")
    if crashed:
        warnings.warn("routes crashing on an empty body:\n" + "\n".join(crashed[:20]))
    assert checked >= len(people) * 20
    assert not wrong, "\n".join(wrong)


@sqlite_only
def test_anonymous_gets_401_everywhere(app):
    client = app.test_client()
    for rule in api_rules(app):
        if "GET" not in (rule.methods or set()) or ENDPOINT_ACTIONS.get(rule.endpoint, 0) is None:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        assert client.get(url, headers={"Accept": "application/json"}).status_code == 401, url


@sqlite_only
def test_socket_matrix(app, principals):
    from realtime.extensions import socketio
    inc, people = principals
    wrong = []
    for name, (api, role, seats, quals) in people.items():
        sock = socketio.test_client(app, flask_test_client=api.client, headers={"Origin": "http://localhost"})
        assert sock.is_connected(), name
        for event in sorted(socket_events(app)):
            action = SOCKET_ACTIONS[event]
            may = action is None or allowed(action, role, seats, quals)
            ack = sock.emit(event, {"incident_id": inc.id, "after": 0}, callback=True)
            refused = isinstance(ack, dict) and ack.get("error") == "forbidden"
            if refused == may:
                wrong.append(f"{event} [{action}] as {name}: ack {ack!r:.120}, expected "
                             f"{'accepted' if may else 'forbidden'}")
        sock.disconnect()
    assert not wrong, "\n".join(wrong)


def test_matrix_covers_every_action_on_some_route():
    """Sanity: the table uses real actions, and the task-group ones are all routed."""
    used = {a for a in ENDPOINT_ACTIONS.values() if isinstance(a, Action)}
    assert set(ENDPOINT_ACTIONS.values()) - used <= {None, CUSTOM}
    assert used <= set(Action)
    assert {Action.TASKGROUP_CHANGE, Action.RECORDING_CONSENT, Action.RECORDING_ADD} <= used


def test_a_qualified_seat_confers_nothing_without_its_qualification():
    """issue 10: the legal seat's powers need the legal qualification; templates need only that."""
    from incident.access.permissions import ORG_ACTIONS, required_qualification
    legal_only = {a for a in Action if required_qualification(a) == "legal"}
    assert {Action.AGREEMENT_REVIEW, Action.AGREEMENT_SEAL, Action.CEILING_SET, Action.INDEMNITY_APPROVE,
            Action.TEMPLATE_EDIT} <= legal_only
    for action in legal_only:
        assert not allowed(action, "staff", {"legal"}), action
        assert not allowed(action, "admin", set()), action
    for action in legal_only - ORG_ACTIONS:
        assert allowed(action, "staff", {"legal"}, {"legal"}) and not allowed(action, "staff", set(), {"legal"})
    assert allowed(Action.TEMPLATE_EDIT, "staff", set(), {"legal"})
    assert allowed(Action.INCIDENT_VIEW, "staff", {"legal"})  # still a member
