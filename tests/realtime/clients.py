"""Real clients of a live server: a requests session logged in through the form, a Socket.IO client."""
from __future__ import annotations

import re
import threading
import time
from typing import Any, Callable

import requests
import socketio


def login(url: str, username: str, password: str) -> requests.Session:
    """A requests session logged in through the real login form (CSRF header set for the API)."""
    http = requests.Session()
    page = http.get(url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = http.post(url + "/login", data={"username": username, "password": password, "csrf_token": token},
                     allow_redirects=False, timeout=10)
    assert resp.status_code == 302, resp.text
    me = http.get(url + "/api/v1/me", headers={"Accept": "application/json"}, timeout=10)
    assert me.status_code == 200, me.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', http.get(url + "/", timeout=10).text)
    http.headers.update({"Accept": "application/json", "X-CSRF-Token": csrf.group(1) if csrf else ""})
    return http


class Listener:
    """A python-socketio client that records every event it receives."""

    def __init__(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        self._cond = threading.Condition()
        for name in ("timeline", "presence", "notification"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(data: Any) -> None:
            with self._cond:
                self.received.append((name, data))
                self._cond.notify_all()
        return record

    def connect(self, url: str, http: requests.Session | None = None, origin: str | None = None) -> "Listener":
        headers = {}
        if http is not None:
            headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        # websocket-client sends its own Origin header; an extra one would be merged into a list
        self.sio.eio.websocket_extra_options = {"origin": origin or url}
        self.sio.connect(url, headers=headers, transports=["websocket"], wait_timeout=10)
        return self

    def join(self, incident_id: Any, after: int = 0) -> dict[str, Any]:
        return self.sio.call("join", {"incident_id": incident_id, "after": after}, timeout=10)

    def events(self, name: str = "timeline") -> list[Any]:
        with self._cond:
            return [d for n, d in self.received if n == name]

    def wait_for(self, predicate: Callable[["Listener"], bool], timeout: float = 10.0) -> bool:
        """Block until predicate(self) holds (a bounded wait for delivery, not a speed assertion)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
