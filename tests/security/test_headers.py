"""Security headers on every response, cookie prefixes under https, and the one redirect check."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from realtime.security.redirects import is_safe, safe_next
from incident.errors import ValidationError
from tests.conftest import login
from tests.factories import PASSWORD, make_user

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _common(resp) -> None:  # type: ignore[no-untyped-def]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert "Server" not in resp.headers


def _page_policy(resp) -> dict[str, str]:  # type: ignore[no-untyped-def]
    csp = resp.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in csp.split("; ")}


@sqlite_only
def test_pages_get_a_strict_policy(app, session):
    admin = make_user(session, "admin")
    session.commit()
    client = app.test_client()
    resp = client.get("/login")
    _common(resp)
    policy = _page_policy(resp)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in resp.headers["Content-Security-Policy"]
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'" and "ws://localhost" in policy["connect-src"]
    assert "Strict-Transport-Security" not in resp.headers  # http: no HSTS
    login(client, admin.username, PASSWORD)
    for path in ("/", "/incidents/new", "/admin/lexicon", "/admin/security", "/inbox", "/agreement-templates",
                 "/verify", "/incidents/999999"):
        resp = client.get(path)
        assert resp.mimetype == "text/html", path
        _common(resp)
        assert _page_policy(resp)["script-src"] == "'self'", path


@sqlite_only
def test_other_responses_get_a_deny_all_policy(app, session):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    login(client, user.username, PASSWORD)
    for path in ("/api/v1/me", "/static/app.css", "/static/board.js", "/api/v1/incidents/999999",
                 "/vendor/socket.io.min.js"):
        resp = client.get(path)
        _common(resp)
        assert resp.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'", path


def test_templates_hold_no_inline_script_style_or_handler():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "realtime" / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", r"<style",
                        r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, text, flags=re.I):
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []


@pytest.fixture
def https_app(settings, engine):  # type: ignore[no-untyped-def]
    from realtime.app import create_app
    app = create_app(replace(settings, public_url="https://concord.example.com"), config={"TESTING": True},
                     engine=engine)
    yield app
    app.extensions["concord.bus_unsubscribe"]()


@sqlite_only
def test_https_sends_hsts_and_host_prefixed_secure_cookies(https_app, session):
    user = make_user(session)
    session.commit()
    client = https_app.test_client()
    page = client.get("/login", base_url="https://concord.example.com")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "wss://concord.example.com" in _page_policy(page)["connect-src"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = client.post("/login", base_url="https://concord.example.com",
                       data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    cookies = resp.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"__Host-concord_session", "__Host-concord_device"}
    for c in cookies:
        assert "Secure" in c and "HttpOnly" in c and "Path=/" in c and "Domain" not in c
    assert client.get("/api/v1/me", base_url="https://concord.example.com").status_code == 200


# -- the one redirect check -------------------------------------------------------------------

UNSAFE = ["//evil.example", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "https://evil.example",
          "http:/evil.example", "javascript:alert(1)", "evil.example", "/a\\b", "///evil.example", ""]
CONTROL = ["/\t/evil.example", "/%09/evil.example".replace("%09", "\t"), "/x\r\nSet-Cookie: a=b", "/\x00",
           "/\x7f", "/\u2028evil"]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_fall_back(target):
    assert not is_safe(target)
    assert safe_next(target, "/") == "/"


@pytest.mark.parametrize("target", CONTROL)
def test_control_characters_are_a_400(target):
    with pytest.raises(ValidationError) as err:
        safe_next(target, "/")
    assert err.value.field == "next"


@pytest.mark.parametrize("target", ["/", "/incidents/3", "/incidents/3?tab=crowd#x", "/%2F%2Fevil", "/a//b"])
def test_same_origin_paths_pass(target):
    assert safe_next(target, "/fallback") == target


# Raw query strings as an attacker would send them (percent-decoding happens in the server).
ATTACKS = ["%2F%09%2Fevil.example", "/%09/evil.example", "//evil", "/%5Cevil", "/\\evil", "https://evil",
           "https:%2F%2Fevil", "%2F%2Fevil", "/%0d%0aSet-Cookie:%20x=1", "%0D%0A"]


@sqlite_only
@pytest.mark.parametrize("raw", ATTACKS)
def test_every_next_refuses_to_leave_the_site(app, session, raw):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    for method, path, data in (("POST", "/login", {"username": user.username, "password": PASSWORD,
                                                   "csrf_token": token}),
                               ("GET", "/lang/en", None), ("GET", "/lang/zh_CN", None), ("GET", "/login", None)):
        resp = client.open(f"{path}?next={raw}", method=method, data=data)
        assert resp.status_code in (200, 302, 400), (path, raw, resp.status_code)
        location = resp.headers.get("Location", "")
        assert location in ("", "/"), (path, raw, location)
        if "%0" in raw.lower() or "%09" in raw:
            assert resp.status_code == 400, (path, raw)
        if resp.status_code == 400 and resp.mimetype == "text/html":
            assert "next" in resp.get_data(as_text=True)


@sqlite_only
def test_a_safe_next_is_followed_and_the_gate_keeps_it(app, session):
    user = make_user(session)
    session.commit()
    client = app.test_client()
    gate = client.get("/incidents/new")
    assert gate.status_code == 302 and gate.headers["Location"] == "/login?next=/incidents/new"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    resp = client.post("/login?next=/incidents/new", data={"username": user.username, "password": PASSWORD,
                                                           "csrf_token": token})
    assert resp.headers["Location"] == "/incidents/new"
    assert client.get("/lang/en?next=/incidents/new").headers["Location"] == "/incidents/new"
    # The gate never passes on a path that is not a safe target.
    assert "next" not in client.get("//evil.example").headers.get("Location", "next-free")
