"""Production server: one gunicorn gthread worker (Flask-SocketIO forbids several workers)."""
from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from realtime.app import create_app
        return create_app()


def run(*, host: str, port: int, threads: int = 100, instance: str | None = None) -> None:
    """Serve until stopped; scale out with more of these processes and a Redis message queue."""
    if instance:
        os.environ["CONCORD_INSTANCE"] = instance
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 0,  # long-lived WebSocket requests occupy a thread, never a timeout
        "graceful_timeout": 5,
        "accesslog": None,
        "loglevel": "warning",
    }).run()


def wsgi():  # type: ignore[no-untyped-def]
    """`gunicorn 'realtime.server:wsgi()'` entry point."""
    from realtime.app import create_app
    return create_app()
