"""Against real `concord serve` processes (gunicorn): no Server banner, headers on every response,
socket size limits over a real WebSocket, and the client address behind a trusted proxy."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
import requests
import socketio
from sqlalchemy import select

from incident.security.models import SecurityEvent
from realtime.security import socket_limits as limits
from tests.live import LiveServer, demo_incident_id, init_instance, session_for
from tests.realtime.clients import Listener, login

pytestmark = pytest.mark.slow
FORWARDED = "198.51.100.23"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return init_instance(tmp_path_factory.mktemp("hard") / "instance")


@pytest.fixture(scope="module")
def server(instance: Path) -> Iterator[LiveServer]:
    srv = LiveServer(instance).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def proxied(instance: Path) -> Iterator[LiveServer]:
    srv = LiveServer(instance, env={"CONCORD_TRUSTED_PROXIES": "1"}).start()
    yield srv
    srv.stop()


def events(instance: Path, kind: str) -> list[SecurityEvent]:
    with session_for(instance)() as s:
        return list(s.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)))


def test_no_server_banner_and_headers_everywhere(server: LiveServer):
    for path in ("/login", "/static/app.css", "/no/such/page", "/api/v1/me", "/healthz"):
        resp = requests.get(server.url + path, timeout=10)
        assert "Server" not in resp.headers, (path, resp.headers.get("Server"))
        assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"], path


def test_socket_size_limit_over_a_real_websocket(server: LiveServer):
    http = login(server.url, "leader", "concord-demo")
    incident_id = demo_incident_id(server.instance)
    sock = Listener().connect(server.url, http)
    try:
        big = sock.sio.call("join", {"incident_id": incident_id, "pad": "x" * (limits.MAX_MESSAGE * 4)}, timeout=10)
        assert big["status"] == 413 and big["error"] == "too_large"
        huge = sock.sio.call("join", {"incident_id": 2**63 + 1}, timeout=10)
        assert huge["status"] == 400 and huge["field"] == "incident_id"
        assert sock.sio.connected and sock.join(incident_id)["ok"]  # the connection lives on
    finally:
        sock.close()


def _fail_login(url: str, headers: dict[str, str]) -> None:
    http = requests.Session()
    page = http.get(url + "/login", headers=headers, timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert http.post(url + "/login", data={"username": "leader", "password": "not-the-password",
                                           "csrf_token": token}, headers=headers, timeout=10).status_code == 401


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(server: LiveServer, proxied: LiveServer):
    header = {"X-Forwarded-For": FORWARDED}
    _fail_login(server.url, header)
    assert events(server.instance, "login_failed")[-1].address == "127.0.0.1"  # a client cannot claim one
    _fail_login(proxied.url, header)
    assert events(proxied.instance, "login_failed")[-1].address == FORWARDED
    # Sockets see the same address (ProxyFix wraps the Socket.IO middleware too).
    anonymous = socketio.Client(reconnection=False)
    anonymous.eio.websocket_extra_options = {"origin": proxied.url}
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.connect(proxied.url, headers=header, transports=["websocket"], wait_timeout=10)
    refused = events(proxied.instance, "socket_refused")
    assert refused and refused[-1].address == FORWARDED and refused[-1].detail["reason"] == "unauthenticated"
