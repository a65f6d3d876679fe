"""Production server: one gunicorn gthread worker (Flask-SocketIO forbids several workers)."""
from __future__ import annotations

import logging
import os
from typing import Any

from gunicorn.app.base import BaseApplication


EMBED_ENV = "CONCORD_EMBEDDED_SCHEDULER"


def start_embedded_scheduler(app):  # type: ignore[no-untyped-def]
    """Run the playbook scheduler inside this server process.

    Its timeline events then reach browsers through this process's Socket.IO (and the Redis
    queue when configured); the database lease keeps it to one firing scheduler across all
    server processes and any dedicated `concord scheduler`.
    """
    from playbooks import config
    from playbooks.scheduler.runner import Runner
    config.configure(app.extensions["concord.settings"])
    from exports.audit.checkpoints import scheduled_job  # -- audit (issue 17): signed chain-head checkpoints
    factory, settings = app.extensions["concord.sessions"], app.extensions["concord.settings"]
    runner = Runner(factory, extra_jobs=[scheduled_job(factory, settings)])
    # -- restart recovery (issue 16): start() first fires every deadline that fell due while no
    # scheduler ran, in batches — here, before gunicorn's worker accepts its first connection
    runner.start()
    app.extensions["concord.scheduler"] = runner
    return runner


def drop_server_banner() -> None:
    """Send no `Server: gunicorn` header (issue 10): it only tells an attacker what to try.

    gunicorn has no setting for it; its Response writes the line in default_headers(), so that
    method is wrapped once per process to leave the line out.
    """
    from gunicorn.http import wsgi as gwsgi
    original = gwsgi.Response.default_headers
    if getattr(original, "concord_no_banner", False):
        return

    def default_headers(self):  # type: ignore[no-untyped-def]
        return [h for h in original(self) if not h.lower().startswith("server:")]
    default_headers.concord_no_banner = True  # type: ignore[attr-defined]
    gwsgi.Response.default_headers = default_headers  # type: ignore[method-assign]
def interrupt_dead_batches(app):  # type: ignore[no-untyped-def]
    """At start-up: agreement batches whose server process is gone (kill -9, crash) become
    interrupted now, not at the first scheduler tick that holds the lease (issue 17)."""
    from exports.signing import batches
    try:
        batches.sweep(app.extensions["concord.sessions"])
    except Exception:  # never keep the server from starting; the scheduler's tick sweeps again
        logging.getLogger(__name__).exception("start-up sweep of agreement batches failed")


def recover_attachments(app):  # type: ignore[no-untyped-def]
    """At start-up: temporary files of dead processes are moved into place (their row committed)
    or removed (it never did), so nothing a crash left stays under attachments/ (issue 17)."""
    from incident.attachments import check
    try:
        with app.extensions["concord.sessions"]() as session:
            done = check.recover(session)
        for f in done.findings:
            logging.getLogger(__name__).warning("attachments: %s %s (%s)", f.kind, f.name, f.detail)
    except Exception:  # never keep the server from starting; `concord doctor` finds the rest
        logging.getLogger(__name__).exception("start-up check of attachments failed")


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from realtime.app import create_app
        app = create_app()
        interrupt_dead_batches(app)
        recover_attachments(app)
        if os.environ.get(EMBED_ENV, "1") != "0":
            start_embedded_scheduler(app)
        return app


KEEPALIVE_DEFAULT = 75  # seconds; gunicorn's own default of 2 s closes connections clients still pool


def keepalive() -> int:
    """Seconds an idle keep-alive connection stays open (CONCORD_KEEPALIVE, 1–3600)."""
    raw = os.environ.get("CONCORD_KEEPALIVE") or str(KEEPALIVE_DEFAULT)
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 3600:
        raise ValueError(f"CONCORD_KEEPALIVE must be a number of seconds from 1 to 3600 (got {raw!r})")
    return value


def run(*, host: str, port: int, threads: int = 100, instance: str | None = None,
        scheduler: bool = True) -> None:
    """Serve until stopped; scale out with more of these processes and a Redis message queue."""
    if instance:
        os.environ["CONCORD_INSTANCE"] = instance
    if not scheduler:
        os.environ[EMBED_ENV] = "0"
    drop_server_banner()
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 0,  # long-lived WebSocket requests occupy a thread, never a timeout
        "graceful_timeout": 5,
        # -- resource faults (issue 17): idle keep-alive connections outlive client pools (nginx
        # upstream 60 s, browsers, requests), so no request meets a connection closed under it
        "keepalive": keepalive(),
        "accesslog": None,
        "loglevel": "warning",
    }).run()


def wsgi():  # type: ignore[no-untyped-def]
    """`gunicorn 'realtime.server:wsgi()'` entry point."""
    drop_server_banner()
    from realtime.app import create_app
    return create_app()
