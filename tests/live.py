"""A real Concord server process on a free port, for browser and multi-process tests."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import requests

ADMIN_PASSWORD = "live-admin-pass"
# a loaded 2-core machine (several test runs at once) can take longer than 30 s to import and bind
START_SECONDS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def concord(instance: Path, *args: str, env: dict[str, str] | None = None, check: bool = True,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI against an instance folder."""
    return subprocess.run([sys.executable, "-m", "concord", "--instance", str(instance), *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, check=check,
                          input=input, timeout=120)


class LiveServer:
    def __init__(self, instance: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.instance = instance
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Tests start schedulers explicitly where they test them; serve's embedded one stays off.
        self.env = {"CONCORD_PUBLIC_URL": self.url, "CONCORD_EMBEDDED_SCHEDULER": "0", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = instance / f"server-{self.port}.log"

    def start(self) -> "LiveServer":
        fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "concord", "--instance", str(self.instance), "serve",
             "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=fh, stderr=subprocess.STDOUT, env={**os.environ, **self.env}, start_new_session=True)
        if wait_healthy(self.proc, self.url, self.log, START_SECONDS):
            return self
        self.stop()  # a server still starting would otherwise outlive the test run
        raise RuntimeError(f"server did not start in {START_SECONDS} s")

    def stop(self, sig: int = 15) -> None:
        stop_group(self.proc, sig)


def wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path, seconds: float) -> bool:
    """Wait until the server process answers /healthz (False when *seconds* pass first); a process that
    exits meanwhile raises, with the end of its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def stop_group(proc: subprocess.Popen[bytes] | None, sig: int = 15) -> None:
    """Stop a server started in its own process group: *sig*, then SIGKILL when it lingers."""
    if proc and proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(5)


def init_instance(instance: Path, env: dict[str, str] | None = None) -> Path:
    concord(instance, "init", "--admin-password", ADMIN_PASSWORD, env=env)
    concord(instance, "demo", "--no-history", env=env)  # browser tests add the review's cases they need
    return instance


def session_for(instance: Path, env: dict[str, str] | None = None) -> Any:
    """A SQLAlchemy session factory on the live server's database (for test set-up)."""
    from incident import privacy
    from incident.db import make_engine, make_session_factory
    from incident.settings import load_settings
    s = load_settings(instance, env={**os.environ, **(env or {})})
    privacy.configure(s.field_key)
    return make_session_factory(make_engine(s.database_url))


def demo_incident_id(instance: Path) -> int:
    """The id of the incident `concord demo` opened on the instance (its first)."""
    from sqlalchemy import select

    from incident.models import Incident
    with session_for(instance)() as s:
        return s.scalars(select(Incident.id).order_by(Incident.id)).first()


def shared_redis_env() -> dict[str, str]:
    """Environment for servers sharing the test Redis on a channel of their own (a new one per call:
    parallel runs on the same Redis never see each other's events); skips the test without Redis."""
    import pytest
    url = os.environ.get("CONCORD_TEST_REDIS_URL")
    if not url:
        pytest.skip("Redis not configured: set CONCORD_TEST_REDIS_URL")
    return {"CONCORD_REDIS_URL": url, "CONCORD_SOCKETIO_CHANNEL": f"concord-test-{uuid.uuid4().hex}"}


@contextlib.contextmanager
def server_pair(instance: Path, env: dict[str, str]) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two started servers on one instance with one environment (e.g. a shared Redis), stopped afterwards."""
    one = LiveServer(instance, env=env).start()
    two = LiveServer(instance, env=env)
    try:
        two.start()
        yield one, two
    finally:
        two.stop()
        one.stop()
