"""Server processes for benchmarks: a Concord instance with `concord serve`, or the bare baseline."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.live import free_port, stop_group, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
START_S = 90  # a loaded two-core machine takes long to import and start a server


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
        if wait_healthy(self.proc, self.url, self.log, START_S):
            return self
        raise RuntimeError(f"server did not start in {START_S} s")

    def __exit__(self, *exc: object) -> None:
        stop_group(self.proc, signal.SIGTERM)


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
