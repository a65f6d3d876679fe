"""Server processes for benchmarks: a Concord instance with `concord serve`, or the bare baseline."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_S = 90  # a loaded two-core machine takes long to import and start a server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A child process serving on 127.0.0.1:port; started in its own process group."""

    def __init__(self, args: list[str], port: int, log: Path, env: dict[str, str] | None = None) -> None:
        self.args, self.port, self.log = args, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        fh = self.log.open("ab")
        self.proc = subprocess.Popen([sys.executable, *self.args], stdout=fh, stderr=subprocess.STDOUT,
                                     env=self.env, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not start in {START_S} s")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def concord_instance(folder: Path, env: dict[str, str] | None = None) -> Path:
    """A fresh instance with the demo users and incident (real CLI); env e.g. CONCORD_DATABASE_URL."""
    for cmd in (["init", "--admin-password", "bench-admin-pass"], ["demo"]):
        subprocess.run([sys.executable, "-m", "concord", "--instance", str(folder), *cmd], cwd=ROOT,
                       check=True, capture_output=True, timeout=120, env={**os.environ, **(env or {})})
    return folder


def concord_server(instance: Path, threads: int, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    return Server(["-m", "concord", "--instance", str(instance), "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--threads", str(threads)], port, instance / f"serve-{port}.log",
                  # one demo user holds all N sockets: lift the per-user event rate (issue 10 socket limits)
                  env={"CONCORD_PUBLIC_URL": f"http://127.0.0.1:{port}", "CONCORD_SOCKET_USER_BURST": "100000",
                       **(env or {})})


def bare_server(folder: Path, mode: str, threads: int) -> Server:
    port = free_port()
    return Server(["-m", "bench._bare", "--port", str(port), "--mode", mode, "--threads", str(threads)],
                  port, folder / f"bare-{mode}-{port}.log")
