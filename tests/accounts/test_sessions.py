"""Sessions: absolute lifetime on top of the idle timeout (injected clock), my sessions, ending them,
and sockets: an ended session's socket is disconnected and drops out of presence; a lost seat takes a
socket out of the incident's room."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_socketio import SocketIOTestClient

from incident import clock
from incident.accounts import service as accounts
from incident.accounts import throttle
from incident.accounts import sessions
from incident.accounts.models import LoginSession
from realtime.extensions import socketio
from tests.conftest import login
from tests.factories import PASSWORD, give_seat, make_incident, make_user

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)


def test_absolute_lifetime_ends_a_busy_session(session):
    user = make_user(session)
    with clock.frozen(T0) as c:
        ls = throttle.login(session, username=user.username, password=PASSWORD)
        for _ in range(7 * 4):  # active every 6 hours: never idle
            c.advance(hours=6)
            assert accounts.resolve_session(session, ls.id) is not None, c.current
            accounts.touch_session(session, ls.id)  # what each request does after resolving
            session.commit()
            session.expire_all()  # the UPDATE bypassed the identity map
        c.advance(hours=1)  # 7 days and 1 hour after login
        assert accounts.resolve_session(session, ls.id) is None


def test_lifetime_and_idle_are_configurable_and_idle_still_applies(session):
    user = make_user(session)
    try:
        sessions.configure(lifetime=timedelta(hours=2), idle=timedelta(minutes=30))
        with clock.frozen(T0) as c:
            ls = throttle.login(session, username=user.username, password=PASSWORD)
            c.advance(minutes=29)
            assert accounts.resolve_session(session, ls.id) is not None
            c.advance(minutes=31)  # idle too long
            assert accounts.resolve_session(session, ls.id) is None
            ls2 = throttle.login(session, username=user.username, password=PASSWORD)
            for _ in range(5):
                c.advance(minutes=25)
                accounts.resolve_session(session, ls2.id)
            assert accounts.resolve_session(session, ls2.id) is None  # 2 h 05 min old
    finally:
        sessions.configure(lifetime=sessions.DEFAULT_LIFETIME, idle=sessions.DEFAULT_IDLE)


def test_settings_read_the_lifetime_from_the_environment(tmp_path):
    from incident.settings import init_instance, load_settings
    init_instance(tmp_path)
    assert load_settings(tmp_path, env={}).session_lifetime == timedelta(days=7)
    s = load_settings(tmp_path, env={"CONCORD_SESSION_LIFETIME_DAYS": "1.5"})
    assert s.session_lifetime == timedelta(hours=36)


def test_disabled_user_and_revoked_session_are_not_usable(session):
    user = make_user(session)
    ls = throttle.login(session, username=user.username, password=PASSWORD)
    assert accounts.resolve_session(session, ls.id) is user
    user.active = False  # e.g. disabled directly in the database
    assert accounts.resolve_session(session, ls.id) is None
    user.active = True
    sessions.end(session, ls.id)
    assert accounts.resolve_session(session, ls.id) is None


def test_my_sessions_list_and_end_one_and_the_others(app, session):
    user = make_user(session)
    session.commit()
    phone, laptop, tablet = app.test_client(), app.test_client(), app.test_client()
    ua = {"User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/126.0 Mobile Safari/537.36"}
    phone.environ_base.update({"HTTP_USER_AGENT": ua["User-Agent"]})
    csrf = login(phone, user.username, PASSWORD)
    login(laptop, user.username, PASSWORD)
    login(tablet, user.username, PASSWORD)
    rows = phone.get("/api/v1/me/sessions").get_json()["sessions"]
    assert len(rows) == 3 and sum(r["current"] for r in rows) == 1
    mine = [r for r in rows if r["current"]][0]
    assert "Android 14" in mine["device"] and mine["address"] == "127.0.0.1"
    assert all(len(r["id"]) == 32 for r in rows)
    with phone.session_transaction() as s:
        assert s["sid"] not in {r["id"] for r in rows}  # the list never shows a cookie value
    other = [r for r in rows if not r["current"]][0]
    h = {"X-CSRF-Token": csrf}
    assert phone.post(f"/api/v1/me/sessions/{other['id']}/end", json={}, headers=h).status_code == 200
    assert phone.post("/api/v1/me/sessions/nope/end", json={}, headers=h).status_code == 404
    alive = [c.get("/api/v1/me").status_code for c in (laptop, tablet)]
    assert sorted(alive) == [200, 401]
    r = phone.post("/api/v1/me/sessions/end-others", json={}, headers=h)
    assert r.get_json()["sessions_ended"] == 1
    assert [c.get("/api/v1/me").status_code for c in (phone, laptop, tablet)] == [200, 401, 401]


def _socket(app, client) -> SocketIOTestClient:  # type: ignore[no-untyped-def]
    return socketio.test_client(app, flask_test_client=client, headers={"Origin": "http://localhost"})


def test_logout_elsewhere_disconnects_the_socket_and_drops_presence(app, session):
    user, watcher = make_user(session, "manager", display_name="王建国"), make_user(session, "manager")
    inc = make_incident(session, user)
    session.commit()
    a, b, w = app.test_client(), app.test_client(), app.test_client()
    login(a, user.username, PASSWORD)
    csrf_b = login(b, user.username, PASSWORD)
    login(w, watcher.username, PASSWORD)
    sock, wsock = _socket(app, a), _socket(app, w)
    assert sock.emit("join", {"incident_id": inc.id, "after": 0}, callback=True)["ok"]
    assert wsock.emit("join", {"incident_id": inc.id, "after": 0}, callback=True)["ok"]
    names = lambda: [u["name"] for u in wsock.emit("presence", {"incident_id": inc.id}, callback=True)["users"]]  # noqa: E731
    assert "王建国" in names()
    b.post("/api/v1/me/sessions/end-others", json={}, headers={"X-CSRF-Token": csrf_b})
    assert not sock.is_connected()
    assert "王建国" not in names()
    assert a.get("/api/v1/me").status_code == 401 and b.get("/api/v1/me").status_code == 200


def test_the_sweep_disconnects_sockets_whose_session_expired(app, session):
    user = make_user(session)
    session.commit()
    http = app.test_client()
    login(http, user.username, PASSWORD)
    sock = _socket(app, http)
    assert sock.is_connected()
    from realtime.sessions import control
    assert control.sweep_once(app) == 0
    session.get(type(user), user.id).active = False  # disabled behind the application's back
    session.commit()
    assert control.sweep_once(app) == 1
    assert not sock.is_connected()


def test_losing_the_seat_takes_the_socket_out_of_the_room(app, session):
    leader, member = make_user(session), make_user(session, display_name="赵磊")
    inc = make_incident(session, leader)
    row = give_seat(session, inc, member, "logistics", by=leader)
    session.commit()
    lc, mc = app.test_client(), app.test_client()
    csrf = login(lc, leader.username, PASSWORD)
    login(mc, member.username, PASSWORD)
    sock = _socket(app, mc)
    assert sock.emit("join", {"incident_id": inc.id, "after": 0}, callback=True)["ok"]
    sock.get_received()
    r = lc.post(f"/api/v1/incidents/{inc.id}/taskgroup/seats/{row.id}/release", json={},
                headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    got = sock.get_received()
    assert {"name": "access_ended", "args": [{"incident_id": inc.id}], "namespace": "/"} in got
    lc.post(f"/api/v1/incidents/{inc.id}/notes", json={"text": "之后的消息"}, headers={"X-CSRF-Token": csrf})
    later = [m for m in sock.get_received() if m["name"] == "timeline"]
    assert later == []  # no later event reaches a socket that lost the right to view
    assert sock.is_connected()  # still connected: other incidents, notifications
    again = sock.emit("join", {"incident_id": inc.id, "after": 0}, callback=True)
    assert again["ok"] is False and again["status"] in (403, 404)


def test_second_factor_session_cannot_act_until_the_code(session):
    user = make_user(session)
    ls = throttle.login(session, username=user.username, password=PASSWORD)
    ls.stage = sessions.AWAITING_CODE
    assert accounts.resolve_session(session, ls.id) is None
    assert session.get(LoginSession, ls.id).revoked_at is None
