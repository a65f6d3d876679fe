"""A `concord serve` that restarts in a fraction of a second, for kill -9 rounds.

A parent process imports the whole application once and then, on request, forks a child that
runs exactly `concord --instance X serve` (the CLI entry point: migrations, start-up sweeps,
gunicorn) in a new session. The test kills the child's process group with SIGKILL, as a crash
or the OOM killer would, and asks for the next one: each restart skips only the Python imports.
The parent builds one app first (warm caches), then holds no database connection, thread or
socket when it forks; the child still does all of `serve`'s start-up work itself.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.live import free_port


def _warm(instance: Path) -> None:
    """Build one app in the parent and throw it away: lazy imports, catalogs and templates load
    once. Its engine is disposed and its bus subscribers removed, so a child inherits no
    connection and no listener (no threads start without Redis)."""
    import realtime.server
    from realtime.app import create_app
    app = create_app()
    realtime.server.interrupt_dead_batches(app)
    realtime.server.recover_attachments(app)
    app.extensions["concord.engine"].dispose()
    stop = app.extensions.get("concord.bus_unsubscribe")
    if stop:
        stop()


def _serve_forever() -> None:  # runs in the parent process: `python -m tests.faults.zygote`
    import concord.cli  # noqa: F401  (everything `serve` needs, imported once)
    import realtime.app  # noqa: F401
    import realtime.server  # noqa: F401
    from concord.cli import main
    _warm(Path(os.environ["CONCORD_INSTANCE"]))
    for line in sys.stdin:
        args = line.split()
        if not args:
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.setsid()
            log = os.open(args[0], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            try:
                main(args[1:], standalone_mode=True)
            finally:
                os._exit(1)
        print(pid, flush=True)


class Zygote:
    """Start with `with Zygote(instance, env) as z:`; `z.start()` serves, `z.kill()` kills -9."""

    def __init__(self, instance: Path, env: dict[str, str] | None = None) -> None:
        self.instance, self.port = instance, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = instance / f"zygote-{self.port}.log"
        self.env = {**os.environ, "CONCORD_PUBLIC_URL": self.url, "CONCORD_EMBEDDED_SCHEDULER": "0",
                    "CONCORD_INSTANCE": str(instance), **(env or {})}
        self.parent: subprocess.Popen[str] | None = None
        self.child: int | None = None
        self.starts: list[float] = []

    def __enter__(self) -> "Zygote":
        self.parent = subprocess.Popen([sys.executable, "-m", "tests.faults.zygote"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, env=self.env,
                                       cwd=Path(__file__).resolve().parents[2])
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.kill(signal.SIGTERM)
        if self.parent:
            self.parent.stdin.close()  # type: ignore[union-attr]
            self.parent.wait(10)

    def start(self, timeout: float = 60) -> "Zygote":
        began = time.monotonic()
        assert self.parent and self.parent.stdin and self.parent.stdout
        self.parent.stdin.write(f"{self.log} --instance {self.instance} serve --host 127.0.0.1 "
                                f"--port {self.port} --threads 40\n")
        self.parent.stdin.flush()
        self.child = int(self.parent.stdout.readline())
        while time.monotonic() - began < timeout:
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    self.starts.append(time.monotonic() - began)
                    return self
            except requests.RequestException:
                pass
            if _dead(self.child):
                break
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text(errors='replace')[-2000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.child is None:
            return
        try:
            os.killpg(self.child, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _group_alive(self.child):
            time.sleep(0.02)
        self.child = None


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is left in the process group."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 3 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie is dead too
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True
    return False


if __name__ == "__main__":
    # adopt the servers' orphaned workers and let the kernel reap every child: no zombies, so a
    # killed server's pids are really gone (the batch sweep asks whether its pid lives)
    import ctypes
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    _serve_forever()
