"""Socket.IO in-process: login required, access checked on every event, each commit pushed once."""
from __future__ import annotations

from typing import Any

import pytest

from incident import service
from realtime.extensions import socketio
from realtime.sockets import user_room
from tests.conftest import login
from tests.factories import PASSWORD, give_seat, make_incident, make_user


def socket_as(app: Any, session: Any, user: Any) -> Any:
    session.commit()
    http = app.test_client()
    login(http, user.username, PASSWORD)
    return socketio.test_client(app, flask_test_client=http)


def received(client: Any, name: str) -> list[Any]:
    return [m["args"][0] for m in client.get_received() if m["name"] == name]


@pytest.fixture
def two_incidents(session):  # type: ignore[no-untyped-def]
    """Incident A with member `a`, incident B with member `b` (both staff: no oversight)."""
    opener = make_user(session, "manager")
    a, b = make_user(session, "staff"), make_user(session, "staff")
    inc_a, inc_b = make_incident(session, opener), make_incident(session, opener)
    give_seat(session, inc_a, a, "customer_service")
    give_seat(session, inc_b, b, "customer_service")
    session.commit()
    return {"a": a, "b": b, "A": inc_a, "B": inc_b, "opener": opener}


def test_unauthenticated_connect_is_refused(app):
    client = socketio.test_client(app)
    assert not client.is_connected()


def test_member_joins_and_receives_each_committed_event_once(app, session, two_incidents, api_as):
    t = two_incidents
    sock = socket_as(app, session, t["a"])
    assert sock.is_connected()
    reply = sock.emit("join", {"incident_id": t["A"].id, "after": 0}, callback=True)
    assert reply["ok"] and reply["incident_id"] == t["A"].id
    assert [e["seq"] for e in reply["events"]] == list(range(1, t["A"].last_seq + 1))
    sock.get_received()

    resp = api_as(t["a"]).post(f"/api/v1/incidents/{t['A'].id}/notes", json={"text": "水泵已到场"})
    assert resp.status_code == 201
    events = received(sock, "timeline")
    assert len(events) == 1
    assert events[0]["seq"] == reply["last_seq"] + 1 and events[0]["payload"]["text"] == "水泵已到场"


def test_join_after_returns_only_the_missed_events(app, session, two_incidents):
    t = two_incidents
    for text in ("一", "二"):
        service.add_note(session, actor=t["a"].actor, incident_id=t["A"].id, text=text)
    session.commit()
    last = t["A"].last_seq
    sock = socket_as(app, session, t["a"])
    reply = sock.emit("join", {"incident_id": t["A"].id, "after": last - 2}, callback=True)
    assert [e["seq"] for e in reply["events"]] == [last - 1, last]


def test_member_of_a_cannot_join_or_watch_b(app, session, two_incidents, api_as):
    t = two_incidents
    sock = socket_as(app, session, t["a"])
    assert sock.emit("join", {"incident_id": t["A"].id}, callback=True)["ok"]
    refused = sock.emit("join", {"incident_id": t["B"].id, "after": 0}, callback=True)
    assert refused["ok"] is False and refused["status"] == 403 and refused["error"] == "forbidden"
    assert "events" not in refused
    peek = sock.emit("presence", {"incident_id": t["B"].id}, callback=True)
    assert peek["ok"] is False and peek["status"] == 403
    sock.get_received()

    # an event committed on B never reaches a's socket; one on A does
    assert api_as(t["b"]).post(f"/api/v1/incidents/{t['B'].id}/notes", json={"text": "B"}).status_code == 201
    assert api_as(t["a"]).post(f"/api/v1/incidents/{t['A'].id}/notes", json={"text": "A"}).status_code == 201
    assert [e["incident_id"] for e in received(sock, "timeline")] == [t["A"].id]


def test_member_of_a_cannot_act_on_b_over_http(app, session, two_incidents, api_as):
    t = two_incidents
    before = t["B"].last_seq
    resp = api_as(t["a"]).post(f"/api/v1/incidents/{t['B'].id}/notes", json={"text": "越权"})
    assert resp.status_code == 403
    assert api_as(t["a"]).get(f"/api/v1/incidents/{t['B'].id}/presence").status_code == 403
    session.expire_all()
    assert service.get(session, t["B"].id).last_seq == before


@pytest.mark.parametrize("data, field", [
    ({"incident_id": "1"}, "incident_id"), ({}, "incident_id"), ({"incident_id": True}, "incident_id"),
    ({"incident_id": 0}, "incident_id"), ("nonsense", "incident_id"),
    ({"incident_id": "A", "after": 0}, "incident_id"),
])
def test_bad_join_payload_names_the_field(app, session, two_incidents, data, field):
    sock = socket_as(app, session, two_incidents["a"])
    reply = sock.emit("join", data, callback=True)
    assert reply["ok"] is False and reply["status"] == 400 and reply["field"] == field


@pytest.mark.parametrize("after", [-1, "3", 1.5, None])
def test_bad_after_names_the_field(app, session, two_incidents, after):
    t = two_incidents
    sock = socket_as(app, session, t["a"])
    reply = sock.emit("join", {"incident_id": t["A"].id, "after": after}, callback=True)
    assert reply["ok"] is False and reply["status"] == 400 and reply["field"] == "after"
    sock.get_received()
    # a refused join does not enter the room
    service.add_note(session, actor=t["a"].actor, incident_id=t["A"].id, text="x")
    session.commit()
    assert received(sock, "timeline") == []


def test_unknown_incident_is_404(app, session, two_incidents):
    sock = socket_as(app, session, two_incidents["a"])
    reply = sock.emit("join", {"incident_id": 999_999}, callback=True)
    assert reply["ok"] is False and reply["status"] == 404


def test_logout_ends_what_an_open_socket_may_do(app, session, two_incidents):
    t = two_incidents
    session.commit()
    http = app.test_client()
    csrf = login(http, t["a"].username, PASSWORD)
    sock = socketio.test_client(app, flask_test_client=http)
    assert sock.emit("join", {"incident_id": t["A"].id}, callback=True)["ok"]
    http.post("/logout", data={"csrf_token": csrf})
    # issue 10: the server disconnects the socket of the ended session (it told it why first)
    assert not sock.is_connected()


def test_personal_room_receives_notifications(app, session, two_incidents):
    t = two_incidents
    sock_a, sock_b = socket_as(app, session, t["a"]), socket_as(app, session, t["b"])
    socketio.emit("notification", {"text": "hello"}, to=user_room(t["a"].id))
    assert received(sock_a, "notification") == [{"text": "hello"}]
    assert received(sock_b, "notification") == []
