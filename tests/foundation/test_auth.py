"""Accounts: argon2, login sessions, cookie flags, throttling, logout."""
from __future__ import annotations

import re

from incident.accounts import throttle
from incident.accounts.models import LoginSession
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def _token(client):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)


def test_passwords_are_argon2(session):
    user = make_user(session)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_login_sets_hardened_cookie_and_fresh_session(app, session):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    token = _token(client)
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with client.session_transaction() as s:
        sid1, csrf1 = s["sid"], s["csrf"]
    assert csrf1 != token  # CSRF token rotated at login
    client.post("/logout", data={"csrf_token": csrf1})
    login(client, user.username, PASSWORD)
    with client.session_transaction() as s:
        assert s["sid"] != sid1
    session.expire_all()
    assert session.get(LoginSession, sid1).revoked_at is not None


def test_logout_revokes_server_side(app, session):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    login(client, user.username, PASSWORD)
    with client.session_transaction() as s:
        stolen = dict(s)
    client.post("/logout", data={"csrf_token": stolen["csrf"]})
    replay = app.test_client()
    with replay.session_transaction() as s:
        s.update(stolen)
    assert replay.get("/api/v1/me").status_code == 401


def test_wrong_password_then_throttled(app, session):
    """From a client the account has never logged in from, the account's backoff holds even the
    right password back (tests/security/test_throttle.py: known devices and addresses are not)."""
    from datetime import datetime, timezone

    from incident import clock
    user = make_user(session)
    session.commit()
    client = app.test_client()
    codes = []
    with clock.frozen(datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)):
        for _ in range(6):
            resp = client.post("/login", data={"username": user.username, "password": "wrong-pass",
                                               "csrf_token": _token(client)})
            codes.append(resp.status_code)
        assert codes[:5] == [401] * 5 and codes[5] == 429
        assert resp.headers["Retry-After"] == "2"
        resp = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": _token(client)})
        assert resp.status_code == 429


def test_login_form_needs_csrf(app, session):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    client.get("/login")
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 400


def test_open_redirect_is_refused(app, session):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    resp = client.post("/login?next=//evil.example/x", data={
        "username": user.username, "password": PASSWORD, "csrf_token": _token(client)})
    assert resp.headers["Location"] == "/"


def test_inactive_user_cannot_log_in(session):
    user = make_user(session)
    user.active = False
    session.flush()
    import pytest

    from incident.errors import Unauthenticated
    with pytest.raises(Unauthenticated):
        throttle.login(session, username=user.username, password=PASSWORD)
